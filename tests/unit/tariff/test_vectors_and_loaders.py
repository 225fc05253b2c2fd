from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from customhouse.tariff.engine import ItemInput, assess
from customhouse.tariff.loaders import RateStrings, load_uk, load_us
from customhouse.tariff.vectors import check_vectors

BUNDLED = (
    Path(__file__).resolve().parents[3]
    / "src"
    / "customhouse"
    / "data"
    / "tariff"
    / "us_hts8_rates.csv.gz"
)


def test_all_shared_vectors_pass(shared_data: Path) -> None:
    report = check_vectors(shared_data / "duty-vectors")
    assert report["failed"] == 0, report["failures"][:3]
    assert report["passed"] >= 300


def test_every_us_rate_string_parses() -> None:
    report = RateStrings()
    tariff = load_us(BUNDLED, report)
    assert len(tariff.lines) > 12000
    assert len(report.texts) > 20000
    assert report.failures == []


def test_uk_fixture_assessment_matches_calculator_case(shared_data: Path) -> None:
    tariff = load_uk(shared_data / "uk-tariff-measures" / "uk")
    item = ItemInput(
        1, "1516209821", "CA", Decimal("10000.00"), quantities={"kg@biodiesel": Decimal("5000")}
    )
    a = assess([item], tariff, dt.date(2025, 6, 1))
    assert [x.amount for x in a.lines if x.tax == "duty"] == [
        Decimal("1090.00"),
        Decimal("720.50"),
        Decimal("991.65"),
    ]
    assert a.vat == Decimal("2560.43")
    assert a.total == Decimal("5362.58")
    assert any(r.document and "9120" in r.document for r in a.requirements)
