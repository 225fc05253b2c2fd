"""/api/v1/audit: post-clearance audit (selection, cases, findings, recovery)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from customhouse.api.deps import CtxDep, PrincipalDep
from customhouse.api.schemas import ErrorOut
from customhouse.controls.models import Finding, FindingCode
from customhouse.services import audit as svc

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])
ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": ErrorOut} for s in (401, 403, 404, 409, 422)
}


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AuditIn(_In):
    trader_eori: str = Field(min_length=1, max_length=35)
    period_from: dt.date
    period_to: dt.date


class AuditFindingIn(_In):
    mrn: str = Field(min_length=1, max_length=18)
    code: FindingCode
    corrections: dict[int, dict[str, str]] = Field(min_length=1, max_length=999)
    note: str = Field(default="", max_length=4000)


class RecoveryIn(_In):
    amount: Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=2)]
    reference: str = Field(min_length=1, max_length=100)


@router.get("/selection", responses=ERRORS)
def selection(
    ctx: CtxDep, principal: PrincipalDep, since: dt.date, until: dt.date, top: int = 10
) -> list[dict[str, Any]]:
    """Traders ranked by risk and volume, each with the reasons."""
    return svc.audit_selection(ctx, principal=principal, since=since, until=until, top=top)


@router.post("/cases", status_code=201, responses=ERRORS)
def open_audit(body: AuditIn, ctx: CtxDep, principal: PrincipalDep) -> dict[str, int]:
    return {"audit": svc.open_audit(ctx, principal=principal, **body.model_dump())}


@router.post("/cases/{audit_id}/findings", status_code=201, responses=ERRORS)
def finding(
    audit_id: int, body: AuditFindingIn, ctx: CtxDep, principal: PrincipalDep
) -> dict[str, Any]:
    return svc.record_audit_finding(
        ctx,
        principal=principal,
        audit_id=audit_id,
        mrn=body.mrn,
        finding=Finding(body.code, body.corrections, body.note),
    )


@router.post("/findings/{finding_id}/recovery", responses=ERRORS)
def recovery(
    finding_id: int, body: RecoveryIn, ctx: CtxDep, principal: PrincipalDep
) -> dict[str, Any]:
    return svc.recover(
        ctx,
        principal=principal,
        finding_id=finding_id,
        amount=body.amount,
        reference=body.reference,
    )


@router.post("/cases/{audit_id}/close", responses=ERRORS)
def close(audit_id: int, ctx: CtxDep, principal: PrincipalDep) -> dict[str, Any]:
    return svc.close_audit(ctx, principal=principal, audit_id=audit_id)
