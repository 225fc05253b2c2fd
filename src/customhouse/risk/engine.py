"""The risk engine: profiles, model and policy together over a batch of declarations.

Pure: everything it needs (profiles, the trained model, the office policy, the seeded RNG, the
date, reference prices) is passed in. Model reasons (feature contributions, the costly part) are
computed only for declarations the model selected or sent to blue.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

from customhouse.risk.model import RiskModel
from customhouse.risk.models import Channel, ChannelDecision, ModelScore, ProfileHit, RiskSubject
from customhouse.risk.policy import OfficePolicy, assign_channels
from customhouse.risk.profiles import ReferencePrices, SelectivityProfile, evaluate_profiles


def select_channels(
    subjects: Sequence[RiskSubject],
    *,
    profiles: Sequence[SelectivityProfile],
    model: RiskModel | None,
    policy: OfficePolicy,
    rng: random.Random,
    at: date,
    reference_prices: ReferencePrices | None = None,
    capacity: int | None = None,
    explain_blue: bool = False,
    item_subjects: Mapping[str, Sequence[RiskSubject]] | None = None,
    scores: Mapping[str, ModelScore] | None = None,
) -> list[ChannelDecision]:
    """A channel decision, with every reason, for each subject (input order).

    Feature contributions are added for the model's selections (and blue decisions when
    ``explain_blue``); the others carry the probability and the policy's reasons.

    ``item_subjects`` (declaration id -> one subject per goods item) lets profiles look at every
    item of a multi-item declaration while the model scores the declaration's own subject.
    ``scores`` are the model's scores (without reasons) where the caller made them already,
    by declaration id; the model scores the subjects missing from them.
    """
    if item_subjects is None:
        hits = evaluate_profiles(profiles, subjects, at=at, reference_prices=reference_prices)
    else:
        hits = _declaration_hits(profiles, item_subjects, at, reference_prices)
    scored: dict[str, ModelScore] = {}
    if model is not None:
        given = scores or {}
        scored = {
            s.declaration_id: given[s.declaration_id] for s in subjects if s.declaration_id in given
        }
        todo = [s for s in subjects if s.declaration_id not in scored]
        scored.update((s.declaration_id, s) for s in model.score(todo, explain=False))
    decisions = assign_channels(
        subjects, scores=scored, profile_hits=hits, policy=policy, rng=rng, capacity=capacity
    )
    if model is None:
        return decisions
    wanted = {
        d.declaration_id
        for d in decisions
        if d.model_selected or (explain_blue and d.channel is Channel.BLUE)
    }
    if not wanted:
        return decisions
    explained = {
        s.declaration_id: s
        for s in model.score([s for s in subjects if s.declaration_id in wanted], explain=True)
    }
    out = []
    for d in decisions:
        score = explained.get(d.declaration_id)
        if score is not None and score.reasons:
            # The model's own feature contributions, worded for the officer.
            d = replace(d, reasons=(*d.reasons, *score.reasons))
        out.append(d)
    return out


def _declaration_hits(
    profiles: Sequence[SelectivityProfile],
    item_subjects: Mapping[str, Sequence[RiskSubject]],
    at: date,
    reference_prices: ReferencePrices | None,
) -> dict[str, list[ProfileHit]]:
    """Profile hits over every item, gathered per declaration (one hit per profile, the first
    matching item's reasons), strongest first."""
    owner: dict[str, str] = {}
    flat: list[RiskSubject] = []
    for declaration_id, items in item_subjects.items():
        for s in items:
            owner[s.declaration_id] = declaration_id
            flat.append(s)
    by_item = evaluate_profiles(profiles, flat, at=at, reference_prices=reference_prices)
    out: dict[str, list[ProfileHit]] = {}
    for s in flat:
        declaration_id = owner[s.declaration_id]
        seen = {h.profile_code for h in out.get(declaration_id, [])}
        for h in by_item.get(s.declaration_id, ()):
            if h.profile_code not in seen:
                seen.add(h.profile_code)
                out.setdefault(declaration_id, []).append(replace(h, declaration_id=declaration_id))
    for hits in out.values():
        hits.sort(key=lambda h: (-h.priority, -h.channel.severity, h.profile_code))
    return out
