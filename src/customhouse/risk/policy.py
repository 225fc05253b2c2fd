"""The channel policy: a batch of declarations in, one decision with its reasons each out.

Order of precedence, each step recorded in the decision's reasons:

1. Mandatory profile hits: the strongest hit's channel, always, whatever the model says; they
   may exceed the office's capacity.
2. The compliance-measurement random sample (default 1 %, drawn from the injected RNG, AEO
   traders at their reduced rate), inside the capacity left.
3. Exploration: a few declarations drawn uniformly from what the model would NOT select, so its
   next training sees outcomes it would otherwise never learn about.
4. The model's ranking (probability, reduced for AEO traders) fills the remaining capacity:
   red at or above ``red_threshold``, yellow below.
5. The rest: blue (release, audit later) when the score is at least ``blue_threshold``, green
   otherwise.

Nothing but mandatory hits is ever selected above capacity.

>>> import random
>>> from datetime import date
>>> from decimal import Decimal
>>> from customhouse.risk.models import ModelScore, RiskSubject
>>> subjects = [RiskSubject(declaration_id=str(i), commodity_code="392690", origin="CN",
...     customs_value=Decimal(1), net_mass=Decimal(1), lodged_on=date(2024, 1, 1))
...     for i in range(10)]
>>> scores = {str(i): ModelScore(str(i), i / 10, None) for i in range(10)}
>>> policy = OfficePolicy(inspection_rate=0.2, random_rate=0, exploration_rate=0)
>>> decisions = assign_channels(subjects, scores=scores, profile_hits={}, policy=policy,
...                             rng=random.Random(1))
>>> [(d.declaration_id, d.channel.value) for d in decisions if d.channel.is_inspection]
[('8', 'red'), ('9', 'red')]
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from customhouse.risk.models import (
    Channel,
    ChannelDecision,
    ModelScore,
    ProfileHit,
    Reason,
    RiskSubject,
)


@dataclass(frozen=True, slots=True)
class OfficePolicy:
    """An office's selectivity settings. Rates are shares of declarations (0.05 = 5 %)."""

    office: str = ""
    inspection_rate: float = 0.05
    random_rate: float = 0.01
    exploration_rate: float = 0.002
    red_threshold: float = 0.5
    blue_threshold: float = 0.3
    min_probability: float = 0.0
    aeo_factor: float = 0.5
    random_channel: Channel = Channel.RED
    exploration_channel: Channel = Channel.YELLOW
    rank_by: str = "probability"  # or "revenue": expected duty at stake

    def __post_init__(self) -> None:
        for name in ("inspection_rate", "random_rate", "exploration_rate", "aeo_factor"):
            value = float(getattr(self, name))
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, not {value}")
        if self.rank_by not in ("probability", "revenue"):
            raise ValueError("rank_by is 'probability' or 'revenue'")


def capacity_for(size: int, rate: float, rng: random.Random) -> int:
    """Inspections a batch of ``size`` may use at ``rate``; the fraction is rounded at random
    so that small batches (one declaration at a time) still average the target rate.

    >>> capacity_for(1000, 0.05, random.Random(0))
    50
    """
    exact = size * rate
    whole = math.floor(exact)
    return whole + (1 if rng.random() < exact - whole else 0)


@dataclass
class _Draft:
    subject: RiskSubject
    channel: Channel = Channel.GREEN
    reasons: list[Reason] = field(default_factory=list)
    mandatory: bool = False
    random_sample: bool = False
    exploration: bool = False
    model_selected: bool = False
    hits: tuple[ProfileHit, ...] = ()
    score: ModelScore | None = None
    rank_value: float = 0.0


def assign_channels(
    subjects: Sequence[RiskSubject],
    *,
    scores: Mapping[str, ModelScore],
    profile_hits: Mapping[str, Sequence[ProfileHit]],
    policy: OfficePolicy,
    rng: random.Random,
    capacity: int | None = None,
) -> list[ChannelDecision]:
    """One decision per subject, in input order. ``capacity`` overrides the batch's share of
    the office's inspection rate (a service may pass what is left of the day's capacity)."""
    drafts = [_Draft(s, score=scores.get(s.declaration_id)) for s in subjects]
    if capacity is None:
        capacity = capacity_for(len(subjects), policy.inspection_rate, rng)

    # 1. Mandatory profile hits.
    for d in drafts:
        hits = tuple(profile_hits.get(d.subject.declaration_id, ()))
        if hits:
            d.hits, d.mandatory, d.channel = hits, True, hits[0].channel
            for hit in hits:
                d.reasons += hit.reasons
            d.reasons.append(
                Reason(
                    "profile",
                    "profile.forced",
                    f"profile {hits[0].profile_code} v{hits[0].profile_version} "
                    f"forces {hits[0].channel.value}",
                )
            )
    used = sum(1 for d in drafts if d.mandatory and d.channel.is_inspection)
    budget = max(0, capacity - used)

    # 2. Random compliance sample: one draw per declaration, in input order (reproducible).
    for d in drafts:
        rate = policy.random_rate * (policy.aeo_factor if d.subject.aeo else 1.0)
        if rng.random() >= rate:
            continue
        if d.mandatory:
            d.random_sample = True  # measured anyway: it is inspected for its profile
            d.reasons.append(
                Reason("random", "random.sample", f"also in the {rate:.2%} compliance sample")
            )
        elif budget > 0:
            budget -= 1
            d.random_sample, d.channel = True, policy.random_channel
            d.reasons.append(
                Reason("random", "random.sample", f"drawn for the {rate:.2%} compliance sample")
            )

    # Model ranking of what is left.
    free = [d for d in drafts if not d.mandatory and not d.random_sample]
    for d in free:
        if d.score is not None:
            base = d.score.probability
            if policy.rank_by == "revenue" and d.score.expected_revenue is not None:
                base = float(d.score.expected_revenue)
            d.rank_value = base * _aeo(d, policy)
    ranked = sorted(
        (d for d in free if d.score is not None),
        key=lambda d: (-d.rank_value, d.subject.declaration_id),
    )
    eligible = [
        d
        for d in ranked
        if d.score is not None and d.score.probability * _aeo(d, policy) >= policy.min_probability
    ]

    # 3. Exploration slots come out of the budget before the model fills it.
    explore = min(budget, capacity_for(len(free), policy.exploration_rate, rng))
    model_slots = budget - explore
    chosen = eligible[:model_slots]
    for rank, d in enumerate(chosen, start=1):
        assert d.score is not None
        d.model_selected = True
        d.channel = Channel.RED if d.score.probability >= policy.red_threshold else Channel.YELLOW
        d.reasons.append(
            Reason(
                "model",
                "model.ranked",
                f"risk {d.score.probability:.1%}, ranked {rank} of "
                f"{len(ranked)} within capacity {model_slots}",
                weight=d.score.probability,
            )
        )
        d.reasons += d.score.reasons
    rest = [d for d in free if not d.model_selected]
    if explore and rest:
        for d in rng.sample(rest, min(explore, len(rest))):
            d.exploration, d.channel = True, policy.exploration_channel
            d.reasons.append(
                Reason(
                    "exploration",
                    "exploration.sample",
                    "drawn outside the model's selection so it keeps learning",
                )
            )

    # 5. Everything else: blue for audit when risky enough, else green.
    for d in drafts:
        if d.mandatory or d.random_sample or d.model_selected or d.exploration:
            continue
        if d.score is None:
            d.reasons.append(Reason("policy", "policy.no_score", "no model score: released"))
            continue
        p = d.score.probability
        if d.subject.aeo and policy.aeo_factor < 1.0:
            d.reasons.append(
                Reason(
                    "aeo", "aeo.reduction", f"AEO trader: risk weighted by {policy.aeo_factor:g}"
                )
            )
        if p * _aeo(d, policy) >= policy.blue_threshold:
            d.channel = Channel.BLUE
            d.reasons.append(
                Reason(
                    "capacity",
                    "capacity.exceeded",
                    f"risk {p:.1%} but beyond the inspection capacity: "
                    "released for post-clearance audit",
                )
            )
            d.reasons += d.score.reasons
        else:
            d.reasons.append(Reason("model", "model.low", f"risk {p:.1%}: released", weight=p))

    return [
        ChannelDecision(
            declaration_id=d.subject.declaration_id,
            channel=d.channel,
            reasons=tuple(d.reasons),
            mandatory=d.mandatory,
            random_sample=d.random_sample,
            exploration=d.exploration,
            model_selected=d.model_selected,
            probability=None if d.score is None else d.score.probability,
            expected_revenue=None if d.score is None else d.score.expected_revenue,
            profile_hits=d.hits,
            instructions=tuple(h.instructions for h in d.hits if h.instructions),
        )
        for d in drafts
    ]


def _aeo(d: _Draft, policy: OfficePolicy) -> float:
    return policy.aeo_factor if d.subject.aeo else 1.0
