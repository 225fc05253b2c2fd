"""Fit the name-matching model's weights and fix its threshold on the SHOWN benchmark pairs.

Procedure (fixed before any hidden pair is seen):
1. Features from customhouse.screening.matching.name_features for every shown pair.
2. Logistic regression with an L2 penalty (lambda = 1 / n) and SIGN CONSTRAINTS: a feature that
   measures agreement may only raise the score, a penalty only lower it (FEATURE_SIGNS), so no
   explanation ever says "more alike, hence less likely". Fitted with scipy's L-BFGS-B.
3. Threshold: 5-fold stratified cross-validation repeated 5 times with fixed seeds; in each fold
   the model is fitted on 4/5 and the F1-best probability threshold is picked on those training
   pairs only; the median of the 25 thresholds is the decision threshold.
4. The intercept is shifted by logit(0.80) - logit(threshold) so the decision lands on the
   configured 0.80 (a monotone re-scaling: no pair changes side).
Prints one JSON object: weights, intercept, out-of-fold F1 and the thresholds.

    .venv/bin/python bench/screening_fit.py [PAIRS.csv]
"""

from __future__ import annotations

import csv
import json
import math
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from sklearn.metrics import f1_score
from sklearn.model_selection import RepeatedStratifiedKFold

from customhouse.screening.matching import FEATURE_NAMES, FEATURE_SIGNS, name_features

DEFAULT = (
    Path(__file__).resolve().parents[2]
    / "shared/data/sanctions-name-matching/nomenklatura_name_pairs.csv"
)
TARGET = 0.80


def fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    n, k = x.shape
    lam = 0.1 / n
    yy = y.astype(float)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[:k], theta[k]
        z = x @ w + b
        p = 1.0 / (1.0 + np.exp(-z))
        eps = 1e-12
        ll = -np.mean(yy * np.log(p + eps) + (1 - yy) * np.log(1 - p + eps)) + lam * w @ w
        g = x.T @ (p - yy) / n
        return float(ll), np.concatenate([g + 2 * lam * w, [np.mean(p - yy)]])

    bounds = [(0, None) if FEATURE_SIGNS[f] > 0 else (None, 0) for f in FEATURE_NAMES]
    res = minimize(
        loss, np.zeros(k + 1), jac=True, method="L-BFGS-B", bounds=[*bounds, (None, None)]
    )
    return res.x[:k], float(res.x[k])


def proba(x: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-(x @ w + b))))


def best_threshold(p: np.ndarray, y: np.ndarray) -> float:
    grid = np.linspace(0.05, 0.95, 181)
    f1s = [f1_score(y, p >= t) for t in grid]
    return float(grid[int(np.argmax(f1s))])


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    x = np.array(
        [[name_features(r["name1"], r["name2"])[n][0] for n in FEATURE_NAMES] for r in rows]
    )
    y = np.array([r["is_match"].strip().lower() == "true" for r in rows])
    thresholds, oof_f1 = [], []
    cv = RepeatedStratifiedKFold(n_splits=5, n_repeats=5, random_state=7)
    for train, test in cv.split(x, y):
        w, b = fit(x[train], y[train])
        t = best_threshold(proba(x[train], w, b), y[train])
        thresholds.append(t)
        oof_f1.append(f1_score(y[test], proba(x[test], w, b) >= t))
    threshold = float(np.median(thresholds))
    w, b = fit(x, y)
    shift = math.log(TARGET / (1 - TARGET)) - math.log(threshold / (1 - threshold))
    out = {
        "pairs": len(rows),
        "weights": {n: round(float(v), 4) for n, v in zip(FEATURE_NAMES, w, strict=True)},
        "intercept": round(b + shift, 4),
        "cv_threshold_probability": round(threshold, 4),
        "cv_thresholds_range": [round(min(thresholds), 4), round(max(thresholds), 4)],
        "cv_f1_out_of_fold_mean": round(float(np.mean(oof_f1)), 4),
        "cv_f1_out_of_fold_std": round(float(np.std(oof_f1)), 4),
        "decision_threshold": TARGET,
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
