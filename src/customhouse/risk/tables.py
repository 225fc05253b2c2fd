"""Risk tables on the shared declarative base: profiles, their versions and approvals, hit
counts, trained models and the model active at each office.

Migrations are generated from ``Base.metadata`` by the storage layer.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
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
from sqlalchemy.orm import Mapped, mapped_column, relationship

from customhouse.storage.base import Base
from customhouse.storage.types import JSONText


class RiskProfileRow(Base):
    """A targeting profile; its content lives in versions."""

    __tablename__ = "risk_profiles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    versions: Mapped[list[RiskProfileVersionRow]] = relationship(
        back_populates="profile", order_by="RiskProfileVersionRow.version"
    )


class RiskProfileVersionRow(Base):
    __tablename__ = "risk_profile_versions"
    __table_args__ = (UniqueConstraint("profile_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("risk_profiles.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON)
    channel: Mapped[str] = mapped_column(String(8))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    instructions: Mapped[str] = mapped_column(Text, default="")
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    author: Mapped[str] = mapped_column(String(100))
    approved_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    approved_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    profile: Mapped[RiskProfileRow] = relationship(back_populates="versions")


class RiskProfileApprovalRow(Base):
    """Every approval or refusal of a profile version, for the record (four eyes)."""

    __tablename__ = "risk_profile_approvals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("risk_profile_versions.id"), index=True)
    approver: Mapped[str] = mapped_column(String(100))
    decision: Mapped[str] = mapped_column(String(16))  # approved / refused / retired
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text, default="")


class RiskProfileHitCountRow(Base):
    """How often a profile version hit at an office, and what controls found (its hit rate)."""

    __tablename__ = "risk_profile_hit_counts"
    __table_args__ = (UniqueConstraint("version_id", "office"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("risk_profile_versions.id"), index=True)
    office: Mapped[str] = mapped_column(String(32))
    hits: Mapped[int] = mapped_column(Integer, default=0)
    controlled: Mapped[int] = mapped_column(Integer, default=0)
    findings: Mapped[int] = mapped_column(Integer, default=0)


class RiskModelRow(Base):
    """A trained model: version, training window, metrics and the serialized booster."""

    __tablename__ = "risk_models"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(64), unique=True)
    trained_rows: Mapped[int] = mapped_column(Integer)
    window_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    window_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    booster_text: Mapped[str] = mapped_column(Text)
    # The whole model (booster + feature histories), gzipped JSON: what scoring loads.
    blob: Mapped[bytes] = mapped_column(LargeBinary)
    trained_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RiskActiveModelRow(Base):
    """The one model in use at each office."""

    __tablename__ = "risk_active_models"

    office: Mapped[str] = mapped_column(String(32), primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("risk_models.id"))
    activated_by: Mapped[str] = mapped_column(String(100))
    activated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# -- the pipeline step (migration 0008) ------------------------------------------------------


class RiskDecisionRow(Base):
    """The channel given to one version of a declaration, with every reason behind it.

    A re-routed declaration (amended, assessed again) gets a new row; the latest id is current.
    """

    __tablename__ = "risk_decisions"
    __table_args__ = (Index("ix_risk_decisions_office_day", "office", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)
    declaration_version: Mapped[int] = mapped_column(Integer)
    office: Mapped[str] = mapped_column(String(35))
    day: Mapped[date] = mapped_column(Date)  # counts against this day's inspection capacity
    channel: Mapped[str] = mapped_column(String(8))
    reasons: Mapped[Any] = mapped_column(JSONText, default=list)
    profile_hits: Mapped[Any] = mapped_column(JSONText, default=list)  # ["CODE@version", ...]
    instructions: Mapped[Any] = mapped_column(JSONText, default=list)
    model_version: Mapped[str | None] = mapped_column(String(64))
    mandatory: Mapped[bool] = mapped_column(Boolean, default=False)
    random_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    exploration: Mapped[bool] = mapped_column(Boolean, default=False)
    model_selected: Mapped[bool] = mapped_column(Boolean, default=False)
    probability: Mapped[float | None] = mapped_column(Float)
    expected_revenue: Mapped[Decimal | None] = mapped_column(Numeric(20, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    # What the selection RNG was seeded with, so an auditor can replay the draw.
    seed: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RiskDaySeedRow(Base):
    """The secret per-day seed of the selection RNG (drawn once, then kept for audit)."""

    __tablename__ = "risk_day_seeds"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    seed: Mapped[str] = mapped_column(String(32))


class RiskOfficePolicyRow(Base):
    """An office's selectivity settings; offices without a row use the defaults."""

    __tablename__ = "risk_office_policies"

    office: Mapped[str] = mapped_column(String(35), primary_key=True)
    inspection_rate: Mapped[float] = mapped_column(Float)
    # Red + yellow selections allowed per day; None = only the rate limits.
    daily_capacity: Mapped[int | None] = mapped_column(Integer)
    random_rate: Mapped[float] = mapped_column(Float)
    exploration_rate: Mapped[float] = mapped_column(Float)
    red_threshold: Mapped[float] = mapped_column(Float)
    blue_threshold: Mapped[float] = mapped_column(Float)
    aeo_factor: Mapped[float] = mapped_column(Float)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RiskLabelRow(Base):
    """A control's outcome as a training label: did it find something, and what was recovered.

    Written by the controls service when a control ends (one row per control, so a declaration
    controlled twice has two); ``customhouse risk train --from-controls`` learns from them.
    """

    __tablename__ = "risk_labels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)
    declaration_version: Mapped[int | None] = mapped_column(Integer)
    finding: Mapped[bool] = mapped_column(Boolean)
    revenue: Mapped[Decimal | None] = mapped_column(Numeric(20, 2))  # duty recovered
    currency: Mapped[str | None] = mapped_column(String(3))
    source: Mapped[str] = mapped_column(String(32), default="control")
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
