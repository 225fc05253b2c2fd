"""Appending to and reading the ledger; used only inside a unit of work."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from customhouse.ledger.models import (
    GENESIS,
    Break,
    LedgerEvent,
    canonical_json,
    chain_event,
    first_broken,
    timestamp,
)
from customhouse.ledger.tables import LedgerEventRow, LedgerHeadRow
from customhouse.storage.base import Base
from customhouse.storage.bulk import bulk_insert

_HEAD_ID = 1


class LedgerRepository:
    """Appends events to the chain within the caller's transaction.

    :meth:`lock` must be the first write of a transaction: it takes the head row's lock (a row lock
    on PostgreSQL, the database write lock on SQLite), so appends and everything else the
    transaction writes are serialised and the chain never forks.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._seq: int | None = None
        self._hash = GENESIS
        self._pending: list[dict[str, Any]] = []

    def lock(self) -> None:
        if self._seq is not None:
            return
        updated = self.session.execute(
            update(LedgerHeadRow).where(LedgerHeadRow.id == _HEAD_ID).values(seq=LedgerHeadRow.seq)
        ).rowcount  # type: ignore[attr-defined]
        if not updated:
            self.session.execute(insert(LedgerHeadRow).values(id=_HEAD_ID, seq=0, hash=GENESIS))
        head = self.session.execute(
            select(LedgerHeadRow.seq, LedgerHeadRow.hash).where(LedgerHeadRow.id == _HEAD_ID)
        ).one()
        self._seq, self._hash = head.seq, head.hash

    def append(
        self,
        *,
        at: datetime,
        actor: str,
        kind: str,
        subject_type: str,
        subject_id: str,
        payload: Mapping[str, Any],
    ) -> LedgerEvent:
        self.lock()
        assert self._seq is not None
        text = canonical_json(payload)
        event = chain_event(
            self._hash, self._seq + 1, at, actor, kind, subject_type, subject_id, payload, text
        )
        self._seq, self._hash = event.seq, event.hash
        self._pending.append(
            {
                "seq": event.seq,
                "recorded_at": timestamp(at),
                "actor": actor,
                "kind": kind,
                "subject_type": subject_type,
                "subject_id": subject_id,
                "payload": text,
                "payload_digest": event.payload_digest,
                "prev_hash": event.prev_hash,
                "hash": event.hash,
            }
        )
        return event

    def flush(self) -> None:
        """Write the pending events and the new head (called by the unit of work before commit)."""
        if not self._pending:
            return
        bulk_insert(self.session, _table(LedgerEventRow), self._pending)
        self.session.execute(
            update(LedgerHeadRow)
            .where(LedgerHeadRow.id == _HEAD_ID)
            .values(seq=self._seq, hash=self._hash)
        )
        self._pending = []

    def discard(self) -> None:
        self._seq, self._hash, self._pending = None, GENESIS, []

    def for_subject(self, subject_type: str, subject_id: str) -> list[LedgerEvent]:
        rows = self.session.execute(
            select(LedgerEventRow)
            .where(
                LedgerEventRow.subject_type == subject_type, LedgerEventRow.subject_id == subject_id
            )
            .order_by(LedgerEventRow.seq)
        ).scalars()
        return [_to_event(r) for r in rows]


def _table(entity: type[Base]) -> Table:
    """The Core table of a mapped class, for executemany inserts without ORM bookkeeping."""
    return cast(Table, entity.__table__)


def _to_event(row: LedgerEventRow) -> LedgerEvent:
    return LedgerEvent(
        seq=row.seq,
        recorded_at=datetime.fromisoformat(row.recorded_at),
        actor=row.actor,
        kind=row.kind,
        subject_type=row.subject_type,
        subject_id=row.subject_id,
        payload=json.loads(row.payload),
        payload_digest=row.payload_digest,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def iter_events(session: Session, batch: int = 5000) -> Iterator[LedgerEvent]:
    last = 0
    while True:
        rows = list(
            session.execute(
                select(LedgerEventRow)
                .where(LedgerEventRow.seq > last)
                .order_by(LedgerEventRow.seq)
                .limit(batch)
            ).scalars()
        )
        if not rows:
            return
        for r in rows:
            yield _to_event(r)
        last = rows[-1].seq


def verify(session: Session) -> tuple[int, Break | None]:
    """Re-compute the whole chain; the count of events checked and the first break, if any."""
    count = 0

    def counted() -> Iterator[LedgerEvent]:
        nonlocal count
        for e in iter_events(session):
            count += 1
            yield e

    broken = first_broken(counted())
    if broken is None:
        head = session.execute(
            select(LedgerHeadRow.seq, LedgerHeadRow.hash).where(LedgerHeadRow.id == _HEAD_ID)
        ).one_or_none()
        if head is not None and head.seq != count:
            broken = Break(count + 1, f"the head says {head.seq} events, {count} are stored")
    return count, broken
