"""The tariff: commodity lines and the measures on them (pure dataclasses).

>>> erga = Geography.erga_omnes(excluded={"KP"})
>>> erga.covers("CN"), erga.covers("KP")
(True, False)
>>> Validity(dt.date(2025, 1, 1), dt.date(2025, 7, 1)).contains(dt.date(2025, 7, 1))
False
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from customhouse.tariff.expressions import DutyExpression, ParseOptions
from customhouse.tariff.money import RoundingRule


class MeasureType(StrEnum):
    THIRD_COUNTRY = "third_country"  # MFN / erga omnes duty
    COLUMN_2 = "column_2"  # US column 2 (non-normal trade relations)
    PREFERENCE = "preference"  # FTA / GSP: needs proof of origin
    TARIFF_QUOTA = "tariff_quota"  # in-quota rate; out of quota falls back
    ANTI_DUMPING = "anti_dumping"
    COUNTERVAILING = "countervailing"
    ADDITIONAL = "additional"  # retaliatory or safeguard, by origin
    SUSPENSION = "suspension"  # end-use / autonomous suspension (needs authorisation)
    EXCISE = "excise"
    VAT = "vat"
    PROHIBITION = "prohibition"
    RESTRICTION = "restriction"  # licence or certificate required
    SUPPLEMENTARY_UNIT = "supplementary_unit"


DUTY_TYPES = frozenset(
    {
        MeasureType.THIRD_COUNTRY,
        MeasureType.COLUMN_2,
        MeasureType.PREFERENCE,
        MeasureType.TARIFF_QUOTA,
        MeasureType.SUSPENSION,
    }
)
TRADE_DEFENCE = frozenset({MeasureType.ANTI_DUMPING, MeasureType.COUNTERVAILING})


@dataclass(frozen=True, slots=True)
class Validity:
    """From ``start`` (inclusive) to ``end`` (exclusive); None is open."""

    start: dt.date | None = None
    end: dt.date | None = None

    def contains(self, at: dt.date) -> bool:
        return (self.start is None or self.start <= at) and (self.end is None or at < self.end)


ALWAYS = Validity()


@dataclass(frozen=True, slots=True)
class Geography:
    """All countries, one country, or a group, less exclusions."""

    code: str
    members: frozenset[str] | None = None  # None = every country (erga omnes)
    excluded: frozenset[str] = frozenset()
    description: str = ""

    @classmethod
    def erga_omnes(cls, excluded: Iterable[str] = ()) -> Geography:
        return cls("1011", None, frozenset(excluded), "ERGA OMNES")

    @classmethod
    def country(cls, code: str) -> Geography:
        return cls(code, frozenset({code}))

    @classmethod
    def group(cls, code: str, members: Iterable[str], excluded: Iterable[str] = ()) -> Geography:
        return cls(code, frozenset(members), frozenset(excluded))

    def covers(self, country: str | None) -> bool:
        if country is None:
            return self.members is None and not self.excluded
        if country in self.excluded:
            return False
        return self.members is None or country in self.members


@dataclass(frozen=True, slots=True)
class Quota:
    """A tariff quota: the measure's rate applies in quota; ``out_of_quota`` past the balance."""

    order_number: str
    volume: Decimal
    unit: str
    out_of_quota: DutyExpression | None = None


@dataclass(frozen=True, slots=True)
class Measure:
    """One measure on a commodity code (and every code below it)."""

    id: str
    type: MeasureType
    commodity_code: str
    geography: Geography
    expression: DutyExpression | None = None
    validity: Validity = ALWAYS
    legal_base: str = ""
    description: str = ""
    preference_scheme: str | None = None  # e.g. "USMCA", "GSP", "EU-UK TCA"
    quota: Quota | None = None
    exporter: str | None = None  # named exporter for AD/CVD; None = residual / all others
    required_document: str | None = None  # licence, certificate, proof, authorisation code
    vat_rate: str | None = None  # "standard", "reduced", "zero"

    def applies(self, code: str, origin: str | None, at: dt.date) -> bool:
        return (
            code.startswith(self.commodity_code)
            and self.validity.contains(at)
            and self.geography.covers(origin)
        )


@dataclass(frozen=True, slots=True)
class CommodityLine:
    code: str
    description: str = ""
    supplementary_units: tuple[str, ...] = ()
    validity: Validity = ALWAYS


@dataclass(frozen=True, slots=True)
class Profile:
    """An administration's configuration: the engine is the same for every country."""

    name: str
    currency: str
    valuation_basis: str = "CIF"  # CIF (EU/UK) or FOB (US)
    duty_de_minimis: Decimal = Decimal(0)  # consignment value at or below which no duty
    vat_de_minimis: Decimal = Decimal(0)
    rounding: RoundingRule = RoundingRule.PER_LINE_HALF_UP
    parse_options: ParseOptions = field(default_factory=ParseOptions)


US_PROFILE = Profile("us", "USD", "FOB", Decimal(800), Decimal(0))
UK_PROFILE = Profile("uk", "GBP", "CIF", Decimal(135), Decimal(0))


@dataclass
class Tariff:
    """Commodity lines and measures of one profile, indexed by code for fast look-ups."""

    profile: Profile
    lines: dict[str, CommodityLine] = field(default_factory=dict)
    measures: list[Measure] = field(default_factory=list)
    groups: dict[str, frozenset[str]] = field(default_factory=dict)
    _index: dict[str, list[Measure]] = field(default_factory=dict, repr=False)
    _sorted_codes: list[str] = field(default_factory=list, repr=False)
    # (code, origin, day) -> measures: a batch asks for the same few thousand again and again.
    _in_force: dict[tuple[str, str | None, dt.date], list[Measure]] = field(
        default_factory=dict, repr=False
    )

    def __post_init__(self) -> None:
        self.reindex()

    def reindex(self) -> None:
        """Index ``measures`` again (after appending to the list directly)."""
        self._index = {}
        self._in_force = {}
        for m in self.measures:
            self._index.setdefault(m.commodity_code, []).append(m)

    def add(self, measure: Measure) -> None:
        self.measures.append(measure)
        self._index.setdefault(measure.commodity_code, []).append(measure)
        self._in_force = {}

    def candidates(self, code: str) -> list[Measure]:
        """Measures on the code or any of its parents (heading, subheading ...)."""
        out: list[Measure] = []
        for n in range(len(code), 1, -1):
            found = self._index.get(code[:n])
            if found:
                out.extend(found)
        return out

    def measures_for(self, code: str, origin: str | None, at: dt.date) -> list[Measure]:
        """Measures in force on ``code`` for goods from ``origin`` on ``at`` (a new list each
        call: callers may change it)."""
        key = (code, origin, at)
        found = self._in_force.get(key)
        if found is None:
            if len(self._in_force) > 100_000:
                self._in_force = {}  # bounded: a long-running server sees many days
            found = self._in_force[key] = [
                m
                for m in self.candidates(code)
                if m.validity.contains(at) and m.geography.covers(origin)
            ]
        return list(found)

    def lines_under(self, code: str, at: dt.date) -> list[CommodityLine]:
        """National lines at or below ``code`` valid at ``at`` (an HS6 code's HTS8 lines ...).

        >>> t = Tariff(US_PROFILE, lines={c: CommodityLine(c) for c in ("01012100", "01012900",
        ...     "01013000")})
        >>> [x.code for x in t.lines_under("010121", dt.date(2025, 1, 1))]
        ['01012100']
        """
        if len(self._sorted_codes) != len(self.lines):
            self._sorted_codes = sorted(self.lines)
        codes = self._sorted_codes
        out: list[CommodityLine] = []
        for i in range(bisect_left(codes, code), len(codes)):
            if not codes[i].startswith(code):
                break
            line = self.lines[codes[i]]
            if line.validity.contains(at):
                out.append(line)
        return out

    def line(self, code: str) -> CommodityLine | None:
        for n in range(len(code), 1, -1):
            found = self.lines.get(code[:n])
            if found:
                return found
        return None


@dataclass(frozen=True, slots=True)
class QuotaBalances:
    """Balances the service read (under lock) before assessing: order number -> remaining."""

    remaining: Mapping[str, Decimal] = field(default_factory=dict)
