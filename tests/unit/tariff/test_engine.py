from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from customhouse.tariff.engine import ItemInput, Relief, ReliefKind, assess
from customhouse.tariff.expressions import parse
from customhouse.tariff.models import (
    Geography,
    Measure,
    MeasureType,
    Profile,
    Quota,
    QuotaBalances,
    Tariff,
    Validity,
)

AT = dt.date(2025, 3, 1)


def _tariff(de_minimis: Decimal = Decimal(0)) -> Tariff:
    t = Tariff(Profile("test", "GBP", duty_de_minimis=de_minimis))
    code = "0702000007"
    t.add(
        Measure(
            "mfn",
            MeasureType.THIRD_COUNTRY,
            code,
            Geography.erga_omnes(),
            parse("8.00 %"),
            legal_base="R1",
        )
    )
    t.add(
        Measure(
            "old",
            MeasureType.THIRD_COUNTRY,
            "07",
            Geography.erga_omnes(),
            parse("50 %"),
            Validity(None, dt.date(2021, 1, 1)),
        )
    )
    t.add(
        Measure(
            "pref-sg",
            MeasureType.PREFERENCE,
            code,
            Geography.country("SG"),
            parse("5.80 %"),
            preference_scheme="UK-SG",
        )
    )
    t.add(
        Measure(
            "quota",
            MeasureType.TARIFF_QUOTA,
            code,
            Geography.country("MA"),
            parse("0.00 %"),
            quota=Quota("051104", Decimal(1000), "kg"),
        )
    )
    t.add(
        Measure(
            "ad-x",
            MeasureType.ANTI_DUMPING,
            code,
            Geography.country("CN"),
            parse("10 %"),
            exporter="Acme Ltd",
        )
    )
    t.add(Measure("ad-res", MeasureType.ANTI_DUMPING, code, Geography.country("CN"), parse("30 %")))
    t.add(
        Measure(
            "vat",
            MeasureType.VAT,
            code,
            Geography.erga_omnes(),
            parse("20.00 %"),
            vat_rate="standard",
        )
    )
    t.add(
        Measure(
            "vat-r",
            MeasureType.VAT,
            code,
            Geography.erga_omnes(),
            parse("5.00 %"),
            vat_rate="reduced",
        )
    )
    t.add(Measure("ban", MeasureType.PROHIBITION, code, Geography.country("KP"), None))
    return t


def test_mfn_with_vat_and_validity() -> None:
    a = assess([ItemInput(1, "0702000007", "US", Decimal("1200.00"))], _tariff(), AT)
    assert [(x.measure_id, x.amount) for x in a.lines] == [
        ("mfn", Decimal("96.00")),
        ("vat", Decimal("259.20")),
    ]
    assert a.total == Decimal("355.20")


def test_preference_needs_proof() -> None:
    with_proof = ItemInput(
        1,
        "0702000007",
        "SG",
        Decimal("1234.56"),
        preference_claimed=True,
        proof_of_origin=True,
        vat_rate="reduced",
    )
    a = assess([with_proof], _tariff(), AT)
    assert a.lines[0].measure_id == "pref-sg" and a.lines[0].amount == Decimal("71.60")
    assert a.vat == Decimal("65.31")
    without = ItemInput(1, "0702000007", "SG", Decimal("1234.56"), preference_claimed=True)
    a = assess([without], _tariff(), AT)
    assert a.lines[0].measure_id == "mfn"
    assert "no valid proof of origin" in a.lines[0].reason


def test_quota_drawdown_is_a_decision() -> None:
    item = ItemInput(
        1,
        "0702000007",
        "MA",
        Decimal("1000"),
        quantities={"kg": Decimal("600")},
        quota_order_number="051104",
    )
    a = assess([item, item], _tariff(), AT, quotas=QuotaBalances({"051104": Decimal("1000")}))
    assert [x.measure_id for x in a.lines if x.tax == "duty"] == ["quota", "mfn"]
    assert len(a.drawdowns) == 1 and a.drawdowns[0].quantity == Decimal("600")
    assert "exhausted" in a.lines[2].reason


def test_anti_dumping_named_exporter_and_residual() -> None:
    named = assess(
        [ItemInput(1, "0702000007", "CN", Decimal("100"), exporter="ACME LTD")], _tariff(), AT
    )
    assert "ad-x" in [x.measure_id for x in named.lines] and "ad-res" not in [
        x.measure_id for x in named.lines
    ]
    other = assess(
        [ItemInput(1, "0702000007", "CN", Decimal("100"), exporter="Other Co")], _tariff(), AT
    )
    assert "ad-res" in [x.measure_id for x in other.lines]


def test_relief_needs_a_document() -> None:
    granted = assess(
        [
            ItemInput(
                1,
                "0702000007",
                "US",
                Decimal("1000"),
                relief=Relief(ReliefKind.DIPLOMATIC, "DIP-1"),
            )
        ],
        _tariff(),
        AT,
    )
    assert granted.total == 0
    refused = assess(
        [ItemInput(1, "0702000007", "US", Decimal("1000"), relief=Relief(ReliefKind.DIPLOMATIC))],
        _tariff(),
        AT,
    )
    assert refused.duty == Decimal("80.00")
    assert "not granted" in refused.lines[0].reason


def test_de_minimis_and_prohibition() -> None:
    a = assess([ItemInput(1, "0702000007", "KP", Decimal("100"))], _tariff(Decimal(135)), AT)
    assert a.duty == 0 and a.vat == Decimal("20.00")
    assert a.requirements and a.requirements[0].prohibited


def test_unknown_code_is_an_error() -> None:
    from customhouse.tariff.errors import NoApplicableMeasure

    with pytest.raises(NoApplicableMeasure):
        assess([ItemInput(1, "9999999999", "US", Decimal("1"))], _tariff(), AT)
