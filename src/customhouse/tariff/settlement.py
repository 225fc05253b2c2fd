"""Settle duty, excise and VAT lines into totals under a named rounding rule.

VAT base = customs value + duties + excise.

>>> s = settle("GBP", Decimal("1200.00"), [Decimal("96")], [], Decimal("20"))
>>> s.duty, s.vat_base, s.vat, s.total
(Decimal('96.00'), Decimal('1296.00'), Decimal('259.20'), Decimal('355.20'))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from customhouse.tariff.money import RoundingRule, round_money


@dataclass(frozen=True, slots=True)
class Settlement:
    """Shown (rounded) figures and the exact figures behind them."""

    currency: str
    rule: RoundingRule
    duty_lines: tuple[Decimal, ...]
    excise_lines: tuple[Decimal, ...]
    duty: Decimal
    excise: Decimal
    vat_base: Decimal | None
    vat: Decimal | None
    total: Decimal
    duty_lines_unrounded: tuple[Decimal, ...]
    excise_lines_unrounded: tuple[Decimal, ...]
    duty_unrounded: Decimal
    excise_unrounded: Decimal
    vat_base_unrounded: Decimal | None
    vat_unrounded: Decimal | None
    total_unrounded: Decimal


def settle(
    currency: str,
    customs_value: Decimal | None,
    duty_lines: Sequence[Decimal],
    excise_lines: Sequence[Decimal],
    vat_rate_percent: Decimal | None,
    rule: RoundingRule = RoundingRule.PER_LINE_HALF_UP,
) -> Settlement:
    def r(x: Decimal) -> Decimal:
        return round_money(x, currency, rule)

    d_exact = tuple(duty_lines)
    e_exact = tuple(excise_lines)
    duty_u = sum(d_exact, Decimal(0))
    excise_u = sum(e_exact, Decimal(0))
    base_u: Decimal | None = None
    vat_u: Decimal | None = None
    if vat_rate_percent is not None:
        base_u = (customs_value or Decimal(0)) + duty_u + excise_u
        vat_u = base_u * vat_rate_percent / 100
    total_u = duty_u + excise_u + (vat_u or Decimal(0))
    if rule is RoundingRule.UNROUNDED_HALF_UP:
        return Settlement(
            currency,
            rule,
            tuple(r(x) for x in d_exact),
            tuple(r(x) for x in e_exact),
            r(duty_u),
            r(excise_u),
            None if base_u is None else r(base_u),
            None if vat_u is None else r(vat_u),
            r(total_u),
            d_exact,
            e_exact,
            duty_u,
            excise_u,
            base_u,
            vat_u,
            total_u,
        )
    d_round = tuple(r(x) for x in d_exact)
    e_round = tuple(r(x) for x in e_exact)
    duty = sum(d_round, Decimal(0))
    excise = sum(e_round, Decimal(0))
    vat_base: Decimal | None = None
    vat: Decimal | None = None
    if vat_rate_percent is not None:
        vat_base = (customs_value or Decimal(0)) + duty + excise
        vat = r(vat_base * vat_rate_percent / 100)
    total = duty + excise + (vat or Decimal(0))
    return Settlement(
        currency,
        rule,
        d_round,
        e_round,
        duty,
        excise,
        vat_base,
        vat,
        total,
        d_exact,
        e_exact,
        duty_u,
        excise_u,
        base_u,
        vat_u,
        total_u,
    )
