"""Does a declared item's description fit its declared commodity code?

The suggestion model's score shares are summed over the declared code's chapter, heading and
subheading; the fit score weighs them 0.5 / 0.3 / 0.2, so a description in the right chapter
but the wrong subheading still scores about half. Low scores are a risk feature.
"""

from __future__ import annotations

from collections.abc import Sequence

from customhouse.classification.engine import SuggestionModel
from customhouse.classification.models import ConsistencyResult, SuggestionResult, hs_digits

WEIGHTS = {2: 0.5, 4: 0.3, 6: 0.2}
LOW_FIT = 0.2  # below this, the officer's view shows the item as a poor fit


def fit_from_distribution(distribution: dict[str, float], declared: str) -> dict[int, float]:
    """Probability mass on the declared code's 2-, 4- and 6-digit prefixes.

    The scores need not sum to one: the shares are taken of their sum (so a check reads the
    model's raw scores without making a normalised copy first).

    >>> fit_from_distribution({"610910": 0.6, "610990": 0.3, "420221": 0.1}, "6109100010")
    {2: 0.9, 4: 0.9, 6: 0.6}
    >>> fit_from_distribution({"610910": 6.0, "610990": 3.0, "420221": 1.0}, "6109100010")
    {2: 0.9, 4: 0.9, 6: 0.6}
    >>> fit_from_distribution({}, "6109100010")
    {2: 0.0, 4: 0.0, 6: 0.0}
    """
    chapter, heading, subheading = declared[:2], declared[:4], declared[:6]
    total = in_chapter = in_heading = in_subheading = 0.0
    for c, p in distribution.items():  # one pass: every item of a batch is checked
        total += p
        if c[:2] == chapter:
            in_chapter += p
            if c[:4] == heading:
                in_heading += p
                if c[:6] == subheading:
                    in_subheading += p
    if total <= 0:
        return dict.fromkeys(WEIGHTS, 0.0)
    return {
        2: round(in_chapter / total, 6),
        4: round(in_heading / total, 6),
        6: round(in_subheading / total, 6),
    }


def check_consistency(
    model: SuggestionModel, description: str, declared_code: str, *, better: int = 3
) -> ConsistencyResult:
    """Score in [0, 1] for how well ``description`` fits ``declared_code``, with better codes."""
    result = model.suggest(description, k=max(better, 5))
    return _judge(model, description, declared_code, result, better)


def _judge(
    model: SuggestionModel,
    description: str,
    declared_code: str,
    result: SuggestionResult,
    better: int,
) -> ConsistencyResult:
    code = hs_digits(declared_code)
    if result.abstained:
        return ConsistencyResult(
            description,
            code,
            None,
            {},
            (),
            ("description too vague to judge the code", *result.reasons, *result.missing),
        )
    fit = fit_from_distribution(model.code_scores(description, normalised=result.normalised), code)
    usable = {d: v for d, v in fit.items() if len(code) >= d}
    weight = sum(WEIGHTS[d] for d in usable)
    score = sum(WEIGHTS[d] * v for d, v in usable.items()) / weight
    n = min(6, len(code))
    better_codes = tuple(s for s in result.suggestions if s.code[:n] != code[:n])[:better]
    reasons = [
        f"declared chapter {code[:2]} holds {fit[2]:.0%} of the model's belief",
        f"declared heading {code[:4]}: {fit[4]:.0%}",
    ]
    if len(code) >= 6:
        reasons.append(f"declared subheading {code[:6]}: {fit[6]:.0%}")
    if better_codes and score < LOW_FIT:
        best = better_codes[0]
        title = best.path[-1].description if best.path else ""
        reasons.append(f"description fits {best.code} better ({title})")
    return ConsistencyResult(description, code, round(score, 6), fit, better_codes, tuple(reasons))


def check_consistency_many(
    model: SuggestionModel,
    items: Sequence[tuple[str, str]],
    *,
    better: int = 3,
    brief: bool = False,
) -> list[ConsistencyResult]:
    """:func:`check_consistency` for many (description, declared code) pairs.

    The descriptions are scored together; each check then reads the model's cache. ``brief``
    better codes carry their own nomenclature node only (what an item finding keeps).
    """
    results = model.suggest_many([d for d, _ in items], k=max(better, 5), brief=brief)
    return [_judge(model, d, c, r, better) for (d, c), r in zip(items, results, strict=True)]
