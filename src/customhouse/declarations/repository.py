"""Queries over the declaration tables; used inside a unit of work."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, insert, or_, select, update
from sqlalchemy.orm import Session

from customhouse.declarations.errors import DeclarationNotFound
from customhouse.declarations.tables import (
    DeclarationItemRow,
    DeclarationRow,
    DeclarationVersionRow,
    MRNCounterRow,
)
from customhouse.storage.bulk import bulk_insert, table_of


def by_keys(session: Session, keys: Sequence[str]) -> dict[str, DeclarationRow]:
    if not keys:
        return {}
    rows = session.execute(
        select(DeclarationRow).where(DeclarationRow.idempotency_key.in_(keys))
    ).scalars()
    return {r.idempotency_key: r for r in rows if r.idempotency_key}


def accepted_lrns(session: Session, lrns: Iterable[str]) -> set[tuple[str, str]]:
    """(declarant EORI, LRN) pairs already holding an MRN: an LRN is used once per declarant."""
    wanted = sorted(set(lrns))
    if not wanted:
        return set()
    rows = session.execute(
        select(DeclarationRow.declarant_eori, DeclarationRow.lrn).where(
            DeclarationRow.lrn.in_(wanted), DeclarationRow.mrn.is_not(None)
        )
    )
    return {(r.declarant_eori or "", r.lrn) for r in rows}


def reserve_serials(session: Session, year: int, country: str, count: int) -> int:
    """Reserve ``count`` MRN serials and return the first; the caller holds the write lock."""
    updated = session.execute(
        update(MRNCounterRow)
        .where(MRNCounterRow.year == year, MRNCounterRow.country == country)
        .values(last_serial=MRNCounterRow.last_serial + count)
    ).rowcount  # type: ignore[attr-defined]
    if not updated:
        session.execute(insert(MRNCounterRow).values(year=year, country=country, last_serial=count))
        return 1
    last = session.execute(
        select(MRNCounterRow.last_serial).where(
            MRNCounterRow.year == year, MRNCounterRow.country == country
        )
    ).scalar_one()
    return int(last) - count + 1


def insert_declarations(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert many declarations and return their ids in the order given.

    Ids follow the highest stored id; the caller holds the write lock (the ledger head), so no
    other transaction can take the same ones.
    """
    if not rows:
        return []
    last = session.execute(select(func.max(DeclarationRow.id))).scalar_one() or 0
    ids = list(range(last + 1, last + 1 + len(rows)))
    for row_id, row in zip(ids, rows, strict=True):
        row["id"] = row_id
    bulk_insert(session, table_of(DeclarationRow), rows)
    return ids


def insert_versions(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(table_of(DeclarationVersionRow)), rows)


def insert_items(session: Session, rows: list[dict[str, Any]]) -> None:
    bulk_insert(session, table_of(DeclarationItemRow), rows)


def replace_items(session: Session, declaration_id: int, rows: list[dict[str, Any]]) -> None:
    session.query(DeclarationItemRow).filter(
        DeclarationItemRow.declaration_id == declaration_id
    ).delete()
    insert_items(session, rows)


def get_by_mrn(session: Session, mrn: str, *, for_update: bool = False) -> DeclarationRow:
    stmt = select(DeclarationRow).where(DeclarationRow.mrn == mrn)
    if for_update:
        stmt = stmt.with_for_update()
    row = session.execute(stmt).scalar_one_or_none()
    if row is None:
        raise DeclarationNotFound(f"no declaration with MRN {mrn}", {"mrn": mrn})
    return row


def versions(session: Session, declaration_id: int) -> list[DeclarationVersionRow]:
    return list(
        session.execute(
            select(DeclarationVersionRow)
            .where(DeclarationVersionRow.declaration_id == declaration_id)
            .order_by(DeclarationVersionRow.version)
        ).scalars()
    )


@dataclass(frozen=True)
class DeclarationFilter:
    state: str | None = None
    declarant: str | None = None
    office: str | None = None
    commodity_code: str | None = None
    mrn: str | None = None
    lrn: str | None = None
    lodged_from: str | None = None
    lodged_to: str | None = None
    owner_eori: str | None = None
    channel: str | None = None
    # Any party's EORI: declarant, representative, importer or exporter.
    party: str | None = None


def owned_by(eori: str) -> ColumnElement[bool]:
    """Declarations the trader with ``eori`` lodged as declarant or as representative (the
    rows :meth:`customhouse.access.models.Principal.owns` allows it to see)."""
    return or_(DeclarationRow.declarant_eori == eori, DeclarationRow.representative_eori == eori)


def _filtered(f: DeclarationFilter) -> Select[DeclarationRow]:
    stmt = select(DeclarationRow)
    if f.owner_eori is not None:
        stmt = stmt.where(owned_by(f.owner_eori))
    if f.state:
        stmt = stmt.where(DeclarationRow.state == f.state)
    if f.declarant:
        stmt = stmt.where(DeclarationRow.declarant_eori == f.declarant)
    if f.party:
        stmt = stmt.where(
            or_(
                DeclarationRow.declarant_eori == f.party,
                DeclarationRow.representative_eori == f.party,
                DeclarationRow.importer_eori == f.party,
                DeclarationRow.exporter_eori == f.party,
            )
        )
    if f.channel:
        stmt = stmt.where(DeclarationRow.channel == f.channel)
    if f.office:
        stmt = stmt.where(DeclarationRow.office == f.office)
    if f.mrn:
        stmt = stmt.where(DeclarationRow.mrn.startswith(f.mrn, autoescape=True))
    if f.lrn:
        stmt = stmt.where(DeclarationRow.lrn == f.lrn)
    if f.lodged_from:
        stmt = stmt.where(DeclarationRow.lodged_at >= f.lodged_from)
    if f.lodged_to:
        stmt = stmt.where(DeclarationRow.lodged_at < f.lodged_to)
    if f.commodity_code:
        stmt = stmt.where(
            DeclarationRow.id.in_(
                select(DeclarationItemRow.declaration_id).where(
                    DeclarationItemRow.commodity_code.startswith(f.commodity_code, autoescape=True)
                )
            )
        )
    return stmt


def search(
    session: Session, f: DeclarationFilter, *, offset: int, limit: int
) -> tuple[int, list[DeclarationRow]]:
    stmt = _filtered(f)
    total = session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
    rows = session.execute(
        stmt.order_by(DeclarationRow.id.desc()).offset(offset).limit(limit)
    ).scalars()
    return int(total), list(rows)
