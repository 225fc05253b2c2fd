"""Named rounding rules for duty and tax amounts.

>>> round_money(Decimal("2.505"), "USD")
Decimal('2.51')
>>> round_money(Decimal("49.99995"), "USD")
Decimal('50.00')
>>> round_money(Decimal("2.509"), "GBP", RoundingRule.PER_LINE_FLOOR)
Decimal('2.50')
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from enum import StrEnum

from customhouse.tariff.units import minor_unit


class RoundingRule(StrEnum):
    """Where amounts are rounded.

    - ``per_line_half_up`` (default): each duty/excise line half-up to the currency minor unit,
      VAT on the rounded lines, rounded likewise; totals add rounded figures.
    - ``per_line_floor``: as above, rounding down (some administrations truncate).
    - ``unrounded_half_up``: nothing rounded inside the calculation; only the figures shown
      (lines, VAT base, VAT, totals) are rounded half-up (the UK online duty calculator).
    """

    PER_LINE_HALF_UP = "per_line_half_up"
    PER_LINE_FLOOR = "per_line_floor"
    UNROUNDED_HALF_UP = "unrounded_half_up"

    @property
    def decimal_mode(self) -> str:
        return ROUND_FLOOR if self is RoundingRule.PER_LINE_FLOOR else ROUND_HALF_UP


def round_money(
    amount: Decimal, currency: str, rule: RoundingRule = RoundingRule.PER_LINE_HALF_UP
) -> Decimal:
    """Round to the currency's minor unit with the rule's mode."""
    exponent = Decimal(1).scaleb(-minor_unit(currency))
    return amount.quantize(exponent, rounding=rule.decimal_mode)
