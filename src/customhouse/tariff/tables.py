"""Tables of the tariff: commodity lines, measures, quota balances (SQLAlchemy 2).

Expressions are stored as their text and parsed on load, so the parser stays the one truth.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from customhouse.storage.base import Base


class TariffCommodityLine(Base):
    __tablename__ = "tariff_commodity_lines"

    profile: Mapped[str] = mapped_column(String(16), primary_key=True)
    code: Mapped[str] = mapped_column(String(14), primary_key=True)
    description: Mapped[str] = mapped_column(Text, default="")
    supplementary_units: Mapped[str] = mapped_column(String(64), default="")
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)


class TariffMeasure(Base):
    __tablename__ = "tariff_measures"
    __table_args__ = (Index("ix_tariff_measures_profile_code", "profile", "commodity_code"),)

    profile: Mapped[str] = mapped_column(String(16), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    type: Mapped[str] = mapped_column(String(32))
    commodity_code: Mapped[str] = mapped_column(String(14))
    geography_code: Mapped[str] = mapped_column(String(16))
    geography_members: Mapped[str | None] = mapped_column(Text)  # space separated; NULL = all
    geography_excluded: Mapped[str] = mapped_column(Text, default="")
    expression: Mapped[str | None] = mapped_column(Text)
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    legal_base: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    preference_scheme: Mapped[str | None] = mapped_column(String(32))
    quota_order_number: Mapped[str | None] = mapped_column(String(16))
    exporter: Mapped[str | None] = mapped_column(Text)
    required_document: Mapped[str | None] = mapped_column(Text)
    vat_rate: Mapped[str | None] = mapped_column(String(16))


class TariffQuotaBalance(Base):
    """Remaining volume of a quota; the service updates it with the drawdown decisions."""

    __tablename__ = "tariff_quota_balances"

    profile: Mapped[str] = mapped_column(String(16), primary_key=True)
    order_number: Mapped[str] = mapped_column(String(16), primary_key=True)
    unit: Mapped[str] = mapped_column(String(16))
    volume: Mapped[Decimal] = mapped_column(Numeric(20, 3))
    remaining: Mapped[Decimal] = mapped_column(Numeric(20, 3))
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)


class TariffQuotaDrawdown(Base):
    __tablename__ = "tariff_quota_drawdowns"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    profile: Mapped[str] = mapped_column(String(16))
    order_number: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str] = mapped_column(String(64))  # declaration MRN / item
    quantity: Mapped[Decimal] = mapped_column(Numeric(20, 3))
    unit: Mapped[str] = mapped_column(String(16))
    __table_args__ = (Index("ix_tariff_quota_drawdowns_order", "profile", "order_number"),)


class TariffProfileRow(Base):
    """Which tariff a profile has loaded and when: services compare ``loaded_at`` to their cache."""

    __tablename__ = "tariff_profiles"

    profile: Mapped[str] = mapped_column(String(16), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    loaded_at: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(Text, default="")
    commodity_lines: Mapped[int] = mapped_column(Integer, default=0)
    measures: Mapped[int] = mapped_column(Integer, default=0)
