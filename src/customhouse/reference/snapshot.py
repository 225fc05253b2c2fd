"""An immutable in-memory view of the reference data for the validation pipeline.

Built once per run (from the shipped files or from the database) and then only read: every
lookup is a set or dict hit (rates: a binary search over one currency's dates). No clock, no
I/O after construction; dates are always passed in.
"""

from __future__ import annotations

import functools
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Context, Decimal
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from customhouse.reference import loaders
from customhouse.reference.errors import RateNotFound, ReferenceDataMissing, UnknownRateSource
from customhouse.reference.models import (
    Country,
    Currency,
    Edition,
    ExchangeRate,
    GroupMembership,
    HsCorrelation,
    HsEntry,
    Locode,
)

# Division context fixed here so results never depend on the caller's decimal context.
_CONTEXT = Context(prec=28)
_ONE = Decimal(1)
RATE_SOURCES = ("ECB", "HMRC")
# A daily ECB rate older than this (long holiday, discontinued currency) is not used.
ECB_MAX_AGE_DAYS = 7
# XZ: UN/LOCODE's pseudo-country for installations in international waters.
_LOCODE_EXTRA_COUNTRIES = frozenset({"XZ"})


class RateQuote(NamedTuple):
    """A rate with where it came from: ``amount_in_to = amount_in_from * rate``."""

    from_currency: str
    to_currency: str
    rate: Decimal
    source: str
    rate_date: date  # the ECB day or the first day of the HMRC month used


@dataclass(frozen=True, slots=True, eq=False)
class ReferenceSnapshot:
    """Read-only lookups over countries, currencies, HS editions, LOCODEs and rates.

    Build with :meth:`from_files`, :func:`shipped_snapshot` (cached) or :meth:`from_session`.
    The mappings inside are never mutated after construction.
    """

    countries: frozenset[str]
    currencies: Mapping[str, int | None]
    editions: tuple[Edition, ...]
    versions: Mapping[str, str]
    _eu: Mapping[str, tuple[tuple[date, date | None], ...]]
    _hs6: Mapping[str, frozenset[str]]
    _descriptions: Mapping[str, Mapping[str, str]]
    _correlation: Mapping[str, str]
    _locodes: frozenset[str]
    _locode_countries: frozenset[str]
    _ecb: Mapping[str, tuple[list[int], list[Decimal]]]
    _hmrc: Mapping[tuple[str, int, int], Decimal]

    # construction ------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        *,
        countries: Iterable[Country],
        memberships: Iterable[GroupMembership],
        currencies: Iterable[Currency],
        hs: Iterable[HsEntry],
        correlation: Iterable[HsCorrelation],
        locodes: Iterable[Locode],
        rates: Iterable[ExchangeRate],
        versions: Mapping[str, str],
        ecb_series: Mapping[str, tuple[list[int], list[Decimal]]] | None = None,
    ) -> ReferenceSnapshot:
        """Assemble a snapshot from plain rows (the one path both constructors share)."""
        eu: dict[str, list[tuple[date, date | None]]] = defaultdict(list)
        for m in memberships:
            if m.group == "EU":
                eu[m.country].append((m.valid_from, m.valid_to))
        hs6: dict[str, set[str]] = defaultdict(set)
        descriptions: dict[str, dict[str, str]] = defaultdict(dict)
        editions: dict[str, Edition] = {}
        for e in hs:
            editions.setdefault(e.edition, Edition(e.edition, e.valid_from, e.valid_to))
            descriptions[e.edition][e.code] = e.description
            if e.level == 6:
                hs6[e.edition].add(e.code)
        ecb: dict[str, list[tuple[int, Decimal]]] = defaultdict(list)
        hmrc: dict[tuple[str, int, int], Decimal] = {}
        for r in rates:
            if r.source == "ECB":
                ecb[r.currency].append((r.valid_from.toordinal(), r.rate))
            elif r.source == "HMRC":
                hmrc[(r.currency, r.valid_from.year, r.valid_from.month)] = r.rate
        series: dict[str, tuple[list[int], list[Decimal]]] = dict(ecb_series or {})
        for ccy, points in ecb.items():
            points.sort()
            series[ccy] = ([p[0] for p in points], [p[1] for p in points])
        locode_set = frozenset(loc.code for loc in locodes)
        return cls(
            countries=frozenset(c.alpha2 for c in countries),
            currencies={c.code: c.minor_unit for c in currencies},
            editions=tuple(sorted(editions.values(), key=lambda e: e.valid_from, reverse=True)),
            versions=dict(versions),
            _eu={k: tuple(v) for k, v in eu.items()},
            _hs6={k: frozenset(v) for k, v in hs6.items()},
            _descriptions=dict(descriptions),
            _correlation={c.from_code: c.to_code for c in correlation},
            _locodes=locode_set,
            _locode_countries=frozenset(code[:2] for code in locode_set),
            _ecb=series,
            _hmrc=hmrc,
        )

    @classmethod
    def from_files(cls, data_dir: Path = loaders.DATA_DIR) -> ReferenceSnapshot:
        """Build from the files shipped in the package (a few tenths of a second; see
        :func:`shipped_snapshot` for a cached one)."""
        hs2022 = loaders.hs_entries(loaders.HS2022, data_dir)
        hs2017 = loaders.hs_entries(loaders.HS2017, data_dir)
        return cls.build(
            countries=loaders.countries(),
            memberships=loaders.eu_membership(),
            currencies=loaders.currencies(),
            hs=hs2022 + hs2017,
            correlation=loaders.hs_correlation(hs2022, hs2017),
            locodes=loaders.locodes(data_dir),
            rates=loaders.hmrc_rates(data_dir),
            versions={name: info.version for name, info in loaders.SETS.items()},
            ecb_series=loaders.ecb_series(data_dir),
        )

    @classmethod
    def from_session(cls, session: Session) -> ReferenceSnapshot:
        """Build from the reference tables (after ``load_reference``)."""
        from customhouse.reference import tables as t

        query = select(t.ReferenceSetRow.name, t.ReferenceSetRow.version)
        versions = dict(session.execute(query).all())
        if not versions:
            raise ReferenceDataMissing("no reference data loaded; run `customhouse reference load`")
        return cls.build(
            countries=(
                Country(*r)
                for r in session.execute(
                    select(
                        t.CountryRow.alpha2,
                        t.CountryRow.alpha3,
                        t.CountryRow.numeric,
                        t.CountryRow.name,
                    )
                )
            ),
            memberships=(
                GroupMembership(*r)
                for r in session.execute(
                    select(
                        t.CountryGroupRow.group_code,
                        t.CountryGroupRow.country,
                        t.CountryGroupRow.valid_from,
                        t.CountryGroupRow.valid_to,
                    )
                )
            ),
            currencies=(
                Currency(*r)
                for r in session.execute(
                    select(
                        t.CurrencyRow.code,
                        t.CurrencyRow.numeric,
                        t.CurrencyRow.name,
                        t.CurrencyRow.minor_unit,
                    )
                )
            ),
            hs=(
                HsEntry(*r)
                for r in session.execute(
                    select(
                        t.HsNomenclatureRow.edition,
                        t.HsNomenclatureRow.code,
                        t.HsNomenclatureRow.level,
                        t.HsNomenclatureRow.parent,
                        t.HsNomenclatureRow.section,
                        t.HsNomenclatureRow.description,
                        t.HsNomenclatureRow.valid_from,
                        t.HsNomenclatureRow.valid_to,
                    )
                )
            ),
            correlation=(
                HsCorrelation(*r)
                for r in session.execute(
                    select(
                        t.HsCorrelationRow.from_edition,
                        t.HsCorrelationRow.from_code,
                        t.HsCorrelationRow.to_edition,
                        t.HsCorrelationRow.to_code,
                        t.HsCorrelationRow.relation,
                    )
                )
            ),
            locodes=(
                Locode(code, code[:2], "", "", "", "")
                for code in session.scalars(select(t.LocodeRow.code))
            ),
            rates=(
                ExchangeRate(r[0], r[1], r[2], r[3], r[4], _tidy(r[5]))
                for r in session.execute(
                    select(
                        t.ExchangeRateRow.source,
                        t.ExchangeRateRow.base,
                        t.ExchangeRateRow.currency,
                        t.ExchangeRateRow.valid_from,
                        t.ExchangeRateRow.valid_to,
                        t.ExchangeRateRow.rate,
                    )
                )
            ),
            versions=versions,
        )

    # countries and currencies ------------------------------------------------------------

    def is_country(self, code: str) -> bool:
        """ISO 3166-1 alpha-2 country code (current list)."""
        return code in self.countries

    def is_eu_member(self, country: str, at: date) -> bool:
        """Whether ``country`` is in the EU customs union on ``at`` (GB until 2020-01-31)."""
        for start, end in self._eu.get(country, ()):
            if start <= at and (end is None or at < end):
                return True
        return False

    def is_currency(self, code: str) -> bool:
        """ISO 4217 currency code (current list)."""
        return code in self.currencies

    def currency_minor_unit(self, code: str) -> int | None:
        """Decimals of the currency (2 for EUR, 0 for JPY, 3 for KWD; None for XAU).

        Raises KeyError for an unknown currency: check :meth:`is_currency` first.
        """
        return self.currencies[code]

    # locations ----------------------------------------------------------------------------

    def is_locode(self, code: str) -> bool:
        """Whether ``code`` (compact, e.g. 'NLRTM') may be a UN/LOCODE.

        The shipped list is the 2014 edition for countries A..N only. A code of a country in
        that list must be in it; a well-formed code of any other ISO country (e.g. 'USNYC',
        'SGSIN') is accepted, since nothing says it is wrong: see :meth:`locode_known` and
        :meth:`locode_country_covered` to tell the two apart (and warn on the second).
        """
        if code in self._locodes:
            return True
        country = code[:2]
        return (
            len(code) == 5
            and country not in self._locode_countries
            and (country in self.countries or country in _LOCODE_EXTRA_COUNTRIES)
            and code.isascii()
            and code[2:].isalnum()
            and code[2:].upper() == code[2:]
        )

    def locode_known(self, code: str) -> bool:
        """Whether ``code`` is in the shipped list itself."""
        return code in self._locodes

    def locode_country_covered(self, country: str) -> bool:
        """Whether the shipped list covers ``country`` (so its unknown codes are errors)."""
        return country in self._locode_countries

    # commodity codes ----------------------------------------------------------------------

    def edition_at(self, at: date) -> Edition | None:
        """The HS edition in force on ``at`` (None before 2017-01-01)."""
        for edition in self.editions:
            if edition.valid_from <= at and (edition.valid_to is None or at < edition.valid_to):
                return edition
        return None

    def commodity_valid(self, code: str, at: date) -> bool:
        """A compact 6, 8 or 10 digit code whose HS6 prefix is a subheading on ``at``.

        National digits beyond the sixth (CN, TARIC, UK) are not checked.
        """
        if len(code) not in (6, 8, 10) or not (code.isascii() and code.isdigit()):
            return False
        edition = self.edition_at(at)
        return edition is not None and code[:6] in self._hs6[edition.name]

    def commodity_description(self, code: str, at: date) -> str | None:
        """The description of the code's HS6 subheading on ``at`` (None if not valid)."""
        edition = self.edition_at(at)
        if edition is None or not self.commodity_valid(code, at):
            return None
        return self._descriptions[edition.name].get(code[:6])

    def hs_description(self, code: str, edition: str = "HS2022") -> str | None:
        """The description of a chapter (2), heading (4) or subheading (6) of ``edition``."""
        return self._descriptions.get(edition, {}).get(code)

    def hs6_codes(self, at: date) -> frozenset[str]:
        """Every HS subheading valid on ``at`` (empty before 2017)."""
        edition = self.edition_at(at)
        return self._hs6[edition.name] if edition is not None else frozenset()

    def hs2017_for(self, hs2022_code: str) -> str | None:
        """The HS 2017 subheading with the same code (None for the 370 codes new in 2022)."""
        return self._correlation.get(hs2022_code[:6])

    # exchange rates -----------------------------------------------------------------------

    @property
    def rates_source_version(self) -> dict[str, str]:
        """The version of each rate source, to record beside a conversion."""
        return {
            "ECB": self.versions.get("ecb_rates", ""),
            "HMRC": self.versions.get("hmrc_rates", ""),
        }

    def _ecb_per_eur(self, ccy: str, at: date) -> tuple[Decimal, date]:
        if ccy == "EUR":
            return _ONE, at
        series = self._ecb.get(ccy)
        if series is not None:
            days, values = series
            ordinal = at.toordinal()
            i = bisect_right(days, ordinal) - 1
            if i >= 0 and ordinal - days[i] <= ECB_MAX_AGE_DAYS:
                return values[i], date.fromordinal(days[i])
        raise RateNotFound(
            f"no ECB rate for {ccy} on or within {ECB_MAX_AGE_DAYS} days before {at}",
            {"currency": ccy, "at": at.isoformat(), "source": "ECB"},
        )

    def _hmrc_per_gbp(self, ccy: str, at: date) -> Decimal:
        if ccy == "GBP":
            return _ONE
        rate = self._hmrc.get((ccy, at.year, at.month))
        if rate is None:
            raise RateNotFound(
                f"no HMRC rate for {ccy} in {at:%Y-%m}",
                {"currency": ccy, "at": at.isoformat(), "source": "HMRC"},
            )
        return rate

    def quote(self, from_ccy: str, to_ccy: str, at: date, source: str = "ECB") -> RateQuote:
        """The rate to convert ``from_ccy`` into ``to_ccy`` on ``at``, with its provenance.

        ECB: the latest daily rate on or before ``at`` (at most 7 days old), crossed through
        EUR. HMRC: the rate of ``at``'s month, crossed through GBP.
        """
        if source == "ECB":
            to_rate, to_day = self._ecb_per_eur(to_ccy, at)
            from_rate, from_day = self._ecb_per_eur(from_ccy, at)
            day = min(to_day, from_day)
        elif source == "HMRC":
            to_rate = self._hmrc_per_gbp(to_ccy, at)
            from_rate = self._hmrc_per_gbp(from_ccy, at)
            day = at.replace(day=1)
        else:
            raise UnknownRateSource(f"unknown rate source {source}", {"known": list(RATE_SOURCES)})
        if from_ccy == to_ccy:
            return RateQuote(from_ccy, to_ccy, _ONE, source, day)
        rate = to_rate if from_rate == _ONE else _CONTEXT.divide(to_rate, from_rate)
        return RateQuote(from_ccy, to_ccy, rate, source, day)

    def rate(self, from_ccy: str, to_ccy: str, at: date, source: str = "ECB") -> Decimal:
        """``amount_in_to = amount_in_from * rate``; raises RateNotFound if there is none."""
        return self.quote(from_ccy, to_ccy, at, source).rate


def _tidy(value: Decimal) -> Decimal:
    """Drop the trailing zeros a Numeric column adds (0.8477000000 -> 0.8477)."""
    normal = value.normalize()
    return normal.quantize(_ONE) if normal.as_tuple().exponent > 0 else normal  # type: ignore[operator]


@functools.cache
def shipped_snapshot() -> ReferenceSnapshot:
    """The snapshot of the shipped files, built once per process."""
    return ReferenceSnapshot.from_files()
