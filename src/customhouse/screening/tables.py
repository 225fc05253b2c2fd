"""Screening tables: lists, their versions, entities, names, and analysts' judgements.

An entity row is the current state of one list entry (``fingerprint`` changes with its content);
``removed_in`` is set when a later version drops it. A judgement remembers the entity's fingerprint
at the time, so a dismissed (party, entity) pair comes back when the entry changes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from customhouse.storage.base import Base


class ScreeningListRow(Base):
    __tablename__ = "screening_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    current_version: Mapped[str] = mapped_column(String(128), default="")


class ScreeningListVersionRow(Base):
    __tablename__ = "screening_list_versions"
    __table_args__ = (UniqueConstraint("list_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("screening_lists.id"), index=True)
    version: Mapped[str] = mapped_column(String(128))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    entities: Mapped[int] = mapped_column(Integer)
    added: Mapped[int] = mapped_column(Integer)
    changed: Mapped[int] = mapped_column(Integer)
    removed: Mapped[int] = mapped_column(Integer)


class ScreeningEntityRow(Base):
    __tablename__ = "screening_entities"
    __table_args__ = (UniqueConstraint("list_id", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("screening_lists.id"), index=True)
    entity_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(Text)
    entity_type: Mapped[str] = mapped_column(String(16))
    fingerprint: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    first_version_id: Mapped[int] = mapped_column(ForeignKey("screening_list_versions.id"))
    last_changed_version_id: Mapped[int] = mapped_column(ForeignKey("screening_list_versions.id"))
    removed_in_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("screening_list_versions.id"), nullable=True
    )


class ScreeningNameRow(Base):
    """Every name and alias of an entity, normalised, for look-ups outside the index."""

    __tablename__ = "screening_names"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_row_id: Mapped[int] = mapped_column(
        ForeignKey("screening_entities.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(Text, index=True)
    weak: Mapped[bool] = mapped_column(Boolean, default=False)


class ScreeningJudgementRow(Base):
    """An analyst's verdict on a (party, list entry) pair, tied to the entry's content."""

    __tablename__ = "screening_judgements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_key: Mapped[str] = mapped_column(String(512), index=True)
    list_name: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(128))
    fingerprint: Mapped[str] = mapped_column(String(64))
    verdict: Mapped[str] = mapped_column(String(16))
    judged_by: Mapped[str] = mapped_column(String(128))
    judged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text, default="")
