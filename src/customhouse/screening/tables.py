"""Screening tables: lists, versions, entities, names, judgements; runs, hits and queries.

An entity row is the current state of one list entry (``fingerprint`` changes with its content);
``removed_in`` is set when a later version drops it. A judgement remembers the entity's fingerprint
at the time, so a dismissed (party, entity) pair comes back when the entry changes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
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


class ScreeningRunRow(Base):
    """One screening of one declaration version: the outcome, the list versions it used, notes.

    ``outcome`` is ``clear``, ``held``, ``released`` (held, then every reason judged away) or
    ``not_screened`` (no list loaded: the declaration is not pretended clean).
    """

    __tablename__ = "screening_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)
    declaration_version: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str] = mapped_column(String(16))
    lists: Mapped[dict[str, Any]] = mapped_column(JSON)
    reasons: Mapped[list[Any]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")


class ScreeningHitRow(Base):
    """A party hit (list entry, score, features) or a goods hit (control, legal base, reason)."""

    __tablename__ = "screening_hits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)
    declaration_version: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(String(8))  # party | goods
    party_role: Mapped[str | None] = mapped_column(String(32), nullable=True)
    item_sequence: Mapped[int | None] = mapped_column(Integer, nullable=True)
    party_key: Mapped[str] = mapped_column(String(512), default="")
    screened_name: Mapped[str] = mapped_column(Text, default="")
    list_name: Mapped[str] = mapped_column(String(64))  # the list, or the goods control
    entity_id: Mapped[str] = mapped_column(String(256))  # the entry, or the control reference
    entity_name: Mapped[str] = mapped_column(Text, default="")
    fingerprint: Mapped[str] = mapped_column(String(64), default="")
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    action: Mapped[str] = mapped_column(String(24))  # hold | query | remembered | note
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12))  # open | confirmed | dismissed
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    judged_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    judged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class ScreeningQueryRow(Base):
    """A query to the declarant: a document that is missing, and the legal base asking for it
    (raised by screening, or by an officer who asks for a document)."""

    __tablename__ = "screening_queries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)
    declaration_version: Mapped[int] = mapped_column(Integer)
    item_sequence: Mapped[int] = mapped_column(Integer)
    missing: Mapped[str] = mapped_column(Text)
    legal_base: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12))  # open | answered
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    answer: Mapped[str] = mapped_column(Text, default="")
    # issue 8: the officer who asked for the document; None when screening asked.
    asked_by: Mapped[str | None] = mapped_column(String(128), nullable=True)


class QueryReplyRow(Base):
    """The declarant's answer to a query: its words and, optionally, a document (kept as
    evidence under its SHA-256). Never changed; a second answer is a second row."""

    __tablename__ = "query_replies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    query_id: Mapped[int] = mapped_column(ForeignKey("screening_queries.id"), index=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    evidence_sha256: Mapped[str | None] = mapped_column(
        ForeignKey("evidence.sha256"), nullable=True
    )
    replied_by: Mapped[str] = mapped_column(String(128))
    replied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
