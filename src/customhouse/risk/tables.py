"""Risk tables on the shared declarative base: profiles, their versions and approvals, hit
counts, trained models and the model active at each office.

Migrations are generated from ``Base.metadata`` by the storage layer.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from customhouse.storage.base import Base


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
