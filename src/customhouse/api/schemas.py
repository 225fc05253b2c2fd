"""Response shapes of the API (requests are the domain's own documents)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from customhouse.ledger.models import LedgerEvent, timestamp
from customhouse.services.declarations import DeclarationView, LodgeOutcome


class ProblemOut(BaseModel):
    code: str
    pointer: str
    message: str
    severity: str = "error"


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: dict[str, Any] = {}


class ErrorOut(BaseModel):
    error: ErrorDetail


class LodgementOut(BaseModel):
    id: int
    mrn: str | None
    lrn: str | None
    state: str
    warnings: list[ProblemOut]
    replayed: bool

    @classmethod
    def of(cls, o: LodgeOutcome) -> LodgementOut:
        return cls(
            id=o.id,
            mrn=o.mrn,
            lrn=o.lrn,
            state=o.state,
            replayed=o.replayed,
            warnings=[ProblemOut(**p.as_dict()) for p in o.problems],
        )


class EventOut(BaseModel):
    seq: int
    recorded_at: str
    actor: str
    kind: str
    payload: dict[str, Any]
    hash: str

    @classmethod
    def of(cls, e: LedgerEvent) -> EventOut:
        return cls(
            seq=e.seq,
            recorded_at=timestamp(e.recorded_at),
            actor=e.actor,
            kind=e.kind,
            payload=dict(e.payload),
            hash=e.hash,
        )


class VersionOut(BaseModel):
    version: int
    created_at: str
    actor: str
    reason: str
    document: dict[str, Any]


class DeclarationSummary(BaseModel):
    id: int
    mrn: str | None
    lrn: str
    state: str
    version: int
    declarant_eori: str | None
    office: str
    declaration_type: str
    channel: str | None
    lodged_at: str
    updated_at: str

    @classmethod
    def of(cls, v: DeclarationView) -> DeclarationSummary:
        return cls(
            id=v.id,
            mrn=v.mrn,
            lrn=v.lrn,
            state=v.state,
            version=v.version,
            declarant_eori=v.declarant_eori,
            office=v.office,
            declaration_type=v.declaration_type,
            channel=v.channel,
            lodged_at=v.lodged_at,
            updated_at=v.updated_at,
        )


class DeclarationOut(DeclarationSummary):
    accepted_at: str | None
    document: dict[str, Any]
    problems: list[ProblemOut]
    history: list[EventOut]
    versions: list[VersionOut]
    extra: dict[str, Any] = {}

    @classmethod
    def full(cls, v: DeclarationView, extra: dict[str, Any] | None = None) -> DeclarationOut:
        base = DeclarationSummary.of(v).model_dump()
        return cls(
            **base,
            accepted_at=v.accepted_at,
            document=v.document,
            problems=[ProblemOut(**p) for p in v.problems],
            history=[EventOut.of(e) for e in v.history],
            versions=[VersionOut(**x) for x in v.versions],
            extra=extra or {},
        )


class PageOut(BaseModel):
    total: int
    page: int
    page_size: int
    items: list[DeclarationSummary]


class AmendIn(BaseModel):
    reason: str
    declaration: dict[str, Any]


class InvalidateIn(BaseModel):
    reason: str


class LedgerVerifyOut(BaseModel):
    ok: bool
    events: int
    first_broken: int | None
    reason: str | None
