"""Customs value of an item: transaction value (method 1) or an officer's decision (2 to 6).

>>> from customhouse.valuation.rates import FixedRates
>>> from customhouse.valuation.models import Adjustment
>>> inp = ValuationInput(price=Money(Decimal("1000"), "USD"), incoterm="FOB",
...     additions=(Adjustment("freight", Money(Decimal("120"), "USD")),
...                Adjustment("insurance", Money(Decimal("10"), "USD"))))
>>> cv = value_item(inp, ValuationProfile(Basis.CIF, "GBP"),
...                 FixedRates({("USD", "GBP"): Decimal("0.8")}), dt.date(2025, 3, 1))
>>> cv.amount, cv.method
(Decimal('904.00'), 1)
>>> cv = value_item(inp, ValuationProfile(Basis.FOB, "USD"),
...                 FixedRates({}), dt.date(2025, 3, 1))
>>> cv.amount
Decimal('1000.00')
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from customhouse.valuation.errors import InvalidValuation, JustificationRequired
from customhouse.valuation.models import (
    ADDITIONS,
    DEDUCTIONS,
    INCOTERMS,
    INSURANCE_IN_PRICE,
    MAIN_CARRIAGE_IN_PRICE,
    Basis,
    CustomsValue,
    Money,
    OfficerDecision,
    ValuationInput,
    ValuationLine,
    ValuationProfile,
)
from customhouse.valuation.rates import RateProvider

_CENT = Decimal("0.01")


def convert(money: Money, to_ccy: str, rates: RateProvider, at: dt.date) -> tuple[Decimal, Decimal]:
    """Amount in ``to_ccy`` (unrounded) and the rate used."""
    rate = rates.rate(money.currency, to_ccy, at)
    return money.amount * rate, rate


def value_item(
    inp: ValuationInput,
    profile: ValuationProfile,
    rates: RateProvider,
    at: dt.date,
    decision: OfficerDecision | None = None,
) -> CustomsValue:
    """Value one item at ``at`` (the date the official rate is taken for)."""
    if decision is not None:
        return _officer_value(decision, profile, rates, at)
    if inp.incoterm.upper() not in INCOTERMS:
        raise InvalidValuation(f"unknown incoterm {inp.incoterm!r}")
    if inp.price.amount < 0:
        raise InvalidValuation("the price paid or payable cannot be negative")
    if inp.related_parties and inp.relationship_influenced_price:
        raise InvalidValuation(
            "the relationship influenced the price: method 1 does not apply; an officer decides"
        )
    term = inp.incoterm.upper()
    ccy = profile.currency
    lines: list[ValuationLine] = []
    reasons: list[str] = [f"method 1 (transaction value), {profile.basis} basis, incoterm {term}"]
    warnings: list[str] = []
    amount, rate = convert(inp.price, ccy, rates, at)
    lines.append(ValuationLine("price paid or payable", amount, inp.price, rate, "Article 1"))
    total = amount
    kinds = {a.kind for a in inp.additions}
    for add in inp.additions:
        if add.kind not in ADDITIONS:
            raise InvalidValuation(f"{add.kind!r} is not an Article 8 addition")
        value, rate = convert(add.amount, ccy, rates, at)
        if add.kind in ("freight", "insurance", "loading"):
            if profile.basis is Basis.FOB:
                lines.append(
                    ValuationLine(add.kind, Decimal(0), add.amount, rate, "not added: FOB basis")
                )
                continue
            in_price = term in (
                INSURANCE_IN_PRICE if add.kind == "insurance" else MAIN_CARRIAGE_IN_PRICE
            )
            if in_price:
                lines.append(
                    ValuationLine(
                        add.kind, Decimal(0), add.amount, rate, f"already in the {term} price"
                    )
                )
                continue
        lines.append(ValuationLine(add.kind, value, add.amount, rate, "Article 8 addition"))
        total += value
    if profile.basis is Basis.CIF:
        if term not in MAIN_CARRIAGE_IN_PRICE and "freight" not in kinds:
            warnings.append(
                f"{term}: freight to the place of entry must be added and was not declared"
            )
        if term not in INSURANCE_IN_PRICE and "insurance" not in kinds:
            warnings.append(f"{term}: insurance to the place of entry was not declared")
    for ded in inp.deductions:
        if ded.kind not in DEDUCTIONS:
            raise InvalidValuation(f"{ded.kind!r} is not an allowed deduction")
        value, rate = convert(ded.amount, ccy, rates, at)
        lines.append(
            ValuationLine(ded.kind, -value, ded.amount, rate, "deduction, shown separately")
        )
        total -= value
    if profile.basis is Basis.FOB and term in MAIN_CARRIAGE_IN_PRICE:
        warnings.append(
            f"{term} price includes international freight: declare it as a deduction on a FOB basis"
        )
    if total < 0:
        raise InvalidValuation("deductions exceed the price")
    return CustomsValue(
        total.quantize(_CENT, rounding=ROUND_HALF_UP),
        ccy,
        1,
        tuple(lines),
        tuple(reasons),
        tuple(warnings),
    )


def _officer_value(
    decision: OfficerDecision, profile: ValuationProfile, rates: RateProvider, at: dt.date
) -> CustomsValue:
    if decision.method not in (2, 3, 4, 5, 6):
        raise InvalidValuation("an officer's decision uses method 2 to 6")
    if not decision.justification.strip():
        raise JustificationRequired(
            f"method {decision.method} needs a written justification", {"method": decision.method}
        )
    amount, rate = convert(decision.value, profile.currency, rates, at)
    line = ValuationLine(
        f"method {decision.method}", amount, decision.value, rate, decision.justification
    )
    return CustomsValue(
        amount.quantize(_CENT, rounding=ROUND_HALF_UP),
        profile.currency,
        decision.method,
        (line,),
        (
            f"method {decision.method} decided by {decision.officer or 'an officer'}:"
            f" {decision.justification}",
        ),
    )


def validate_value_parts(
    monetary_value: Decimal | None, shipping_cost: Decimal | None, insurance_cost: Decimal | None
) -> list[str]:
    """Fields in error for a duty-estimate value: the goods' value > 0, the others >= 0 or absent.

    >>> validate_value_parts(Decimal("0"), None, None)
    ['monetary_value']
    >>> validate_value_parts(Decimal("10"), Decimal("-1"), None)
    ['shipping_cost']
    """
    problems: list[str] = []
    if monetary_value is None or monetary_value <= 0:
        problems.append("monetary_value")
    if shipping_cost is not None and shipping_cost < 0:
        problems.append("shipping_cost")
    if insurance_cost is not None and insurance_cost < 0:
        problems.append("insurance_cost")
    return problems


def total_value(parts: list[Money]) -> Money:
    """Sum of amounts in one currency (customs value = goods + shipping + insurance)."""
    if not parts:
        raise InvalidValuation("nothing to add")
    ccys = {p.currency for p in parts}
    if len(ccys) != 1:
        raise InvalidValuation("convert the parts to one currency first")
    return Money(sum((p.amount for p in parts), Decimal(0)), parts[0].currency)
