"""Reference tables on the shared declarative base (migrations come from ``Base.metadata``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, DateTime, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from customhouse.storage.base import Base


class ReferenceSetRow(Base):
    """One loaded reference set: where it came from and when it was loaded."""

    __tablename__ = "reference_sets"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    version: Mapped[str] = mapped_column(String(100))
    licence: Mapped[str] = mapped_column(String(100))
    row_count: Mapped[int] = mapped_column(Integer)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class HsSectionRow(Base):
    __tablename__ = "hs_sections"

    edition: Mapped[str] = mapped_column(String(10), primary_key=True)
    section: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(Text)


class HsNomenclatureRow(Base):
    """A chapter, heading or subheading of one HS edition, valid over [valid_from, valid_to)."""

    __tablename__ = "hs_nomenclature"

    edition: Mapped[str] = mapped_column(String(10), primary_key=True)
    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    level: Mapped[int] = mapped_column(Integer)
    parent: Mapped[str | None] = mapped_column(String(6))
    section: Mapped[str] = mapped_column(String(5))
    description: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)


class HsCorrelationRow(Base):
    __tablename__ = "hs_correlation"

    from_edition: Mapped[str] = mapped_column(String(10), primary_key=True)
    from_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    to_edition: Mapped[str] = mapped_column(String(10), primary_key=True)
    to_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    relation: Mapped[str] = mapped_column(String(20))


class CountryRow(Base):
    __tablename__ = "countries"

    alpha2: Mapped[str] = mapped_column(String(2), primary_key=True)
    alpha3: Mapped[str] = mapped_column(String(3))
    numeric: Mapped[str] = mapped_column(String(3))
    name: Mapped[str] = mapped_column(Text)


class CountryGroupRow(Base):
    """Membership of a country group (``EU``) over [valid_from, valid_to)."""

    __tablename__ = "country_groups"

    group_code: Mapped[str] = mapped_column(String(10), primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    valid_from: Mapped[date] = mapped_column(Date, primary_key=True)
    valid_to: Mapped[date | None] = mapped_column(Date)


class CurrencyRow(Base):
    __tablename__ = "currencies"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    numeric: Mapped[str] = mapped_column(String(3))
    name: Mapped[str] = mapped_column(Text)
    minor_unit: Mapped[int | None] = mapped_column(Integer)


class ExchangeRateRow(Base):
    """Units of ``currency`` per one ``base`` from ``source`` (ECB daily, HMRC monthly)."""

    __tablename__ = "exchange_rates"

    source: Mapped[str] = mapped_column(String(10), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    valid_from: Mapped[date] = mapped_column(Date, primary_key=True)
    valid_to: Mapped[date | None] = mapped_column(Date)
    base: Mapped[str] = mapped_column(String(3))
    rate: Mapped[Decimal] = mapped_column(Numeric(24, 10))


class LocodeRow(Base):
    __tablename__ = "locodes"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    country: Mapped[str] = mapped_column(String(2), index=True)
    name: Mapped[str] = mapped_column(Text)
    subdivision: Mapped[str] = mapped_column(String(3))
    function: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(2))
