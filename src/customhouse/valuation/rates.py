"""Exchange rates: the protocol the engines take, and two small providers.

The reference layer supplies the official tables (ECB, HMRC); engines only see ``rate()``.

>>> rates = FixedRates({("EUR", "USD"): Decimal("1.0850")})
>>> rates.rate("EUR", "USD", dt.date(2025, 1, 2))
Decimal('1.0850')
>>> rates.rate("USD", "USD", dt.date(2025, 1, 2))
Decimal('1')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from customhouse.valuation.errors import RateNotFound


class RateProvider(Protocol):
    """Units of ``to_ccy`` for one unit of ``from_ccy`` valid at ``at``."""

    def rate(self, from_ccy: str, to_ccy: str, at: dt.date) -> Decimal: ...


class FixedRates:
    """Rates that do not depend on the date (tests, estimates with a quoted rate)."""

    def __init__(self, rates: Mapping[tuple[str, str], Decimal]) -> None:
        self._rates = dict(rates)

    def rate(self, from_ccy: str, to_ccy: str, at: dt.date) -> Decimal:
        if from_ccy == to_ccy:
            return Decimal(1)
        if (from_ccy, to_ccy) in self._rates:
            return self._rates[(from_ccy, to_ccy)]
        if (to_ccy, from_ccy) in self._rates:
            return Decimal(1) / self._rates[(to_ccy, from_ccy)]
        raise RateNotFound(f"no rate {from_ccy}->{to_ccy}", {"from": from_ccy, "to": to_ccy})


@dataclass(frozen=True, slots=True)
class MonthlyRate:
    from_ccy: str
    to_ccy: str
    rate: Decimal
    valid_from: dt.date
    operation_date: dt.date | None = None


class MonthlyRateTable:
    """Monthly rates (HMRC, the EU's monthly euro rates): the rate of the date's month.

    Without a rate for that month, ``lookup`` falls back to the latest month (what the UK duty
    calculator does when no import date is known).
    """

    def __init__(self, rates: Iterable[MonthlyRate]) -> None:
        self._rates = sorted(rates, key=lambda r: r.valid_from)

    def lookup(self, from_ccy: str, to_ccy: str, at: dt.date | None) -> MonthlyRate:
        pair = [r for r in self._rates if r.from_ccy == from_ccy and r.to_ccy == to_ccy]
        if not pair:
            raise RateNotFound(f"no rate {from_ccy}->{to_ccy}", {"from": from_ccy, "to": to_ccy})
        if at is not None:
            for r in pair:
                if (r.valid_from.year, r.valid_from.month) == (at.year, at.month):
                    return r
        return pair[-1]

    def rate(self, from_ccy: str, to_ccy: str, at: dt.date) -> Decimal:
        if from_ccy == to_ccy:
            return Decimal(1)
        return self.lookup(from_ccy, to_ccy, at).rate
