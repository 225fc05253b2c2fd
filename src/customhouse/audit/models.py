"""Trader selection for audit after clearance and the limitation period (pure).

>>> s = select_traders([TraderActivity("GB1", 100, Decimal("5000"), 10, 4, 1),
...                     TraderActivity("GB2", 400, Decimal("100"), 20, 0, 0)], top=1)
>>> s[0].eori, s[0].reasons[0]
('GB1', '100 declarations released, duty 5000')
>>> within_limitation(dt.date(2022, 6, 1), dt.date(2025, 5, 31), years=3)
True
>>> within_limitation(dt.date(2022, 6, 1), dt.date(2025, 6, 2), years=3)
False
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class TraderActivity:
    eori: str
    released: int
    duty: Decimal
    controlled: int
    findings: int
    flagged: int  # released in the blue channel for audit


@dataclass(frozen=True)
class AuditCandidate:
    eori: str
    score: float
    reasons: tuple[str, ...]


def select_traders(activity: Sequence[TraderActivity], top: int = 10) -> list[AuditCandidate]:
    """Rank traders by revenue at stake (log of duty) times risk (smoothed finding rate,
    blue-channel flags); every score comes with its reasons."""
    out = []
    for a in activity:
        rate = (a.findings + 1) / (a.controlled + 10)  # smoothed towards 10%
        volume = math.log10(1 + float(a.duty))
        flags = 1 + min(a.flagged, 20) / 20
        reasons = (
            f"{a.released} declarations released, duty {a.duty}",
            f"{a.findings} finding(s) in {a.controlled} control(s) (smoothed rate {rate:.2f})",
            f"{a.flagged} declaration(s) released for audit",
        )
        out.append(AuditCandidate(a.eori, round(volume * rate * flags, 4), reasons))
    out.sort(key=lambda c: (-c.score, c.eori))
    return out[:top]


def within_limitation(released_on: dt.date, today: dt.date, years: int) -> bool:
    """A debt may be notified until the same day ``years`` later (exclusive)."""
    try:
        end = released_on.replace(year=released_on.year + years)
    except ValueError:  # 29 February
        end = released_on.replace(year=released_on.year + years, day=28)
    return today < end
