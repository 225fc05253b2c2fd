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
        "aligned_similarity": 0.0,
        "query_coverage": 0.0,
        "candidate_coverage": 0.0,
        "weakest_part": 2.2962,
        "joined_similarity": 0.3861,
        "phonetic_agreement": 0.7423,
        "exact_parts": 0.0,
        "initials": -0.6376,
        "number_conflict": 0.0,
        "literal": 1.5938,
        "initial_conflict": -1.3534,
        "order_agreement": 0.9197,
        "acronym": 2.8584,
        "unmatched_parts": -2.4008,
        "single_part": 0.0,
    },
    intercept=-0.0149,
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
            sim = max(sim, PHONETIC_SIMILARITY)
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


def name_features(query: str, candidate: str) -> dict[str, tuple[float, str]]:
    """Each feature's value in [0, 1] and a reason in words."""
    qt, ct = tokens(query), tokens(candidate)
    ct = _merge_joined(qt, ct)
    qt = _merge_joined(ct, qt)
    if not qt or not ct:
        return dict.fromkeys(FEATURE_NAMES, (0.0, "empty name"))
    qw = [part_weight(t) for t in qt]
    cw = [part_weight(t) for t in ct]
    wq, wc = sum(qw), sum(cw)
    aligned = _align(qt, ct)
    got = sum((qw[i] + cw[j]) * s for i, j, s in aligned)
    q_cov = sum(qw[i] * s for i, _, s in aligned) / wq
    c_cov = sum(cw[j] * s for _, j, s in aligned) / wc

    # The weakest real name part on the side that has fewer of them: one wrong given name
    # (Igor / Oleg Deripaska) must not be outvoted by a perfect family name.
    best_q = {i: s for i, _, s in aligned}
    best_c = {j: s for _, j, s in aligned}
    strong_q = [best_q.get(i, 0.0) for i, w in enumerate(qw) if w >= NAME_WEIGHT]
    strong_c = [best_c.get(j, 0.0) for j, w in enumerate(cw) if w >= NAME_WEIGHT]
    shorter = min((strong_q, strong_c), key=len) if strong_q and strong_c else []
    weakest = min(shorter) if shorter else min([s for _, _, s in aligned], default=0.0)

    jq, jc = "".join(qt), "".join(ct)
    joined = max(
        Levenshtein.normalized_similarity(jq, jc),
        Levenshtein.normalized_similarity("".join(sorted(qt)), "".join(sorted(ct))),
    )
    pq = {phonetic(t) for t, w in zip(qt, qw, strict=True) if w >= NAME_WEIGHT} - {""}
    pc = {phonetic(t) for t, w in zip(ct, cw, strict=True) if w >= NAME_WEIGHT} - {""}
    phon = len(pq & pc) / len(pq | pc) if pq | pc else 0.0
    exact_short = [s == 1.0 for s in shorter]
    exact = sum(exact_short) / len(exact_short) if exact_short else 0.0
    initials = sum(1 for i, j, _ in aligned if len(qt[i]) == 1 or len(ct[j]) == 1)
    nq = {t for t in qt if t.isdigit()}
    nc = {t for t in ct if t.isdigit()}
    conflict = 1.0 if nq and nc and nq != nc else 0.0
    literal = 1.0 if qt == ct else 0.0
    n_al = len(aligned)
    # An initial on one side with nothing it could stand for on the other: A. vs Nursultan.
    lone_initials = sum(1 for i, t in enumerate(qt) if len(t) == 1 and i not in best_q) + sum(
        1 for j, t in enumerate(ct) if len(t) == 1 and j not in best_c
    )
    order = sorted((i, j) for i, j, _ in aligned)
    concordant = sum(1 for k in range(len(order) - 1) if order[k][1] < order[k + 1][1])
    in_order = concordant / (len(order) - 1) if len(order) > 1 else 1.0
    acronym = 1.0 if _is_acronym(qt, ct) or _is_acronym(ct, qt) else 0.0
    strong_pairs = sum(1 for i, j, _ in aligned if qw[i] >= NAME_WEIGHT and cw[j] >= NAME_WEIGHT)
    lost = sum(1 for i, w in enumerate(qw) if w >= NAME_WEIGHT and i not in best_q) + sum(
        1 for j, w in enumerate(cw) if w >= NAME_WEIGHT and j not in best_c
    )
    lone = 1.0 if strong_pairs <= 1 and lost >= 1 else 0.0
    return {
        "aligned_similarity": (got / (wq + wc), f"{n_al} parts aligned, weighted by rarity"),
        "query_coverage": (q_cov, "share of the screened name found in the listed name"),
        "candidate_coverage": (c_cov, "share of the listed name found in the screened name"),
        "weakest_part": (weakest, "similarity of the worst-matched real name part"),
        "joined_similarity": (float(joined), "edit similarity of the names written without spaces"),
        "phonetic_agreement": (phon, "share of name parts that sound the same"),
        "exact_parts": (exact, "share of real name parts spelt identically"),
        "initials": (min(1.0, initials / 2), f"{initials} parts matched only as initials"),
        "number_conflict": (conflict, "the names carry different numbers"),
        "literal": (literal, "identical after normalisation"),
        "initial_conflict": (
            min(1.0, lone_initials / 2),
            f"{lone_initials} initials left unmatched",
        ),
        "order_agreement": (in_order, "share of aligned parts in the same order"),
        "acronym": (acronym, "one name is the initials of the other"),
        "unmatched_parts": (min(1.0, lost / 3), f"{lost} real name parts with no counterpart"),
        "single_part": (lone, "only one real name part agrees while others do not"),
    }


def compare_names(query: str, candidate: str, model: MatchModel = DEFAULT_MODEL) -> NameScore:
    """Score in [0, 1] that ``candidate`` names the same party as ``query``, with its reasons."""
    values = name_features(query, candidate)
    z = model.intercept
    feats = []
    for name, weight in model.weights.items():
        if not weight:
            continue  # the fit found no use for it: keep the explanation short
        value, reason = values[name]
        z += weight * value
        feats.append(Feature(name, weight, value, reason))
    return NameScore(1.0 / (1.0 + math.exp(-z)), tuple(feats))
