"""Release times, the WCO Time Release Study measure: lodgement to release (pure).

>>> r = release_times([("green", "GB1", 0.0), ("green", "GB1", 10.0), ("red", "GB1", 100.0)])
>>> r["by_channel"]["green"]["median_minutes"], r["overall"]["p90_minutes"]
(5.0, 82.0)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not sorted_values:
        return 0.0
    pos = (len(sorted_values) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def summary(values: Iterable[float]) -> dict[str, Any]:
    v = sorted(values)
    return {
        "count": len(v),
        "median_minutes": round(percentile(v, 0.5), 2),
        "p90_minutes": round(percentile(v, 0.9), 2),
    }


def release_times(rows: Iterable[tuple[str, str, float]]) -> dict[str, Any]:
    """Median and 90th percentile per channel, per office and per (office, channel)."""
    by_channel: dict[str, list[float]] = defaultdict(list)
    by_office: dict[str, list[float]] = defaultdict(list)
    by_both: dict[str, list[float]] = defaultdict(list)
    every: list[float] = []
    for channel, office, minutes in rows:
        by_channel[channel].append(minutes)
        by_office[office].append(minutes)
        by_both[f"{office}/{channel}"].append(minutes)
        every.append(minutes)
    return {
        "overall": summary(every),
        "by_channel": {k: summary(v) for k, v in sorted(by_channel.items())},
        "by_office": {k: summary(v) for k, v in sorted(by_office.items())},
        "by_office_channel": {k: summary(v) for k, v in sorted(by_both.items())},
    }
