"""Reference data: shipped files, snapshot lookups, and loading into a database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.orm import Session

from customhouse.reference import (
    SET_NAMES,
    RateNotFound,
    ReferenceDataMissing,
    ReferenceSnapshot,
    UnknownRateSource,
    UnknownReferenceSet,
    load_reference,
    loaders,
    shipped_snapshot,
)
from customhouse.reference import tables as t
from customhouse.storage.base import Base

D2024 = date(2024, 3, 15)


@pytest.fixture(scope="module")
def snap() -> ReferenceSnapshot:
    return shipped_snapshot()


def test_shipped_counts_match_the_sources() -> None:
    hs2022 = loaders.hs_entries(loaders.HS2022)
    hs2017 = loaders.hs_entries(loaders.HS2017)
    assert [sum(1 for e in hs2022 if e.level == n) for n in (2, 4, 6)] == [97, 1229, 5613]
    assert [sum(1 for e in hs2017 if e.level == n) for n in (2, 4, 6)] == [97, 1223, 5388]
    assert len(loaders.hs_sections()) == 2 * 21
    # 5,613 HS 2022 subheadings, 370 of them new in 2022 (SOURCE.md).
    assert len(loaders.hs_correlation(hs2022, hs2017)) == 5613 - 370
    assert len(loaders.locodes()) == 44526
    assert {r.currency for r in loaders.hmrc_rates()} >= {"EUR", "USD", "JPY"}


def test_ecb_series_agrees_with_ecb_rows() -> None:
    series = loaders.ecb_series()
    rows = loaders.ecb_rates()
    assert sum(len(days) for days, _ in series.values()) == len(rows)
    usd = [r for r in rows if r.currency == "USD"]
    assert series["USD"][1][-1] == max(usd, key=lambda r: r.valid_from).rate == Decimal("1.1252")


def test_countries_currencies_and_eu(snap: ReferenceSnapshot) -> None:
    assert snap.is_country("DE") and not snap.is_country("XX") and not snap.is_country("de")
    assert snap.is_currency("EUR") and not snap.is_currency("EUX")
    assert snap.currency_minor_unit("EUR") == 2
    assert snap.currency_minor_unit("JPY") == 0
    assert snap.currency_minor_unit("KWD") == 3
    assert snap.is_eu_member("HR", date(2013, 7, 1)) and not snap.is_eu_member(
        "HR", date(2013, 6, 30)
    )
    assert snap.is_eu_member("GB", date(2020, 1, 31)) and not snap.is_eu_member(
        "GB", date(2020, 2, 1)
    )
    assert not snap.is_eu_member("CH", D2024)


def test_commodity_validity_follows_the_edition(snap: ReferenceSnapshot) -> None:
    # 851713 (smartphones) is new in HS 2022; 851712 was split and is gone.
    assert snap.commodity_valid("851713", D2024)
    assert snap.commodity_valid("8517130000", D2024)
    assert not snap.commodity_valid("851713", date(2021, 12, 31))
    assert snap.commodity_valid("851712", date(2021, 12, 31))
    assert not snap.commodity_valid("851712", date(2022, 1, 1))
    assert not snap.commodity_valid("010121", date(2016, 12, 31))
    for bad in ("8517", "8517130", "85171300000", "8517.13", "85171３"):
        assert not snap.commodity_valid(bad, D2024)
    assert snap.commodity_description("85171300", D2024) == (
        "Telephone sets; smartphones for cellular or other wireless networks"
    )
    assert snap.commodity_description("851713", date(2020, 1, 1)) is None
    assert snap.hs_description("85") is not None
    assert len(snap.hs6_codes(D2024)) == 5613
    assert len(snap.hs6_codes(date(2019, 1, 1))) == 5388
    assert snap.hs6_codes(date(2000, 1, 1)) == frozenset()
    assert snap.hs2017_for("010121") == "010121"
    assert snap.hs2017_for("851713") is None


def test_locodes_known_covered_and_unverifiable(snap: ReferenceSnapshot) -> None:
    assert snap.is_locode("NLRTM") and snap.locode_known("NLRTM")
    assert snap.locode_country_covered("NL")
    assert not snap.is_locode("NLZZ9")  # NL is covered, so an unlisted code is wrong
    assert not snap.locode_country_covered("US")
    assert snap.is_locode("USNYC") and not snap.locode_known("USNYC")  # not covered: accepted
    assert not snap.is_locode("QQABC")
    assert not snap.is_locode("USNY")
    assert not snap.is_locode("US ny")


def test_ecb_rates_and_cross_rates(snap: ReferenceSnapshot) -> None:
    usd_per_eur = Decimal("1.1252")  # 2025-05-09
    assert snap.rate("EUR", "USD", date(2025, 5, 9)) == usd_per_eur
    # A Sunday uses the Friday before.
    quote = snap.quote("EUR", "USD", date(2025, 5, 11))
    assert quote.rate == usd_per_eur and quote.rate_date == date(2025, 5, 9)
    assert snap.rate("USD", "EUR", date(2025, 5, 9)) == Decimal(1) / usd_per_eur
    gbp_per_usd = snap.rate("USD", "GBP", date(2025, 5, 9))
    assert abs(gbp_per_usd - Decimal("0.8477") / usd_per_eur) < Decimal("1e-20")
    assert snap.rate("JPY", "JPY", D2024) == 1
    with pytest.raises(RateNotFound) as excinfo:
        snap.rate("EUR", "USD", date(2025, 6, 30))  # after the data ends
    assert excinfo.value.code == "reference.RateNotFound"
    with pytest.raises(RateNotFound):
        snap.rate("CYP", "EUR", D2024)  # discontinued 2008
    with pytest.raises(RateNotFound):
        snap.rate("EUR", "USD", date(1998, 12, 31))
    with pytest.raises(UnknownRateSource):
        snap.rate("EUR", "USD", D2024, source="FED")


def test_hmrc_monthly_rates(snap: ReferenceSnapshot) -> None:
    q = snap.quote("GBP", "AED", date(2020, 1, 17), source="HMRC")
    assert q.rate == Decimal("4.8012") and q.rate_date == date(2020, 1, 1)
    assert snap.rate("AED", "GBP", date(2020, 2, 29), source="HMRC") == Decimal(1) / Decimal("4.82")
    with pytest.raises(RateNotFound):
        snap.rate("GBP", "EUR", date(2024, 1, 1), source="HMRC")
    assert set(snap.rates_source_version) == {"ECB", "HMRC"}


@settings(max_examples=50, deadline=None)
@given(
    a=st.sampled_from(["EUR", "USD", "GBP", "JPY", "CHF"]),
    b=st.sampled_from(["EUR", "USD", "GBP", "JPY", "CHF"]),
    day=st.dates(date(2000, 1, 3), date(2025, 5, 9)),
)
def test_cross_rates_are_reciprocal(snap: ReferenceSnapshot, a: str, b: str, day: date) -> None:
    try:
        there = snap.rate(a, b, day)
    except RateNotFound:
        return
    back = snap.rate(b, a, day)
    assert abs(there * back - 1) < Decimal("1e-20")


# database --------------------------------------------------------------------------------


def _engines() -> Iterator[tuple[Engine, str | None]]:
    yield create_engine("sqlite://"), None
    url = os.environ.get("CUSTOMHOUSE_TEST_POSTGRES_URL")
    if url:
        yield create_engine(url), f"ref_test_{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    if request.param == "sqlite":
        eng = create_engine("sqlite://")
        Base.metadata.create_all(eng, tables=_tables())
        yield eng
        eng.dispose()
        return
    url = os.environ.get("CUSTOMHOUSE_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("CUSTOMHOUSE_TEST_POSTGRES_URL not set")
    schema = f"ref_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    eng = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    Base.metadata.create_all(eng, tables=_tables())
    try:
        yield eng
    finally:
        eng.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _tables() -> list:  # type: ignore[type-arg]
    return [
        m.__table__
        for m in (
            t.ReferenceSetRow,
            t.HsSectionRow,
            t.HsNomenclatureRow,
            t.HsCorrelationRow,
            t.CountryRow,
            t.CountryGroupRow,
            t.CurrencyRow,
            t.ExchangeRateRow,
            t.LocodeRow,
        )
    ]


def test_empty_database_has_no_snapshot(engine: Engine) -> None:
    with Session(engine) as session:
        session.execute(t.ReferenceSetRow.__table__.delete())
        with pytest.raises(ReferenceDataMissing):
            ReferenceSnapshot.from_session(session)


def test_load_is_idempotent_and_snapshot_matches_files(
    engine: Engine, snap: ReferenceSnapshot
) -> None:
    seen: list[str] = []
    with Session(engine) as session:
        first = load_reference(session, progress=lambda name, n: seen.append(name))
        session.commit()
    assert seen == list(SET_NAMES)
    with Session(engine) as session:
        # Reloading replaces rows. ECB is left out to keep the test fast: it shares the
        # delete-then-insert path of HMRC, which is reloaded.
        again = [name for name in SET_NAMES if name != "ecb_rates"]
        second = load_reference(session, sets=again)
        session.commit()
        assert second == {name: first[name] for name in again}
        assert session.scalar(select(func.count()).select_from(t.ExchangeRateRow)) == (
            first["ecb_rates"] + first["hmrc_rates"]
        )
        assert session.scalar(select(func.count()).select_from(t.ReferenceSetRow)) == len(SET_NAMES)
        db = ReferenceSnapshot.from_session(session)
    assert first["hs2022"] == 6939 and first["locodes"] == 44526
    assert db.hs6_codes(D2024) == snap.hs6_codes(D2024)
    assert db.commodity_valid("851712", date(2021, 1, 1))
    assert db.is_locode("NLRTM") and not db.is_locode("NLZZ9")
    assert db.is_eu_member("GB", date(2019, 1, 1)) and not db.is_eu_member("GB", D2024)
    assert db.currency_minor_unit("JPY") == 0
    for day in (date(2025, 5, 9), date(2010, 7, 4), D2024):
        assert db.rate("USD", "GBP", day) == snap.rate("USD", "GBP", day)
    assert db.rate("GBP", "USD", date(2022, 5, 2), "HMRC") == Decimal(
        str(snap.rate("GBP", "USD", date(2022, 5, 2), "HMRC"))
    )
    assert db.rates_source_version == snap.rates_source_version


def test_load_a_subset_and_refuse_unknown_sets(engine: Engine) -> None:
    with Session(engine) as session:
        assert load_reference(session, sets=["currencies"]) == {"currencies": 178}
        with pytest.raises(UnknownReferenceSet):
            load_reference(session, sets=["tariffs"])
        session.rollback()


def test_data_dir_is_inside_the_package() -> None:
    assert loaders.DATA_DIR.parts[-3:] == ("customhouse", "data", "reference")
    assert (loaders.DATA_DIR / "NOTICE.md").is_file()
    assert isinstance(loaders.DATA_DIR, Path)
