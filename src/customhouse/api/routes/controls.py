"""/api/v1/controls: the task queue, findings, evidence, payments, deferment accounts and
guarantees, release, approvals, allocation seeds, the release-time and revenue reports."""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from customhouse.api.deps import CtxDep, PrincipalDep
from customhouse.api.schemas import ErrorOut
from customhouse.controls.models import Finding, FindingCode
from customhouse.services import controls as svc
from customhouse.services import guarantees
from customhouse.services.declarations import get_declaration

router = APIRouter(prefix="/api/v1/controls", tags=["controls"])
ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": ErrorOut} for s in (401, 403, 404, 409, 413, 422)
}
Money = Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=2, allow_inf_nan=False)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class FindingIn(_In):
    code: FindingCode
    corrections: dict[int, dict[str, str]] = Field(default_factory=dict, max_length=999)
    note: str = Field(default="", max_length=4000)
    evidence: list[str] = Field(default_factory=list, max_length=50)


class CloseIn(_In):
    findings: list[FindingIn] = Field(default_factory=list, max_length=20)
    checklist: dict[str, bool] = Field(default_factory=dict, max_length=50)


class EvidenceIn(_In):
    filename: str = Field(min_length=1, max_length=255)
    # Optional: the type is judged from the bytes; a claim that disagrees is refused.
    media_type: str | None = Field(default=None, min_length=3, max_length=100)
    content_base64: str = Field(max_length=10_000_000)


class AttachIn(_In):
    filename: str = Field(min_length=1, max_length=255)
    content_base64: str = Field(max_length=10_000_000)
    note: str = Field(default="", max_length=500)


class PaymentIn(_In):
    amount: Money
    reference: str = Field(min_length=1, max_length=100)


class GuaranteeIn(_In):
    holder_eori: str = Field(min_length=3, max_length=35)
    currency: str = Field(min_length=3, max_length=3)
    limit: Money


class ReasonIn(_In):
    reason: str = Field(min_length=1, max_length=2000)


class ReassignIn(ReasonIn):
    officer: str = Field(min_length=1, max_length=80)


class ApprovalIn(ReasonIn):
    action: str = Field(pattern="^(change_channel|release_held|waive_penalty|close_case)$")
    subject: str = Field(min_length=1, max_length=40, description="MRN, or case id")
    params: dict[str, str] = Field(default_factory=dict, max_length=10)


class DecisionIn(_In):
    approve: bool
    note: str = Field(default="", max_length=2000)


@router.get("/tasks", responses=ERRORS)
def tasks(
    ctx: CtxDep,
    principal: PrincipalDep,
    office: Annotated[str | None, Query(max_length=35)] = None,
    status: Annotated[str | None, Query(pattern="^(queued|allocated|closed)$")] = None,
    mine: bool = False,
    channel: Annotated[str | None, Query(pattern="^(green|yellow|red|blue)$")] = None,
) -> list[dict[str, Any]]:
    """An office's queue, or the caller's own tasks (``mine=true``), of one channel or all."""
    return svc.list_tasks(
        ctx, principal=principal, office=office, status=status, mine=mine, channel=channel
    )


@router.post("/tasks/{task_id}/close", responses=ERRORS)
def close(task_id: int, body: CloseIn, ctx: CtxDep, principal: PrincipalDep) -> dict[str, Any]:
    """The allocated officer's findings; the last task closed tries release."""
    return svc.close_task(
        ctx,
        principal=principal,
        task_id=task_id,
        findings=[Finding(f.code, f.corrections, f.note, tuple(f.evidence)) for f in body.findings],
        checklist=body.checklist,
    )


@router.post("/tasks/{task_id}/reassign", responses=ERRORS)
def reassign(
    task_id: int, body: ReassignIn, ctx: CtxDep, principal: PrincipalDep
) -> dict[str, Any]:
    """A supervisor moves a task to another officer, with a reason."""
    return svc.reassign(
        ctx, principal=principal, task_id=task_id, officer=body.officer, reason=body.reason
    )


@router.post("/evidence", status_code=201, responses=ERRORS)
def evidence(body: EvidenceIn, ctx: CtxDep, principal: PrincipalDep) -> dict[str, str]:
    """Store a scan, photo or lab report; its SHA-256 is its name, its type judged from its
    bytes (422 when a claimed ``media_type`` disagrees with them)."""
    try:
        content = base64.b64decode(body.content_base64, validate=True)
    except ValueError as exc:
        from customhouse.controls.errors import BadEvidence

        raise BadEvidence("content_base64 is not base64", []) from exc
    digest = svc.store_evidence(
        ctx,
        principal=principal,
        content=content,
        filename=body.filename,
        media_type=body.media_type,
    )
    return {"sha256": digest}


@router.post("/declarations/{mrn}/evidence", status_code=201, responses=ERRORS)
def attach_evidence(
    mrn: str, body: AttachIn, ctx: CtxDep, principal: PrincipalDep
) -> dict[str, Any]:
    """Attach a scan image, photo or lab report to a declaration (its type is judged from
    its bytes; stored once under its SHA-256)."""
    try:
        content = base64.b64decode(body.content_base64, validate=True)
    except ValueError as exc:
        from customhouse.controls.errors import BadEvidence

        raise BadEvidence("content_base64 is not base64", []) from exc
    return svc.attach_evidence(
        ctx,
        principal=principal,
        mrn=mrn,
        content=content,
        filename=body.filename,
        note=body.note,
    )


@router.get("/declarations/{mrn}/evidence", responses=ERRORS)
def evidence_of(mrn: str, ctx: CtxDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    """Evidence attached to a declaration, with each file's SHA-256."""
    view = get_declaration(ctx, principal=principal, mrn=mrn)
    return svc.list_evidence(ctx, principal=principal, declaration_id=view.id)


@router.post("/declarations/{mrn}/payments", responses=ERRORS)
def payment(mrn: str, body: PaymentIn, ctx: CtxDep, principal: PrincipalDep) -> dict[str, Any]:
    return svc.record_payment(
        ctx, principal=principal, mrn=mrn, amount=body.amount, reference=body.reference
    )


@router.post("/declarations/{mrn}/hold", responses=ERRORS)
def hold(mrn: str, body: ReasonIn, ctx: CtxDep, principal: PrincipalDep) -> dict[str, Any]:
    return svc.hold(ctx, principal=principal, mrn=mrn, reason=body.reason)


@router.post("/declarations/{mrn}/release", responses=ERRORS)
def release(mrn: str, ctx: CtxDep, principal: PrincipalDep) -> dict[str, Any]:
    return svc.release(ctx, principal=principal, mrn=mrn)


@router.get("/declarations/{mrn}/release-note", responses=ERRORS)
def release_note(mrn: str, ctx: CtxDep, principal: PrincipalDep) -> dict[str, Any]:
    return svc.release_note(ctx, principal=principal, mrn=mrn)


@router.post("/approvals", status_code=201, responses=ERRORS)
def ask(body: ApprovalIn, ctx: CtxDep, principal: PrincipalDep) -> dict[str, int]:
    """Ask for a change that another user with the supervisor role must approve."""
    approval = svc.request_approval(
        ctx,
        principal=principal,
        action=body.action,
        subject_id=body.subject,
        reason=body.reason,
        params=dict(body.params),
    )
    return {"approval": approval}


@router.get("/approvals", responses=ERRORS)
def approvals(
    ctx: CtxDep,
    principal: PrincipalDep,
    status: Annotated[str | None, Query(max_length=12)] = "pending",
) -> dict[str, Any]:
    """The supervisor's inbox of changes that need a second pair of eyes."""
    return {"approvals": svc.list_approvals(ctx, principal=principal, status=status or None)}


@router.post("/approvals/{approval_id}/decision", responses=ERRORS)
def decide(
    approval_id: int, body: DecisionIn, ctx: CtxDep, principal: PrincipalDep
) -> dict[str, Any]:
    return svc.decide_approval(
        ctx, principal=principal, approval_id=approval_id, approve=body.approve, note=body.note
    )


@router.get("/allocation/{day}", responses=ERRORS)
def verify(day: dt.date, ctx: CtxDep, principal: PrincipalDep) -> dict[str, Any]:
    """Re-derive every allocation of a revealed day."""
    return svc.verify_allocations(ctx, principal=principal, day=day)


@router.get("/release-times", responses=ERRORS)
def release_times(
    ctx: CtxDep,
    principal: PrincipalDep,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> dict[str, Any]:
    """Lodgement to release: median and 90th percentile per channel and office (WCO TRS)."""
    return svc.release_time_report(ctx, principal=principal, since=since, until=until)


@router.get("/guarantees", responses=ERRORS)
def guarantee_accounts(
    ctx: CtxDep,
    principal: PrincipalDep,
    holder: Annotated[str | None, Query(max_length=35)] = None,
) -> dict[str, Any]:
    """Deferment accounts and guarantees (a trader sees its own) with limit, balance and the
    amount drawn by releases and not yet settled."""
    return {"accounts": guarantees.list_guarantees(ctx, principal=principal, holder_eori=holder)}


@router.post("/guarantees", status_code=201, responses=ERRORS)
def open_guarantee(body: GuaranteeIn, ctx: CtxDep, principal: PrincipalDep) -> dict[str, int]:
    """Open a holder's deferment account in a currency (supervisor)."""
    account = guarantees.open_guarantee(
        ctx,
        principal=principal,
        holder_eori=body.holder_eori,
        currency=body.currency,
        limit=body.limit,
    )
    return {"account": account}


@router.get("/guarantees/{account_id}", responses=ERRORS)
def guarantee_account(account_id: int, ctx: CtxDep, principal: PrincipalDep) -> dict[str, Any]:
    """One account with its latest drawdowns (by MRN) and settlements."""
    return guarantees.guarantee_account(ctx, principal=principal, account_id=account_id)


@router.post("/guarantees/{account_id}/settlements", status_code=201, responses=ERRORS)
def settle(
    account_id: int, body: PaymentIn, ctx: CtxDep, principal: PrincipalDep
) -> dict[str, Any]:
    """Record the holder's payment into the account; refused above what is outstanding."""
    balance = guarantees.settle_guarantee(
        ctx,
        principal=principal,
        account_id=account_id,
        amount=body.amount,
        reference=body.reference,
    )
    return {"account": account_id, "balance": f"{balance:.2f}"}


@router.get("/revenue", responses=ERRORS)
def revenue(
    ctx: CtxDep,
    principal: PrincipalDep,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> dict[str, Any]:
    """Assessed and collected per day and currency; drawn on guarantees shown apart. Amounts
    are decimal strings (never floats)."""
    report = svc.revenue_report(ctx, principal=principal, since=since, until=until)
    return {k: _decimals_as_text(v) for k, v in report.items()}


def _decimals_as_text(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dict):
        return {k: _decimals_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decimals_as_text(v) for v in value]
    return value
