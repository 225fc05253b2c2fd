"""Ledger events and the hash chain, pure.

Each event commits to the previous event's hash, so editing, removing or reordering any stored
event breaks every hash after it.

>>> from datetime import datetime, UTC
>>> at = datetime(2026, 1, 1, tzinfo=UTC)
>>> e1 = chain_event(GENESIS, 1, at, "officer:7", "declaration.accepted",
...                  "declaration", "26GB0000000000017", {"state": "accepted"})
>>> e1.hash == compute_hash(e1.seq, e1.prev_hash, e1.recorded_at, e1.actor, e1.kind,
...                          e1.subject_type, e1.subject_id, e1.payload_digest)
True
>>> first_broken([e1]) is None
True
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

GENESIS = "0" * 64


@lru_cache(maxsize=64)
def timestamp(at: datetime) -> str:
    """The one text form of a time on the ledger: UTC, microseconds (stored as text as well).

    Cached: a batch stamps thousands of events with the same time.
    """
    if at.tzinfo is None:
        raise ValueError("ledger times must carry a time zone")
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _default(value: object) -> str:
    if isinstance(value, Decimal | datetime):
        return str(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    raise TypeError(f"cannot put {type(value).__name__} on the ledger")


def canonical_json(payload: Mapping[str, Any]) -> str:
    """Sorted keys, no spaces, Decimals and dates as text: the same payload, the same bytes."""
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default
    )


def digest(payload: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()


def compute_hash(
    seq: int,
    prev_hash: str,
    recorded_at: datetime,
    actor: str,
    kind: str,
    subject_type: str,
    subject_id: str,
    payload_digest: str,
) -> str:
    material = "\x1f".join(
        (
            str(seq),
            prev_hash,
            timestamp(recorded_at),
            actor,
            kind,
            subject_type,
            subject_id,
            payload_digest,
        )
    )
    return hashlib.sha256(material.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class LedgerEvent:
    seq: int
    recorded_at: datetime
    actor: str
    kind: str
    subject_type: str
    subject_id: str
    payload: Mapping[str, Any]
    payload_digest: str
    prev_hash: str
    hash: str


def chain_event(
    prev_hash: str,
    seq: int,
    recorded_at: datetime,
    actor: str,
    kind: str,
    subject_type: str,
    subject_id: str,
    payload: Mapping[str, Any],
    payload_text: str | None = None,
) -> LedgerEvent:
    """The next event of the chain; ``payload_text`` is the payload's canonical JSON if known."""
    text = canonical_json(payload) if payload_text is None else payload_text
    pd = hashlib.sha256(text.encode()).hexdigest()
    return LedgerEvent(
        seq=seq,
        recorded_at=recorded_at,
        actor=actor,
        kind=kind,
        subject_type=subject_type,
        subject_id=subject_id,
        payload=payload,
        payload_digest=pd,
        prev_hash=prev_hash,
        hash=compute_hash(seq, prev_hash, recorded_at, actor, kind, subject_type, subject_id, pd),
    )


@dataclass(frozen=True, slots=True)
class Break:
    """The first event whose stored values do not match the chain."""

    seq: int
    reason: str


def first_broken(
    events: Iterable[LedgerEvent], start_hash: str = GENESIS, start_seq: int = 0
) -> Break | None:
    """Walk the chain in order and name the first event that does not verify."""
    prev_hash, expected_seq = start_hash, start_seq + 1
    for e in events:
        if e.seq != expected_seq:
            return Break(expected_seq, f"event {expected_seq} is missing (found {e.seq})")
        if e.prev_hash != prev_hash:
            return Break(e.seq, "previous hash does not match the event before it")
        if digest(e.payload) != e.payload_digest:
            return Break(e.seq, "payload does not match its digest")
        recomputed = compute_hash(
            e.seq,
            e.prev_hash,
            e.recorded_at,
            e.actor,
            e.kind,
            e.subject_type,
            e.subject_id,
            e.payload_digest,
        )
        if recomputed != e.hash:
            return Break(e.seq, "event hash does not match its contents")
        prev_hash, expected_seq = e.hash, expected_seq + 1
    return None
