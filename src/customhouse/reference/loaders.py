"""Read the reference data shipped in ``customhouse/data/reference`` (and pycountry).

Every function returns plain rows (:mod:`customhouse.reference.models`); nothing touches a
database. The files are small gzipped CSVs written by :mod:`customhouse.reference.build`.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from importlib import metadata
from pathlib import Path

import pycountry

from customhouse.reference.minor_units import minor_unit
from customhouse.reference.models import (
    Country,
    Currency,
    Edition,
    ExchangeRate,
    GroupMembership,
    HsCorrelation,
    HsEntry,
    HsSection,
    Locode,
    ReferenceSetInfo,
)

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"

HS2022 = Edition("HS2022", date(2022, 1, 1), None)
HS2017 = Edition("HS2017", date(2017, 1, 1), date(2022, 1, 1))
EDITIONS: tuple[Edition, ...] = (HS2022, HS2017)

_PYCOUNTRY = metadata.version("pycountry")

SETS: dict[str, ReferenceSetInfo] = {
    s.name: s
    for s in (
        ReferenceSetInfo(
            "hs2022",
            "github.com/datasets/harmonized-system@905e5a0 (UN Comtrade HS descriptions)",
            "HS 2022 (datapackage 2022.0)",
            "ODC-PDDL-1.0",
        ),
        ReferenceSetInfo(
            "hs2017",
            "github.com/datasets/harmonized-system@a72bef2 (UN Comtrade HS descriptions)",
            "HS 2017",
            "ODC-PDDL-1.0",
        ),
        ReferenceSetInfo(
            "hs_correlation",
            "derived: HS 2022 subheadings whose code also exists in HS 2017",
            "same-code 2022->2017",
            "ODC-PDDL-1.0",
        ),
        ReferenceSetInfo("countries", "pycountry (ISO 3166-1)", _PYCOUNTRY, "LGPL-2.1 (data)"),
        ReferenceSetInfo(
            "currencies", "pycountry (ISO 4217) + ISO 4217 minor units", _PYCOUNTRY, "LGPL-2.1"
        ),
        ReferenceSetInfo(
            "ecb_rates",
            "ECB euro reference rates, eurofxref-hist (github.com/h0tbird/eurofxref@d21ffee)",
            "1999-01-04..2025-05-09",
            "ECB reuse policy, source: ECB",
        ),
        ReferenceSetInfo(
            "hmrc_rates",
            "HMRC monthly exchange rates (github.com/trade-tariff/trade-tariff-backend@45e3997)",
            "2020-01..2023-08",
            "OGL-3.0",
        ),
        ReferenceSetInfo(
            "locodes",
            "UN/LOCODE 2014, countries A..N only (github.com/datasets/un-locode@4e96833)",
            "2014 partial A..N",
            "ODC-PDDL-1.0",
        ),
    )
}

# EU membership (the customs union) by accession date; GB left on 2020-02-01. Changes rarely:
# keep here rather than in a file.
_EU_ACCESSIONS: dict[date, str] = {
    date(1958, 1, 1): "BE DE FR IT LU NL",
    date(1973, 1, 1): "DK IE GB",
    date(1981, 1, 1): "GR",
    date(1986, 1, 1): "ES PT",
    date(1995, 1, 1): "AT FI SE",
    date(2004, 5, 1): "CY CZ EE HU LT LV MT PL SI SK",
    date(2007, 1, 1): "BG RO",
    date(2013, 7, 1): "HR",
}
_EU_EXITS: dict[str, date] = {"GB": date(2020, 2, 1)}


def _read_gz(name: str, data_dir: Path = DATA_DIR) -> Iterator[list[str]]:
    with gzip.open(data_dir / name, "rt", encoding="utf-8", newline="") as f:
        reader = csv.reader(io.StringIO(f.read()))
        next(reader)  # header
        yield from reader


def hs_entries(edition: Edition, data_dir: Path = DATA_DIR) -> list[HsEntry]:
    """Chapters, headings and subheadings of ``edition``."""
    name = f"{edition.name.lower()}.csv.gz"
    return [
        HsEntry(
            edition.name,
            code,
            int(level),
            None if parent == "TOTAL" else parent,
            section,
            description,
            edition.valid_from,
            edition.valid_to,
        )
        for code, level, parent, section, description in _read_gz(name, data_dir)
    ]


def hs_sections(data_dir: Path = DATA_DIR) -> list[HsSection]:
    """The 21 HS sections, the same in both editions."""
    rows = list(_read_gz("hs_sections.csv.gz", data_dir))
    return [HsSection(e.name, section, name) for e in EDITIONS for section, name in rows]


def hs_correlation(
    hs2022: list[HsEntry] | None = None, hs2017: list[HsEntry] | None = None
) -> list[HsCorrelation]:
    """HS 2022 -> HS 2017 for every 2022 subheading whose code also exists in 2017.

    The 370 subheadings new in 2022 have no row: the full WCO correlation is not openly
    licensed in the shared data (see NOTICE.md).
    """
    new = hs2022 if hs2022 is not None else hs_entries(HS2022)
    old = {e.code for e in (hs2017 if hs2017 is not None else hs_entries(HS2017)) if e.level == 6}
    return [
        HsCorrelation("HS2022", e.code, "HS2017", e.code, "same_code")
        for e in new
        if e.level == 6 and e.code in old
    ]


def countries() -> list[Country]:
    """ISO 3166-1 countries from pycountry."""
    return [Country(c.alpha_2, c.alpha_3, c.numeric, c.name) for c in pycountry.countries]


def eu_membership() -> list[GroupMembership]:
    """Membership periods of the EU customs union."""
    return [
        GroupMembership("EU", cc, joined, _EU_EXITS.get(cc))
        for joined, codes in _EU_ACCESSIONS.items()
        for cc in codes.split()
    ]


def currencies() -> list[Currency]:
    """ISO 4217 currencies from pycountry with their minor units."""
    return [
        Currency(c.alpha_3, c.numeric, c.name, minor_unit(c.alpha_3)) for c in pycountry.currencies
    ]


def ecb_rates(data_dir: Path = DATA_DIR) -> list[ExchangeRate]:
    """ECB daily reference rates: units of currency per EUR, one row per published value."""
    rows = _read_gz("ecb_eurofxref.csv.gz", data_dir)
    with gzip.open(data_dir / "ecb_eurofxref.csv.gz", "rt", encoding="utf-8") as f:
        header = f.readline().strip().split(",")
    currencies = [c for c in header[1:] if c]
    out: list[ExchangeRate] = []
    append = out.append
    for row in rows:
        day = date.fromisoformat(row[0])
        for ccy, value in zip(currencies, row[1:], strict=False):
            if value and value != "N/A":
                append(ExchangeRate("ECB", "EUR", ccy, day, None, Decimal(value)))
    return out


def ecb_series(data_dir: Path = DATA_DIR) -> dict[str, tuple[list[int], list[Decimal]]]:
    """ECB rates per currency as (date ordinals ascending, units per EUR): the snapshot's form,
    read without building a row object per value (the file has 200,000 of them)."""
    with gzip.open(data_dir / "ecb_eurofxref.csv.gz", "rt", encoding="utf-8") as f:
        lines = f.read().splitlines()
    currencies = [c for c in lines[0].split(",")[1:] if c]
    days: dict[str, list[int]] = {c: [] for c in currencies}
    values: dict[str, list[Decimal]] = {c: [] for c in currencies}
    for line in reversed(lines[1:]):  # the file is newest first
        cells = line.split(",")
        ordinal = date.fromisoformat(cells[0]).toordinal()
        for ccy, value in zip(currencies, cells[1:], strict=False):
            if value and value != "N/A":
                days[ccy].append(ordinal)
                values[ccy].append(Decimal(value))
    return {c: (days[c], values[c]) for c in currencies if days[c]}


def hmrc_rates(data_dir: Path = DATA_DIR) -> list[ExchangeRate]:
    """HMRC monthly customs rates: units of currency per GBP, valid for one calendar month."""
    return [
        ExchangeRate(
            "HMRC",
            "GBP",
            ccy,
            date.fromisoformat(start),
            date.fromisoformat(until) + timedelta(days=1),
            Decimal(rate),
        )
        for ccy, start, until, rate in _read_gz("hmrc_monthly.csv.gz", data_dir)
    ]


def locodes(data_dir: Path = DATA_DIR) -> list[Locode]:
    """UN/LOCODE 2014 locations of countries A..N."""
    return [
        Locode(code, code[:2], name, subdivision, function, status)
        for code, name, subdivision, function, status in _read_gz("unlocode.csv.gz", data_dir)
    ]
