"""Name matching as named, weighted features that explain themselves (nomenklatura's style).

Two names are cut into parts (:mod:`customhouse.screening.names`), parts are aligned one to one
whatever their order, each aligned pair gets a similarity (equal, same sound, initial, or edit
distance), and the pairs are summed with the weight of each part, so a rare family name counts more
than ``al``, ``trading`` or ``company``. Ten such features go through a logistic model whose weights
were fitted on the shown benchmark pairs (``bench/screening_fit.py`` reproduces them); the result
is a score in [0, 1] and the list of (feature, weight, value, reason) that produced it.

>>> s = compare_names("Usama bin Laden", "LADEN, Osama ibn")
>>> s.score > 0.8
True
>>> compare_names("Igor Deripaska", "Oleg Deripaska").score < 0.8
True
>>> [f.name for f in s.features][:2]
['weakest_part', 'joined_similarity']
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA, Levenshtein

from customhouse.screening.names import NAME_WEIGHT, part_weight, phonetic, tokens

INITIAL_SIMILARITY = 0.7
PHONETIC_SIMILARITY = 0.85
# Below this a pair of parts is not the same part written differently.
ALIGN_FLOOR = 0.5


@dataclass(frozen=True, slots=True)
class Feature:
    """One line of a match explanation: weight x value adds to the log-odds of a match."""

    name: str
    weight: float
    value: float
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {
            "feature": self.name,
            "weight": round(self.weight, 4),
            "value": round(self.value, 4),
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class NameScore:
    score: float
    features: tuple[Feature, ...]

    def as_dict(self) -> dict[str, object]:
        return {"score": round(self.score, 4), "features": [f.as_dict() for f in self.features]}


@dataclass(frozen=True, slots=True)
class MatchModel:
    """Feature weights and intercept of the logistic model; the threshold decides a hit."""

    weights: dict[str, float]
    intercept: float
    threshold: float


# Fitted by bench/screening_fit.py (logistic regression, 5-fold cross-validation on the shown
# nomenklatura pairs; the intercept is shifted so the cross-validated threshold lands on 0.80).
DEFAULT_MODEL = MatchModel(
    weights={
        "weakest_part": 2.2959,
        "joined_similarity": 0.3862,
        "phonetic_agreement": 0.7427,
        "initials": -0.6371,
        "literal": 1.5941,
        "initial_conflict": -1.3535,
        "order_agreement": 0.9203,
        "acronym": 2.8595,
        "unmatched_parts": -2.4009,
    },
    intercept=-0.0156,
    threshold=0.80,
)
FEATURE_NAMES = tuple(DEFAULT_MODEL.weights)
# The direction each feature may push the score (the fit is constrained to these signs).
FEATURE_SIGNS = {
    name: -1
    if name in ("initials", "number_conflict", "initial_conflict", "unmatched_parts")
    else 1
    for name in FEATURE_NAMES
}


@lru_cache(maxsize=500_000)
def part_similarity(a: str, b: str) -> float:
    """How alike two name parts are, in [0, 1].

    >>> part_similarity("n", "nursultan"), part_similarity("scholz", "scholz")
    (0.7, 1.0)
    >>> part_similarity("usama", "osama") >= PHONETIC_SIMILARITY  # same sound
    True
    >>> part_similarity("ulster", "master") < ALIGN_FLOOR  # another word
    True
    """
    if a == b:
        return 1.0
    if len(a) == 1 or len(b) == 1:
        return INITIAL_SIMILARITY if a[0] == b[0] else 0.0
    if a.isdigit() or b.isdigit():
        return 0.0
    # Half relative, half absolute edit distance: a long name with one typo stays close, while
    # two short names a few letters apart (Luxon / Luxford) do not.
    edits = OSA.distance(a, b)
    sim = 0.5 * (1.0 - edits / max(len(a), len(b))) + 0.5 * max(0.0, 1.0 - 0.25 * edits)
    # Same sound lifts a near spelling (Osama / Usama); short keys collide too often (Lloyd / LET)
    # to count on their own.
    if sim >= ALIGN_FLOOR and min(len(a), len(b)) >= 4:
        pa = phonetic(a)
        if pa and pa == phonetic(b):
            return max(sim, PHONETIC_SIMILARITY)
    # Two edits and another first letter, not the same sound: another word (Ulster / Master),
    # not the same name part misspelt.
    if edits >= 2 and a[0] != b[0]:
        return min(sim, ALIGN_FLOOR / 2)
    return sim


def _is_acronym(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    """``PLA`` for People's Liberation Army (particles and legal forms may be skipped).

    >>> _is_acronym(("pla",), ("people", "s", "liberation", "army"))
    True
    """
    if len(short) != 1 or len(long) < 2 or len(short[0]) < 2:
        return False
    full = "".join(t[0] for t in long)
    strong = "".join(t[0] for t in long if part_weight(t) >= NAME_WEIGHT)
    return short[0] in (full, strong)


def _align(qt: tuple[str, ...], ct: tuple[str, ...]) -> list[tuple[int, int, float]]:
    """Greedy one-to-one alignment of parts, best and heaviest pairs first."""
    pairs = []
    for i, a in enumerate(qt):
        for j, b in enumerate(ct):
            sim = part_similarity(a, b)
            if sim >= ALIGN_FLOOR:
                pairs.append((sim * (part_weight(a) + part_weight(b)), sim, i, j))
    pairs.sort(reverse=True)
    used_q: set[int] = set()
    used_c: set[int] = set()
    out = []
    for _, sim, i, j in pairs:
        if i in used_q or j in used_c:
            continue
        used_q.add(i)
        used_c.add(j)
        out.append((i, j, sim))
    return out


def _merge_joined(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    """Join two neighbouring parts of ``b`` where ``a`` writes them as one (AlisherUsmanov).

    >>> _merge_joined(("ramimakhlouf",), ("rami", "makhlouf"))
    ('ramimakhlouf',)
    """
    if len(b) < 2:
        return b
    out = list(b)
    for k in range(len(out) - 1):
        pair = out[k] + out[k + 1]
        if len(out[k]) > 1 and len(out[k + 1]) > 1 and pair in a:
            return (*out[:k], pair, *out[k + 2 :])
    return b


REASONS = {
    "weakest_part": "similarity of the worst-matched real name part",
    "joined_similarity": "edit similarity of the names written without spaces",
    "phonetic_agreement": "share of real name parts that sound the same",
    "initials": "parts matched only as initials",
    "literal": "identical after normalisation",
    "initial_conflict": "initials with nothing they could stand for",
    "order_agreement": "share of aligned parts in the same order",
    "acronym": "one name is the initials of the other",
    "unmatched_parts": "real name parts with no counterpart (a third each, at most 1)",
}


def _values(qt: tuple[str, ...], ct: tuple[str, ...]) -> tuple[float, ...]:
    """Feature values in FEATURE_NAMES order (the hot path: no strings, no objects)."""
    ct = _merge_joined(qt, ct)
    qt = _merge_joined(ct, qt)
    if not qt or not ct:
        return (0.0,) * len(REASONS)
    qw = [part_weight(t) for t in qt]
    cw = [part_weight(t) for t in ct]
    aligned = _align(qt, ct)
    best_q = {i: s for i, _, s in aligned}
    best_c = {j: s for _, j, s in aligned}
    # The weakest real name part on the side that has fewer of them: one wrong given name
    # (Igor / Oleg Deripaska) must not be outvoted by a perfect family name.
    strong_q = [best_q.get(i, 0.0) for i, w in enumerate(qw) if w >= NAME_WEIGHT]
    strong_c = [best_c.get(j, 0.0) for j, w in enumerate(cw) if w >= NAME_WEIGHT]
    if strong_q and strong_c:
        weakest = min(strong_q if len(strong_q) <= len(strong_c) else strong_c)
    else:
        weakest = min([s for _, _, s in aligned], default=0.0)
    joined = max(
        Levenshtein.normalized_similarity("".join(qt), "".join(ct)),
        Levenshtein.normalized_similarity("".join(sorted(qt)), "".join(sorted(ct))),
    )
    pq = {phonetic(t) for t, w in zip(qt, qw, strict=True) if w >= NAME_WEIGHT} - {""}
    pc = {phonetic(t) for t, w in zip(ct, cw, strict=True) if w >= NAME_WEIGHT} - {""}
    union = pq | pc
    phon = len(pq & pc) / len(union) if union else 0.0
    initials = sum(1 for i, j, _ in aligned if len(qt[i]) == 1 or len(ct[j]) == 1)
    # An initial on one side with nothing it could stand for on the other: A. vs Nursultan.
    lone_initials = sum(1 for i, t in enumerate(qt) if len(t) == 1 and i not in best_q)
    lone_initials += sum(1 for j, t in enumerate(ct) if len(t) == 1 and j not in best_c)
    order = sorted((i, j) for i, j, _ in aligned)
    concordant = sum(1 for k in range(len(order) - 1) if order[k][1] < order[k + 1][1])
    in_order = concordant / (len(order) - 1) if len(order) > 1 else 1.0
    acronym = 1.0 if _is_acronym(qt, ct) or _is_acronym(ct, qt) else 0.0
    lost = len(strong_q) - sum(1 for v in strong_q if v) + len(strong_c)
    lost -= sum(1 for v in strong_c if v)
    return (
        weakest,
        float(joined),
        phon,
        min(1.0, initials / 2),
        1.0 if qt == ct else 0.0,
        min(1.0, lone_initials / 2),
        in_order,
        acronym,
        min(1.0, lost / 3),
    )


def name_features(query: str, candidate: str) -> dict[str, tuple[float, str]]:
    """Each feature's value in [0, 1] and its reason in words."""
    values = _values(tokens(query), tokens(candidate))
    return {n: (v, REASONS[n]) for n, v in zip(FEATURE_NAMES, values, strict=True)}


def name_values(query: tuple[str, ...], candidate: tuple[str, ...]) -> tuple[float, ...]:
    """Feature values of two names already cut into parts, in FEATURE_NAMES order (screening
    computes them once per candidate, then scores and explains from them)."""
    return _values(query, candidate)


def log_odds(values: tuple[float, ...], model: MatchModel = DEFAULT_MODEL) -> float:
    """The model's log-odds of a match for these feature values."""
    weights = model.weights
    return model.intercept + sum(
        weights.get(n, 0.0) * v for n, v in zip(FEATURE_NAMES, values, strict=True)
    )


def explain(values: tuple[float, ...], model: MatchModel = DEFAULT_MODEL) -> NameScore:
    """The score with its reasons: every feature that moved the log-odds, with its weight."""
    by_name = dict(zip(FEATURE_NAMES, values, strict=True))
    z = model.intercept
    feats = []
    for name, weight in model.weights.items():
        value = by_name[name]
        if not value:
            continue  # adds nothing to the log-odds: keep the explanation short
        z += weight * value
        feats.append(Feature(name, weight, value, REASONS[name]))
    return NameScore(1.0 / (1.0 + math.exp(-z)), tuple(feats))


def name_score(query: str, candidate: str, model: MatchModel = DEFAULT_MODEL) -> float:
    """The score of :func:`compare_names` without its explanation (for screening's first pass)."""
    z = log_odds(_values(tokens(query), tokens(candidate)), model)
    return 1.0 / (1.0 + math.exp(-z))


def compare_names(query: str, candidate: str, model: MatchModel = DEFAULT_MODEL) -> NameScore:
    """Score in [0, 1] that ``candidate`` names the same party as ``query``, with its reasons."""
    return explain(_values(tokens(query), tokens(candidate)), model)
