"""Tables of assessments: one row per assessment of a declaration version, one per duty line.

A re-assessment marks the earlier row ``superseded`` and adds a new ``current`` one; nothing is
deleted, so an officer can see what was assessed under which version and on which date.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from customhouse.storage.base import Base
from customhouse.storage.types import JSONText


class AssessmentRow(Base):
    __tablename__ = "assessments"

    # Assigned under the ledger lock (as declaration ids are), so a batch needs no RETURNING.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)
    declaration_version: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.date] = mapped_column(Date)  # the law applied is the law of this date
    profile: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    rounding: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(12))  # current / superseded
    outcome: Mapped[str] = mapped_column(String(12))  # assessed / held / problem
    customs_value: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    duty: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    excise: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    vat: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    total: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    created_at: Mapped[str] = mapped_column(String(40))
    superseded_at: Mapped[str | None] = mapped_column(String(40))
    # Per item: customs value, method, valuation steps and reasons, the code assessed.
    items: Mapped[Any] = mapped_column(JSONText, default=list)
    notes: Mapped[Any] = mapped_column(JSONText, default=list)
    problems: Mapped[Any] = mapped_column(JSONText, default=list)
    requirements: Mapped[Any] = mapped_column(JSONText, default=list)
    drawdowns: Mapped[Any] = mapped_column(JSONText, default=list)


# One current assessment per declaration, whatever the concurrency.
Index(
    "uq_assessments_current",
    AssessmentRow.declaration_id,
    unique=True,
    sqlite_where=AssessmentRow.status == "current",
    postgresql_where=AssessmentRow.status == "current",
)


class AssessmentLineRow(Base):
    """One duty, excise or VAT line with the measure, rate, base and the reason it applies."""

    __tablename__ = "assessment_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), index=True)
    item: Mapped[int] = mapped_column(Integer)
    tax: Mapped[str] = mapped_column(String(8))  # duty / excise / vat
    measure_id: Mapped[str] = mapped_column(String(64))
    measure_type: Mapped[str] = mapped_column(String(32))
    legal_base: Mapped[str] = mapped_column(Text, default="")
    rate_expression: Mapped[str] = mapped_column(Text, default="")
    base_amount: Mapped[str | None] = mapped_column(String(60))  # exact Decimal text
    quantity: Mapped[str | None] = mapped_column(String(40))  # exact, as the engine used it
    unit: Mapped[str | None] = mapped_column(String(32))
    amount: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    amount_unrounded: Mapped[str] = mapped_column(String(60))  # exact Decimal text
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(Text)
