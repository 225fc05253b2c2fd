from __future__ import annotations

from decimal import Decimal

import pytest

from customhouse.tariff.errors import (
    DuplicateDutyExpression,
    InvalidMeasurementUnit,
    InvalidMonetaryUnit,
    QualifierNotPermittedForUnit,
    UnparsableExpression,
)
from customhouse.tariff.expressions import ParseOptions, Per, parse


def test_compound_us_cents() -> None:
    e = parse("2.6¢/kg + 4.3%")
    assert [c.kind for c in e.components] == ["specific", "ad_valorem"]
    assert e.components[0].amount == Decimal("0.026")
    assert e.components[0].per == Per(Decimal(1), "kg")
    assert e.components[1].rate_percent == Decimal("4.3")


@pytest.mark.parametrize(
    ("text", "amount", "currency", "per"),
    [
        ("EUR 12.50 / 100 kg", "12.50", "EUR", (100, "kg")),
        ("$1.21/doz.", "1.21", "USD", (1, "doz")),
        ("18.9 cents/pf.liter", "0.189", "USD", (1, "pf_l")),
        ("9.27 GBP / l alc. 100%", "9.27", "GBP", (1, "lpa")),
        ("$3/head", "3", "USD", (1, "head")),
        ("$1.58/pr.", "1.58", "USD", (1, "pr")),
        ("4 cents each", "0.04", "USD", (1, "item")),
        ("$1.15/1,000", "1.15", "USD", (1000, "item")),
        ("244.78 GBP / 1000 p/st", "244.78", "GBP", (1000, "item")),
    ],
)
def test_specific_units(text: str, amount: str, currency: str, per: tuple[int, str]) -> None:
    c = parse(text).components[0]
    assert (c.amount, c.currency) == (Decimal(amount), currency)
    assert c.per == Per(Decimal(per[0]), per[1])


def test_drained_weight_qualifier() -> None:
    c = parse("22 cents/kg on drained weight + 45%").components[0]
    assert c.qualifier == "drained weight"
    assert parse("10 EUR / 100 kg/net eda").components[0].qualifier == "drained weight"


def test_min_max_clauses() -> None:
    e = parse("16.50 % / Retail Price + 244.78 GBP / 1000 p/st MIN 320.90 GBP / 1000 p/st")
    assert e.operator == "sum_min_max"
    assert e.components[-1].kind == "minimum"
    e = parse("9.10% MAX 1.00% + 0.90 GBP / 100 kg")
    assert e.components[1].kind == "maximum" and len(e.components[1].parts) == 2


def test_free_and_text() -> None:
    assert parse("Free, under bond").free
    assert parse("0.00 %").free
    t = parse("The rate applicable to the natural juice in heading 2009")
    assert not t.computable and t.operator == "text"


def test_errors_carry_text_and_position() -> None:
    with pytest.raises(UnparsableExpression) as exc:
        parse("5.5% + 100 EUR / foobar")
    assert isinstance(exc.value, InvalidMeasurementUnit)
    assert exc.value.position == 17
    assert exc.value.text == "5.5% + 100 EUR / foobar"
    assert exc.value.code == "tariff.InvalidMeasurementUnit"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("100 DEF", InvalidMonetaryUnit),
        ("1.0 EUR / kg / lactic.", QualifierNotPermittedForUnit),
        ("10% + 10% + 10% + 10% + 10% + 10%", DuplicateDutyExpression),
        ("invalid duty", UnparsableExpression),
        ("", UnparsableExpression),
    ],
)
def test_invalid(text: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        parse(text)


def test_au_preferences_and_stages() -> None:
    e = parse("5% DCS4% CAFree From1July2019 Free", ParseOptions(dollar="AUD"))
    assert [p.codes for p in e.preferential] == [("DCS",), ("CA",)]
    assert e.staging[0].start == "2019-07-01" and e.staging[0].free


def test_sugar_adjustment() -> None:
    e = parse(
        "3.6606 cents/kg less 0.020668 cents/kg for each degree under 100 degrees "
        "(and fractions of a degree in proportion) but not less than 3.143854 cents/kg"
    )
    assert [c.kind for c in e.components] == ["specific", "adjustment", "minimum"]


def test_reference() -> None:
    e = parse("The duty rate provided in such subheading minus 0.5%")
    assert e.operator == "reference"
    assert e.components[1].sign == "-"
