"""Reference data rows: plain immutable tuples, no ORM, no I/O."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import NamedTuple


class ReferenceSetInfo(NamedTuple):
    """Where one reference set comes from."""

    name: str
    source: str
    version: str
    licence: str


class Edition(NamedTuple):
    """An HS edition and the dates it applies to: [valid_from, valid_to)."""

    name: str
    valid_from: date
    valid_to: date | None


class HsEntry(NamedTuple):
    """A chapter (level 2), heading (4) or subheading (6) of one HS edition."""

    edition: str
    code: str
    level: int
    parent: str | None
    section: str
    description: str
    valid_from: date
    valid_to: date | None


class HsSection(NamedTuple):
    edition: str
    section: str
    name: str


class HsCorrelation(NamedTuple):
    """One HS 2022 subheading mapped to an HS 2017 subheading."""

    from_edition: str
    from_code: str
    to_edition: str
    to_code: str
    relation: str  # "same_code": the code exists in both editions (scope may differ)


class Country(NamedTuple):
    alpha2: str
    alpha3: str
    numeric: str
    name: str


class GroupMembership(NamedTuple):
    """A country's membership of a group (the EU customs union) over [valid_from, valid_to)."""

    group: str
    country: str
    valid_from: date
    valid_to: date | None


class Currency(NamedTuple):
    code: str
    numeric: str
    name: str
    minor_unit: int | None  # None for units without decimals defined (gold, SDR, ...)


class ExchangeRate(NamedTuple):
    """Units of ``currency`` per one unit of ``base``, valid over [valid_from, valid_to).

    ECB rows are daily (valid_to is None: a rate holds until the next published one); HMRC
    rows are monthly (valid_to is the first day of the next month).
    """

    source: str
    base: str
    currency: str
    valid_from: date
    valid_to: date | None
    rate: Decimal


class Locode(NamedTuple):
    code: str
    country: str
    name: str
    subdivision: str
    function: str
    status: str
