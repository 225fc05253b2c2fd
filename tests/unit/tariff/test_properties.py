"""Invariants of the duty engine (Hypothesis)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from customhouse.tariff.engine import ItemInput, assess
from customhouse.tariff.evaluation import ChargeBasis, evaluate
from customhouse.tariff.expressions import parse
from customhouse.tariff.models import Geography, Measure, MeasureType, Profile, Tariff
from customhouse.tariff.units import Quantities
from customhouse.valuation.engine import convert
from customhouse.valuation.models import Money
from customhouse.valuation.rates import FixedRates

money = st.decimals(min_value=Decimal("0"), max_value=Decimal("10000000"), places=2)
qty = st.decimals(min_value=Decimal("0"), max_value=Decimal("100000"), places=3)
rate = st.decimals(min_value=Decimal("0"), max_value=Decimal("400"), places=2)
EXPRESSIONS = [
    "6.5%", "4.4 cents/kg", "30.5 cents/kg + 8.5%", "Free",
    "16.50 % / Retail Price + 244.78 GBP / 1000 p/st MIN 320.90 GBP / 1000 p/st",
    "9.10% MAX 1.00% + 0.90 GBP / 100 kg", "13.80 % MIN 13.00 GBP / 100 kg",
    "3.6606 cents/kg less 0.020668 cents/kg for each degree under 100 degrees "
    "(and fractions of a degree in proportion) but not less than 3.143854 cents/kg",
]  # fmt: skip


def _ctx(value: Decimal, kg: Decimal, currency: str = "GBP") -> ChargeBasis:
    return ChargeBasis(
        currency=currency,
        customs_value=value,
        quantities=Quantities({"kg": kg, "item": kg}, {"polarimetric_degrees": Decimal("80")}),
        basis_values={"retail price": value},
        convert=lambda amount, ccy: amount,
    )


@given(st.sampled_from(EXPRESSIONS), money, qty)
def test_no_negative_duty(text: str, value: Decimal, kg: Decimal) -> None:
    assert evaluate(parse(text), _ctx(value, kg)).amount >= 0


@given(rate, money, st.integers(min_value=1, max_value=50))
def test_ad_valorem_scales_with_value(pct: Decimal, value: Decimal, k: int) -> None:
    e = parse(f"{pct}%")
    one = evaluate(e, _ctx(value, Decimal(0))).amount
    assert evaluate(e, _ctx(value * k, Decimal(0))).amount == one * k


@given(money, qty)
def test_min_and_max_bounds_hold(value: Decimal, kg: Decimal) -> None:
    mn = evaluate(parse("13.80 % MIN 13.00 GBP / 100 kg"), _ctx(value, kg)).amount
    assert mn >= Decimal("13.00") * kg / 100
    mx = evaluate(parse("9.10% MAX 1.00% + 0.90 GBP / 100 kg"), _ctx(value, kg)).amount
    assert mx <= value * Decimal("0.01") + Decimal("0.90") * kg / 100


@settings(max_examples=50)
@given(st.lists(st.tuples(money, qty), min_size=1, max_size=5))
def test_lines_add_up_to_total(rows: list[tuple[Decimal, Decimal]]) -> None:
    t = Tariff(Profile("p", "GBP"))
    t.add(
        Measure(
            "m",
            MeasureType.THIRD_COUNTRY,
            "01",
            Geography.erga_omnes(),
            parse("10.20 % + 93.10 GBP / 100 kg"),
        )
    )
    t.add(
        Measure(
            "v", MeasureType.VAT, "01", Geography.erga_omnes(), parse("20 %"), vat_rate="standard"
        )
    )
    items = [ItemInput(i, "0102", "AR", v, quantities={"kg": q}) for i, (v, q) in enumerate(rows)]
    a = assess(items, t, dt.date(2025, 1, 1))
    assert a.total == sum(x.amount for x in a.lines)
    assert a.duty + a.excise + a.vat == a.total
    assert all(x.amount >= 0 for x in a.lines)


@given(money, st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000"), places=4))
def test_conversion_is_consistent(amount: Decimal, r: Decimal) -> None:
    rates = FixedRates({("EUR", "GBP"): r})
    at = dt.date(2025, 1, 1)
    there, used = convert(Money(amount, "EUR"), "GBP", rates, at)
    assert there == amount * used
    assert convert(Money(amount, "GBP"), "GBP", rates, at)[0] == amount
    back, _ = convert(Money(there, "GBP"), "EUR", rates, at)
    assert abs(back - amount) <= Decimal("1e-20") * max(Decimal(1), amount)
