"""The channel policy: profiles win, capacity holds, the random sample is honest."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from customhouse.risk.models import Channel, ModelScore, ProfileHit, Reason, RiskSubject
from customhouse.risk.policy import OfficePolicy, assign_channels


def _subjects(n: int, aeo_every: int = 0) -> list[RiskSubject]:
    return [
        RiskSubject(
            declaration_id=f"D{i}",
            commodity_code="392690",
            origin="CN",
            customs_value=Decimal(100),
            net_mass=Decimal(1),
            lodged_on=date(2024, 1, 1),
            aeo=bool(aeo_every) and i % aeo_every == 0,
        )
        for i in range(n)
    ]


def _hit(declaration_id: str, channel: Channel) -> ProfileHit:
    return ProfileHit(
        declaration_id,
        "P1",
        1,
        channel,
        5,
        "open every box",
        (Reason("profile", "P1.origin", "origin CN"),),
    )


probabilities = st.lists(st.floats(0, 1), min_size=1, max_size=120)


@settings(max_examples=60, deadline=None)
@given(probabilities, st.data(), st.floats(0, 0.3), st.integers(0, 2**32))
def test_a_profile_hit_always_wins(
    probs: list[float], data: st.DataObject, rate: float, seed: int
) -> None:
    subjects = _subjects(len(probs))
    hit_idx = data.draw(st.sets(st.integers(0, len(probs) - 1)))
    forced = data.draw(st.sampled_from(list(Channel)))
    hits = {f"D{i}": [_hit(f"D{i}", forced)] for i in hit_idx}
    scores = {
        s.declaration_id: ModelScore(s.declaration_id, p, None)
        for s, p in zip(subjects, probs, strict=True)
    }
    decisions = assign_channels(
        subjects,
        scores=scores,
        profile_hits=hits,
        policy=OfficePolicy(inspection_rate=rate),
        rng=random.Random(seed),
    )
    for d in decisions:
        if d.declaration_id in hits:
            assert d.channel is forced and d.mandatory and not d.model_selected
            assert d.instructions == ("open every box",)
            assert any(r.source == "profile" for r in d.reasons)


@settings(max_examples=60, deadline=None)
@given(probabilities, st.data(), st.floats(0, 0.5), st.floats(0, 0.2), st.integers(0, 2**32))
def test_nothing_above_capacity_but_mandatory_hits(
    probs: list[float], data: st.DataObject, rate: float, random_rate: float, seed: int
) -> None:
    subjects = _subjects(len(probs), aeo_every=3)
    hit_idx = data.draw(st.sets(st.integers(0, len(probs) - 1), max_size=10))
    hits = {f"D{i}": [_hit(f"D{i}", Channel.RED)] for i in hit_idx}
    scores = {
        s.declaration_id: ModelScore(s.declaration_id, p, None)
        for s, p in zip(subjects, probs, strict=True)
    }
    capacity = data.draw(st.integers(0, len(probs)))
    decisions = assign_channels(
        subjects,
        scores=scores,
        profile_hits=hits,
        policy=OfficePolicy(inspection_rate=rate, random_rate=random_rate, exploration_rate=0.05),
        rng=random.Random(seed),
        capacity=capacity,
    )
    inspected = [d for d in decisions if d.channel.is_inspection]
    optional = [d for d in inspected if not d.mandatory]
    assert len(optional) <= max(0, capacity - len(hits))
    assert len(inspected) <= max(capacity, len(hits))
    # The model's picks are its top-ranked free declarations.
    picked = [d.probability or 0 for d in decisions if d.model_selected]
    passed = [
        d.probability or 0
        for d in decisions
        if not (d.mandatory or d.random_sample or d.exploration or d.model_selected)
        and not next(s for s in subjects if s.declaration_id == d.declaration_id).aeo
    ]
    if picked and passed:
        assert min(picked) >= max(passed) * 0.5  # AEO-weighted ranking allows at most 2x


def test_random_rate_holds_over_a_large_sample() -> None:
    n = 100_000
    subjects = _subjects(n)
    decisions = assign_channels(
        subjects,
        scores={},
        profile_hits={},
        policy=OfficePolicy(inspection_rate=0.05, random_rate=0.01, exploration_rate=0),
        rng=random.Random(42),
    )
    sampled = sum(d.random_sample for d in decisions)
    # 1 % of 100,000 = 1,000; three standard deviations is about 94.
    assert abs(sampled - 1000) < 3 * (n * 0.01 * 0.99) ** 0.5
    assert all(d.channel is Channel.RED for d in decisions if d.random_sample)


def test_aeo_traders_are_sampled_at_their_reduced_rate() -> None:
    subjects = _subjects(60_000, aeo_every=2)
    decisions = assign_channels(
        subjects,
        scores={},
        profile_hits={},
        policy=OfficePolicy(
            inspection_rate=0.2, random_rate=0.02, aeo_factor=0.25, exploration_rate=0
        ),
        rng=random.Random(5),
    )
    aeo = sum(d.random_sample for s, d in zip(subjects, decisions, strict=True) if s.aeo)
    other = sum(d.random_sample for s, d in zip(subjects, decisions, strict=True) if not s.aeo)
    assert 0.15 < aeo / other < 0.35


def test_model_fills_capacity_with_the_riskiest_and_blue_beyond() -> None:
    subjects = _subjects(100)
    scores = {
        s.declaration_id: ModelScore(s.declaration_id, i / 100, None)
        for i, s in enumerate(subjects)
    }
    decisions = assign_channels(
        subjects,
        scores=scores,
        profile_hits={},
        policy=OfficePolicy(
            inspection_rate=0.1,
            random_rate=0,
            exploration_rate=0,
            red_threshold=0.95,
            blue_threshold=0.8,
        ),
        rng=random.Random(0),
    )
    by_id = {d.declaration_id: d for d in decisions}
    assert {d.declaration_id for d in decisions if d.model_selected} == {
        f"D{i}" for i in range(90, 100)
    }
    assert by_id["D99"].channel is Channel.RED and by_id["D91"].channel is Channel.YELLOW
    assert by_id["D85"].channel is Channel.BLUE and by_id["D10"].channel is Channel.GREEN
    assert any(r.code == "capacity.exceeded" for r in by_id["D85"].reasons)


def test_exploration_draws_outside_the_model_selection() -> None:
    subjects = _subjects(1000)
    scores = {
        s.declaration_id: ModelScore(s.declaration_id, i / 1000, None)
        for i, s in enumerate(subjects)
    }
    decisions = assign_channels(
        subjects,
        scores=scores,
        profile_hits={},
        policy=OfficePolicy(inspection_rate=0.05, random_rate=0, exploration_rate=0.01),
        rng=random.Random(9),
    )
    explored = [d for d in decisions if d.exploration]
    assert len(explored) == 10
    assert sum(d.model_selected for d in decisions) == 40
    assert all(d.channel is Channel.YELLOW for d in explored)


def test_same_seed_same_decisions() -> None:
    subjects = _subjects(500)
    scores = {s.declaration_id: ModelScore(s.declaration_id, 0.5, None) for s in subjects}

    def run() -> list[str]:
        return [
            d.channel.value
            for d in assign_channels(
                subjects,
                scores=scores,
                profile_hits={},
                policy=OfficePolicy(),
                rng=random.Random(11),
            )
        ]

    assert run() == run()
