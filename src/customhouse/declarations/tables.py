"""Declaration tables: the current version, every version, items for search, idempotency keys."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from customhouse.storage.base import Base
from customhouse.storage.types import JSONText


class DeclarationRow(Base):
    __tablename__ = "declarations"
    __table_args__ = (Index("ix_declarations_state_office", "state", "office"),)

    # Assigned by the lodging transaction under the ledger lock, so a batch needs no RETURNING.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # The MRN is given on acceptance; a rejected declaration keeps only its id and LRN.
    mrn: Mapped[str | None] = mapped_column(String(18), unique=True)
    lrn: Mapped[str] = mapped_column(String(35), index=True)
    declarant_eori: Mapped[str | None] = mapped_column(String(35), index=True)
    representative_eori: Mapped[str | None] = mapped_column(String(35), index=True)
    importer_eori: Mapped[str | None] = mapped_column(String(35), index=True)
    exporter_eori: Mapped[str | None] = mapped_column(String(35))
    declaration_type: Mapped[str] = mapped_column(String(35))
    procedure: Mapped[str] = mapped_column(String(35))
    office: Mapped[str] = mapped_column(String(35))
    declaration_date: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer, default=1)
    channel: Mapped[str | None] = mapped_column(String(10))
    invoice_currency: Mapped[str] = mapped_column(String(35))
    total_invoice_amount: Mapped[Decimal] = mapped_column(Numeric(20, 4))
    lodged_at: Mapped[str] = mapped_column(String(40))
    accepted_at: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[str] = mapped_column(String(40))
    # The current version as lodged or amended, JSON text (see JSONText).
    document: Mapped[Any] = mapped_column(JSONText)
    problems: Mapped[Any] = mapped_column(JSONText, default=list)
    source: Mapped[str] = mapped_column(String(20), default="api")
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    request_digest: Mapped[str | None] = mapped_column(String(64))


class DeclarationVersionRow(Base):
    """Superseded versions: an amendment files the version it replaces here.

    The current version lives on the declaration row, so lodging writes the document once.
    """

    __tablename__ = "declaration_versions"
    __table_args__ = (UniqueConstraint("declaration_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(Text, default="")
    document: Mapped[Any] = mapped_column(JSONText)


class DeclarationItemRow(Base):
    """Items of the current version, for search by commodity code and origin."""

    __tablename__ = "declaration_items"
    __table_args__ = (UniqueConstraint("declaration_id", "sequence"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    declaration_id: Mapped[int] = mapped_column(ForeignKey("declarations.id"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    commodity_code: Mapped[str] = mapped_column(String(35), index=True)
    origin: Mapped[str] = mapped_column(String(35))
    description: Mapped[str] = mapped_column(Text)


class MRNCounterRow(Base):
    """The last MRN serial given per year and country; locked under the ledger head."""

    __tablename__ = "mrn_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    last_serial: Mapped[int] = mapped_column(Integer)


# An LRN is used once per declarant among declarations that were given an MRN; a rejected
# declaration's LRN may be lodged again once corrected.
Index(
    "uq_declarations_declarant_lrn_accepted",
    DeclarationRow.declarant_eori,
    DeclarationRow.lrn,
    unique=True,
    sqlite_where=DeclarationRow.mrn.is_not(None),
    postgresql_where=DeclarationRow.mrn.is_not(None),
)
