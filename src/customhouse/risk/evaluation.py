"""How well a ranking finds what controls find: precision, recall and duty recovered by rate.

Inspecting the top ``k`` % of declarations by score: precision is the share of those with a
finding, recall the share of all findings caught, and revenue recovered the share of the duty at
stake on findings that those inspections would have recovered.

>>> import numpy as np
>>> e = metrics(np.array([1, 0, 1, 0]), np.array([0.9, 0.8, 0.7, 0.1]), rates=(50,))
>>> e.precision_at[50], e.recall_at[50], e.auc
(0.5, 0.5, 0.75)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

DEFAULT_RATES: tuple[float, ...] = (1, 2, 5, 10)


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Figures of a ranking at chosen inspection rates (percent keys)."""

    rows: int
    findings: int
    auc: float
    precision_at: dict[float, float]
    recall_at: dict[float, float]
    revenue_recovered_at: dict[float, float] = field(default_factory=dict)
    revenue_total: float | None = None
    curve: tuple[tuple[float, float, float], ...] = ()  # (rate %, precision, recall)

    def as_dict(self) -> dict[str, Any]:
        def keyed(d: dict[float, float]) -> dict[str, float]:
            return {_rate_key(k): round(v, 6) for k, v in d.items()}

        out: dict[str, Any] = {
            "precision_at": keyed(self.precision_at),
            "recall_at": keyed(self.recall_at),
            "auc": round(self.auc, 6),
            "rows": self.rows,
            "findings": self.findings,
        }
        if self.revenue_recovered_at:
            out["revenue_recovered_at"] = keyed(self.revenue_recovered_at)
            out["revenue_total"] = self.revenue_total
        return out


def _rate_key(rate: float) -> str:
    return str(int(rate)) if float(rate).is_integer() else str(rate)


def roc_auc(y: npt.NDArray[np.int64], score: npt.NDArray[np.float64]) -> float:
    """Area under the ROC curve (ties share ranks); 0.5 when only one class is present.

    >>> roc_auc(np.array([0, 1, 0, 1]), np.array([0.1, 0.4, 0.45, 0.8]))
    0.75
    """
    positives = int(y.sum())
    negatives = len(y) - positives
    if positives == 0 or negatives == 0:
        return 0.5
    order = np.argsort(score, kind="mergesort")
    ranks = np.empty(len(score), dtype=np.float64)
    sorted_scores = score[order]
    # Average ranks over tied scores.
    _, first, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    avg = first + (counts + 1) / 2.0
    ranks[order] = np.repeat(avg, counts)
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def selected_count(rows: int, rate: float) -> int:
    """How many declarations an inspection rate of ``rate`` % selects (at least one).

    >>> selected_count(6770, 5)
    338
    """
    return max(1, int(rows * rate / 100))


def metrics(
    y: npt.NDArray[np.int64],
    score: npt.NDArray[np.float64],
    *,
    rates: Sequence[float] = DEFAULT_RATES,
    revenue: npt.NDArray[np.float64] | None = None,
    curve_points: int = 0,
) -> Evaluation:
    """Precision, recall (and revenue recovered) at each rate; ROC AUC over all rows."""
    y = np.asarray(y, dtype=np.int64)
    order = np.argsort(-np.asarray(score), kind="mergesort")
    hits = np.cumsum(y[order])
    total = int(y.sum())
    n = len(y)
    precision = {}
    recall = {}
    recovered = {}
    rev_cum = None
    rev_total = None
    if revenue is not None:
        caught = np.where(y == 1, revenue, 0.0)
        rev_cum = np.cumsum(caught[order])
        rev_total = float(caught.sum())
    for rate in rates:
        k = selected_count(n, rate)
        precision[rate] = float(hits[k - 1] / k) if n else 0.0
        recall[rate] = float(hits[k - 1] / total) if total else 0.0
        if rev_cum is not None and rev_total:
            recovered[rate] = float(rev_cum[k - 1] / rev_total)
    curve: list[tuple[float, float, float]] = []
    if curve_points and n:
        for rate in np.linspace(0.5, 100, curve_points):
            k = selected_count(n, float(rate))
            curve.append((float(rate), float(hits[k - 1] / k), float(hits[k - 1] / max(total, 1))))
    return Evaluation(
        rows=n,
        findings=total,
        auc=roc_auc(y, np.asarray(score, dtype=np.float64)),
        precision_at=precision,
        recall_at=recall,
        revenue_recovered_at=recovered,
        revenue_total=rev_total,
        curve=tuple(curve),
    )


def plot(evaluation: Evaluation, path: Path, *, title: str = "Risk model") -> None:
    """Write a PNG of precision and recall against inspection rate (matplotlib, Agg)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 4.5), dpi=110)
    ax = fig.subplots()
    rates = [c[0] for c in evaluation.curve]
    ax.plot(rates, [c[1] for c in evaluation.curve], label="precision")
    ax.plot(rates, [c[2] for c in evaluation.curve], label="recall")
    for rate, value in evaluation.precision_at.items():
        ax.annotate(
            f"{value:.2f}",
            (rate, value),
            textcoords="offset points",
            xytext=(0, 6),
            ha="center",
            fontsize=8,
        )
    ax.set_xscale("log")
    ax.set_xlabel("inspection rate (% of declarations, log scale)")
    ax.set_ylabel("share")
    ax.set_ylim(0, 1.05)
    ax.set_title(f"{title}: AUC {evaluation.auc:.3f}, {evaluation.rows} declarations")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="center left")
    fig.tight_layout()
    fig.savefig(str(path), format="png")
