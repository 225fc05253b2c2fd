"""Measuring suggestions honestly: top-k accuracy, and grouped cross-validation.

>>> hits = [(["610910", "610990"], "6109100010"), ([], "3402509000")]
>>> r = score(hits)
>>> r.top1["6"], r.top5["4"], r.abstained
(0.5, 0.5, 1)
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

import numpy as np
from sklearn.isotonic import IsotonicRegression

from customhouse.classification.engine import Calibration, Embedder, ModelConfig, SuggestionModel
from customhouse.classification.loaders import FPO_PARCEL, HMRC_SEARCH, VagueLists
from customhouse.classification.models import EvaluationReport, LabelledText, NomenclatureNode

DIGITS = (2, 4, 6)


def score(predictions: Iterable[tuple[Sequence[str], str]]) -> EvaluationReport:
    """Top-1 and top-5 accuracy at 2/4/6 digits; an empty prediction is an abstention (a miss)."""
    n = abstained = 0
    top1: dict[int, int] = defaultdict(int)
    top5: dict[int, int] = defaultdict(int)
    for codes, gold in predictions:
        n += 1
        if not codes:
            abstained += 1
            continue
        for d in DIGITS:
            top1[d] += codes[0][:d] == gold[:d]
            top5[d] += any(c[:d] == gold[:d] for c in codes[:5])
    return EvaluationReport(
        n,
        {str(d): round(top1[d] / n, 4) if n else 0.0 for d in DIGITS},
        {str(d): round(top5[d] / n, 4) if n else 0.0 for d in DIGITS},
        abstained,
    )


def gold_code(code: str) -> str:
    """A labelled code as digits; an odd length lost its leading zero in a spreadsheet.

    >>> gold_code("3055390"), gold_code("0305.53.90")
    ('03055390', '03055390')
    """
    digits = "".join(ch for ch in code if ch.isdigit())
    return "0" + digits if len(digits) % 2 else digits


def evaluate(model: SuggestionModel, rows: Iterable[tuple[str, str]]) -> EvaluationReport:
    """Score ``model`` on (description, code) rows."""
    rows = list(rows)
    results = model.suggest_many([text for text, _ in rows], k=5)
    return score((r.codes, gold_code(code)) for r, (_, code) in zip(results, rows, strict=True))


def fit_calibration(pairs: Sequence[tuple[float, bool]], points: int = 40) -> Calibration:
    """Isotonic map from score share to P(right at six digits), thinned to ``points`` knots."""
    if not pairs:
        return Calibration()
    x = np.array([s for s, _ in pairs])
    y = np.array([float(c) for _, c in pairs])
    # Never claim certainty: a description can always be misread.
    iso = IsotonicRegression(y_min=0.0, y_max=0.99, out_of_bounds="clip").fit(x, y)
    grid = np.unique(np.concatenate([[0.0, 1.0], np.quantile(x, np.linspace(0, 1, points))]))
    return Calibration(
        tuple(float(round(g, 4)) for g in grid),
        tuple(float(round(p, 4)) for p in iso.predict(grid)),
    )


def expected_calibration_error(pairs: Sequence[tuple[float, bool]], bins: int = 10) -> float:
    """Mean |confidence - accuracy| over equal-width bins, weighted by bin size."""
    if not pairs:
        return 0.0
    conf = np.array([c for c, _ in pairs])
    hit = np.array([float(h) for _, h in pairs])
    idx = np.minimum((conf * bins).astype(int), bins - 1)
    err = sum(
        abs(conf[idx == b].mean() - hit[idx == b].mean()) * (idx == b).sum()
        for b in range(bins)
        if (idx == b).any()
    )
    return round(float(err / len(pairs)), 4)


def cross_validate(
    texts: Sequence[LabelledText],
    nodes: Sequence[NomenclatureNode],
    vague: VagueLists,
    *,
    folds: int = 5,
    seed: int = 0,
    test_sources: Sequence[str] = (FPO_PARCEL, HMRC_SEARCH),
    calibrate_on: Sequence[str] = (FPO_PARCEL,),
    config: ModelConfig | None = None,
    calibration: Calibration | None = None,
    progress: Callable[[int], None] | None = None,
    embedder: Embedder | None = None,
    train_fraction: float = 1.0,
    fraction_of: Sequence[str] = (FPO_PARCEL,),
) -> tuple[dict[str, EvaluationReport], list[tuple[float, bool]], list[tuple[float, bool]]]:
    """Grouped k-fold CV cut the way the hold-out was: by distinct lower-cased description.

    A fold's test rows leave the training data, and so do every other row of a test source with
    the same lower-cased text; rows of other sources stay, as they do for the hold-out (it was
    cut from each file on its own). Returns reports per test source and "all", the (score share,
    right) pairs of every top-5 candidate (to fit a calibration) and the (confidence, right)
    pairs of the top candidate; both only for rows of ``calibrate_on`` (parcel texts read like
    declared descriptions; curated search terms are easier and would make it overconfident).

    ``train_fraction`` < 1 (a learning curve) trains on that share of the distinct texts of the
    ``fraction_of`` sources only, the same texts in every fold that has them and a smaller
    share a subset of a larger one; the other sources and the test rows are unchanged.
    """

    def key(t: LabelledText) -> str:
        return " ".join(t.text.lower().split())

    keys = sorted({key(t) for t in texts if t.source in test_sources})
    random.Random(seed).shuffle(keys)
    fold_of = {k: i % folds for i, k in enumerate(keys)}
    sampled = sorted({key(t) for t in texts if t.source in fraction_of})
    random.Random(seed + 1).shuffle(sampled)
    kept = set(sampled[: round(train_fraction * len(sampled))])
    per_source: dict[str, list[tuple[list[str], str]]] = defaultdict(list)
    shares: list[tuple[float, bool]] = []
    top_conf: list[tuple[float, bool]] = []
    for f in range(folds):
        held = [t.source in test_sources and fold_of[key(t)] == f for t in texts]
        train = [
            t
            for t, h in zip(texts, held, strict=True)
            if not h and (t.source not in fraction_of or key(t) in kept)
        ]
        test = [t for t, h in zip(texts, held, strict=True) if h]
        model = SuggestionModel.train(
            train, nodes, vague, config=config, calibration=calibration, embedder=embedder
        )
        for t, result in zip(test, model.suggest_many([t.text for t in test], k=5), strict=True):
            per_source[t.source].append((result.codes, t.code))
            per_source["all"].append((result.codes, t.code))
            if result.suggestions and t.source in calibrate_on:
                dist = model.distribution(t.text)
                for s in result.suggestions:
                    shares.append((dist.get(s.code, 0.0), s.code == t.code[:6]))
                best = result.suggestions[0]
                top_conf.append((best.confidence, best.code == t.code[:6]))
        if progress:
            progress(f)
    return {s: score(rows) for s, rows in per_source.items()}, shares, top_conf
