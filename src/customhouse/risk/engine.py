"""The risk engine: profiles, model and policy together over a batch of declarations.

Pure: everything it needs (profiles, the trained model, the office policy, the seeded RNG, the
date, reference prices) is passed in. Model reasons (feature contributions, the costly part) are
computed only for declarations the model selected or sent to blue.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from customhouse.risk.model import RiskModel
from customhouse.risk.models import Channel, ChannelDecision, ModelScore, RiskSubject
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
) -> list[ChannelDecision]:
    """A channel decision, with every reason, for each subject (input order).

    Feature contributions are added for the model's selections (and blue decisions when
    ``explain_blue``); the others carry the probability and the policy's reasons.
    """
    hits = evaluate_profiles(profiles, subjects, at=at, reference_prices=reference_prices)
    scores: dict[str, ModelScore] = {}
    if model is not None:
        scores = {s.declaration_id: s for s in model.score(subjects, explain=False)}
    decisions = assign_channels(
        subjects, scores=scores, profile_hits=hits, policy=policy, rng=rng, capacity=capacity
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
