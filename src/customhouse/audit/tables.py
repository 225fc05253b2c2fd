"""Post-clearance audit tables: flags from the blue channel, audit cases and their findings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from customhouse.storage.base import Base
from customhouse.storage.types import JSONText


class AuditFlagRow(Base):
    """A declaration released for audit after clearance (blue channel, or an officer's call)."""

    __tablename__ = "audit_flags"

    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), primary_key=True)
    trader_eori: Mapped[str | None] = mapped_column(String(35), index=True)
    reason: Mapped[Any] = mapped_column(JSONText)
    flagged_at: Mapped[str] = mapped_column(String(40))


class AuditCaseRow(Base):
    __tablename__ = "audit_cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    trader_eori: Mapped[str] = mapped_column(String(35), index=True)
    period_from: Mapped[str] = mapped_column(String(10))
    period_to: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(12))  # open / closed
    selection: Mapped[Any] = mapped_column(JSONText)
    opened_by: Mapped[str] = mapped_column(String(80))
    opened_at: Mapped[str] = mapped_column(String(40))
    closed_at: Mapped[str | None] = mapped_column(String(40))


class AuditFindingRow(Base):
    __tablename__ = "audit_findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit_cases.id"), index=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)
    code: Mapped[str] = mapped_column(String(30))
    corrections: Mapped[Any] = mapped_column(JSONText)
    note: Mapped[str] = mapped_column(Text, default="")
    previous_total: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    new_total: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    difference: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    recovered: Mapped[Decimal] = mapped_column(Numeric(20, 2), default=Decimal(0))
    assessment_id: Mapped[int | None] = mapped_column(Integer)
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[str] = mapped_column(String(40))
