"""Enforcement tables: seizures and their chain of custody, offence cases, penalties."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from customhouse.storage.base import Base
from customhouse.storage.types import JSONText


class CaseRow(Base):
    __tablename__ = "enforcement_cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    state: Mapped[str] = mapped_column(String(20), index=True)
    offence: Mapped[str] = mapped_column(String(40))
    legal_provision: Mapped[str] = mapped_column(String(200))
    parties: Mapped[Any] = mapped_column(JSONText)
    goods: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[Any] = mapped_column(JSONText)
    duty_evaded: Mapped[Decimal] = mapped_column(Numeric(20, 2), default=Decimal(0))
    currency: Mapped[str] = mapped_column(String(3))
    opened_by: Mapped[str] = mapped_column(String(80))
    opened_at: Mapped[str] = mapped_column(String(40))
    closed_at: Mapped[str | None] = mapped_column(String(40))


class CaseDeclarationRow(Base):
    __tablename__ = "enforcement_case_declarations"
    __table_args__ = (UniqueConstraint("case_id", "declaration_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_cases.id"), index=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)


class SeizureRow(Base):
    __tablename__ = "seizures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("enforcement_cases.id"), index=True)
    office: Mapped[str] = mapped_column(String(35))
    offence: Mapped[str] = mapped_column(String(40))
    goods: Mapped[Any] = mapped_column(JSONText)  # [{item, description, code, quantity, unit}]
    detection: Mapped[str] = mapped_column(String(40))
    custodian: Mapped[str] = mapped_column(String(120))
    location: Mapped[str] = mapped_column(String(200))
    seized_by: Mapped[str] = mapped_column(String(80))
    seized_at: Mapped[str] = mapped_column(String(40))


class CustodyEventRow(Base):
    """One hand-over of seized goods: from whom to whom, where, when, with the seal."""

    __tablename__ = "custody_events"
    __table_args__ = (UniqueConstraint("seizure_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seizure_id: Mapped[int] = mapped_column(ForeignKey("seizures.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    from_custodian: Mapped[str] = mapped_column(String(120))
    to_custodian: Mapped[str] = mapped_column(String(120))
    location: Mapped[str] = mapped_column(String(200))
    seal: Mapped[str] = mapped_column(String(60), default="")
    at: Mapped[str] = mapped_column(String(40))
    recorded_by: Mapped[str] = mapped_column(String(80))


class PenaltyRow(Base):
    __tablename__ = "penalties"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_cases.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(12))  # imposed / settled / waived / appealed
    explanation: Mapped[Any] = mapped_column(JSONText)
    imposed_by: Mapped[str] = mapped_column(String(80))
    imposed_at: Mapped[str] = mapped_column(String(40))
