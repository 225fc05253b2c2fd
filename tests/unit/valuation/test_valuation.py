from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from customhouse.valuation.engine import value_item
from customhouse.valuation.errors import InvalidValuation, JustificationRequired
from customhouse.valuation.models import (
    Adjustment,
    Basis,
    Money,
    OfficerDecision,
    ValuationInput,
    ValuationProfile,
)
from customhouse.valuation.rates import FixedRates, MonthlyRate, MonthlyRateTable

AT = dt.date(2025, 3, 1)
RATES = FixedRates({("USD", "GBP"): Decimal("0.8")})


def usd(x: str) -> Money:
    return Money(Decimal(x), "USD")


def test_cif_basis_adds_freight_insurance_royalty_and_deducts() -> None:
    inp = ValuationInput(
        usd("1000"),
        "FOB",
        additions=(
            Adjustment("freight", usd("100")),
            Adjustment("insurance", usd("10")),
            Adjustment("royalty", usd("50")),
            Adjustment("assist", usd("40")),
        ),
        deductions=(Adjustment("post_entry_transport", usd("20")),),
    )
    cv = value_item(inp, ValuationProfile(Basis.CIF, "GBP"), RATES, AT)
    assert cv.amount == Decimal("944.00") and cv.method == 1
    assert cv.lines[0].label == "price paid or payable"


def test_cif_price_does_not_add_freight_twice() -> None:
    inp = ValuationInput(usd("1000"), "CIF", additions=(Adjustment("freight", usd("100")),))
    assert value_item(inp, ValuationProfile(Basis.CIF, "GBP"), RATES, AT).amount == Decimal(
        "800.00"
    )


def test_fob_basis_leaves_out_freight_and_warns_on_cif_price() -> None:
    inp = ValuationInput(usd("1000"), "CIF", additions=(Adjustment("freight", usd("100")),))
    cv = value_item(inp, ValuationProfile(Basis.FOB, "USD"), RATES, AT)
    assert cv.amount == Decimal("1000.00") and cv.warnings


def test_officer_methods_need_justification() -> None:
    inp = ValuationInput(usd("1"), "FOB")
    with pytest.raises(JustificationRequired):
        value_item(
            inp, ValuationProfile(Basis.CIF, "GBP"), RATES, AT, OfficerDecision(3, usd("500"), " ")
        )
    cv = value_item(
        inp,
        ValuationProfile(Basis.CIF, "GBP"),
        RATES,
        AT,
        OfficerDecision(3, usd("500"), "similar goods, entry 123"),
    )
    assert cv.method == 3 and cv.amount == Decimal("400.00")


def test_related_party_influence_rejects_method_1() -> None:
    with pytest.raises(InvalidValuation):
        value_item(
            ValuationInput(
                usd("1"), "FOB", related_parties=True, relationship_influenced_price=True
            ),
            ValuationProfile(Basis.CIF, "GBP"),
            RATES,
            AT,
        )


def test_monthly_table_falls_back_to_latest() -> None:
    table = MonthlyRateTable(
        [
            MonthlyRate("EUR", "GBP", Decimal("0.85"), dt.date(2021, 7, 1)),
            MonthlyRate("EUR", "GBP", Decimal("0.86"), dt.date(2021, 4, 1)),
        ]
    )
    assert table.rate("EUR", "GBP", dt.date(2021, 4, 15)) == Decimal("0.86")
    assert table.lookup("EUR", "GBP", None).rate == Decimal("0.85")
