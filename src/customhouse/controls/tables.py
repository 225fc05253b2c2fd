"""Controls tables: tasks, the duty roster, conflicts of interest, allocation seeds and
allocations, findings, evidence, payments and guarantee accounts, holds, release notes,
second approvals and the control results that feed risk."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from customhouse.storage.base import Base
from customhouse.storage.types import JSONText


class ControlTaskRow(Base):
    __tablename__ = "control_tasks"
    __table_args__ = (Index("ix_control_tasks_office_status", "office", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    role: Mapped[str] = mapped_column(String(20))
    office: Mapped[str] = mapped_column(String(35))
    channel: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12))
    deadline: Mapped[str] = mapped_column(String(10))
    instructions: Mapped[Any] = mapped_column(JSONText)
    checklist: Mapped[Any] = mapped_column(JSONText)
    checklist_results: Mapped[Any] = mapped_column(JSONText, nullable=True)
    assigned_to: Mapped[str | None] = mapped_column(String(80), index=True)
    created_at: Mapped[str] = mapped_column(String(40))
    closed_at: Mapped[str | None] = mapped_column(String(40))
    closed_by: Mapped[str | None] = mapped_column(String(80))
    outcome: Mapped[str | None] = mapped_column(String(30))


class DutyRosterRow(Base):
    """Who is on duty at which office on which day, in which role."""

    __tablename__ = "duty_roster"
    __table_args__ = (UniqueConstraint("day", "office", "username", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[str] = mapped_column(String(10), index=True)
    office: Mapped[str] = mapped_column(String(35))
    username: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(20))


class OfficerConflictRow(Base):
    """An officer's declared link to an operator (family, former employer, shareholding)."""

    __tablename__ = "officer_conflicts"
    __table_args__ = (UniqueConstraint("username", "eori"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    eori: Mapped[str] = mapped_column(String(35))
    reason: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[str] = mapped_column(String(40))


class AllocationSeedRow(Base):
    """A day's seed: the commitment is published before the day, the seed after it."""

    __tablename__ = "allocation_seeds"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    commitment: Mapped[str] = mapped_column(String(64))
    seed: Mapped[str] = mapped_column(String(64))
    committed_at: Mapped[str] = mapped_column(String(40))
    revealed_at: Mapped[str | None] = mapped_column(String(40))


class AllocationRow(Base):
    """One allocation of a task: at random from the pool, or a supervisor's reassignment."""

    __tablename__ = "allocations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("control_tasks.id"), index=True)
    day: Mapped[str] = mapped_column(String(10), index=True)
    method: Mapped[str] = mapped_column(String(12))  # random / reassigned
    officer: Mapped[str] = mapped_column(String(80))
    pool: Mapped[Any] = mapped_column(JSONText)
    pool_digest: Mapped[str] = mapped_column(String(16))
    at: Mapped[str] = mapped_column(String(40))
    by: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(Text, default="")


class ControlFindingRow(Base):
    __tablename__ = "control_findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("control_tasks.id"), index=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)
    code: Mapped[str] = mapped_column(String(30))
    corrections: Mapped[Any] = mapped_column(JSONText)
    note: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[Any] = mapped_column(JSONText)
    recorded_by: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[str] = mapped_column(String(40))
    additional_due: Mapped[Decimal] = mapped_column(Numeric(20, 2), default=Decimal(0))
    assessment_id: Mapped[int | None] = mapped_column(Integer)


class EvidenceRow(Base):
    """Evidence content, addressed by its SHA-256: stored once, never updated."""

    __tablename__ = "evidence"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    stored_at: Mapped[str] = mapped_column(String(40))
    stored_by: Mapped[str] = mapped_column(String(80))


class DeclarationEvidenceRow(Base):
    """Evidence attached to a declaration: by an officer (scan, photo, lab report) or by the
    trader answering a query. The content stays in ``evidence``, addressed by its SHA-256."""

    __tablename__ = "declaration_evidence"
    __table_args__ = (UniqueConstraint("declaration_id", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("evidence.sha256"))
    source: Mapped[str] = mapped_column(String(12))  # officer / trader
    note: Mapped[str] = mapped_column(Text, default="")
    attached_by: Mapped[str] = mapped_column(String(80))
    attached_at: Mapped[str] = mapped_column(String(40))


class GuaranteeAccountRow(Base):
    """A deferment account or comprehensive guarantee: release draws it, payment restores it."""

    __tablename__ = "guarantee_accounts"
    __table_args__ = (UniqueConstraint("holder_eori", "currency"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    holder_eori: Mapped[str] = mapped_column(String(35))
    currency: Mapped[str] = mapped_column(String(3))
    limit_amount: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    balance: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    opened_at: Mapped[str] = mapped_column(String(40))


class PaymentRow(Base):
    """Money set against a declaration's duties: paid, drawn on a guarantee, or recovered."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    currency: Mapped[str] = mapped_column(String(3))
    # payment / guarantee (drawn on a deferment account: owed, not yet paid) / recovery
    method: Mapped[str] = mapped_column(String(20))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("guarantee_accounts.id"))
    reference: Mapped[str] = mapped_column(String(100), default="")
    at: Mapped[str] = mapped_column(String(40))
    by: Mapped[str] = mapped_column(String(120))


class GuaranteeSettlementRow(Base):
    """Money the holder paid into a deferment account: it settles what releases drew on it."""

    __tablename__ = "guarantee_settlements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("guarantee_accounts.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    currency: Mapped[str] = mapped_column(String(3))
    reference: Mapped[str] = mapped_column(String(100))
    at: Mapped[str] = mapped_column(String(40))
    by: Mapped[str] = mapped_column(String(120))


class HoldRow(Base):
    __tablename__ = "control_holds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # payment / officer / finding
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[str] = mapped_column(String(40))
    lifted_at: Mapped[str | None] = mapped_column(String(40))


class ReleaseNoteRow(Base):
    __tablename__ = "release_notes"

    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    mrn: Mapped[str] = mapped_column(String(18))
    channel: Mapped[str] = mapped_column(String(10))
    office: Mapped[str] = mapped_column(String(35))
    lodged_at: Mapped[str] = mapped_column(String(40))
    released_at: Mapped[str] = mapped_column(String(40))
    minutes: Mapped[float] = mapped_column(Float)
    released_by: Mapped[str] = mapped_column(String(120))
    due: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    paid: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    drawn: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    currency: Mapped[str] = mapped_column(String(3))
    post_clearance_audit: Mapped[bool] = mapped_column(Boolean, default=False)


class ApprovalRow(Base):
    """A change that needs a second pair of eyes: asked by one user, decided by a supervisor."""

    __tablename__ = "approvals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    action: Mapped[str] = mapped_column(String(30))
    subject_type: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[str] = mapped_column(String(40))
    params: Mapped[Any] = mapped_column(JSONText)
    reason: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(80))
    requested_at: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12), index=True)
    decided_by: Mapped[str | None] = mapped_column(String(80))
    decided_at: Mapped[str | None] = mapped_column(String(40))


class ControlResultRow(Base):
    """The label a closed control gives the risk model and the profiles' hit rates."""

    __tablename__ = "control_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    office: Mapped[str] = mapped_column(String(35))
    finding: Mapped[bool] = mapped_column(Boolean)
    codes: Mapped[Any] = mapped_column(JSONText)
    revenue: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    source: Mapped[str] = mapped_column(String(20))  # control / audit
    closed_at: Mapped[str] = mapped_column(String(40))
