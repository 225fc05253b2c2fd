"""Officers' actions on a declaration: record findings, release, hold, ask a supervisor,
judge screening hits. Each calls the same service as the API; the role checks are theirs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from customhouse.controls.models import Finding, FindingCode, TaskStatus
from customhouse.declarations.repository import DeclarationFilter
from customhouse.errors import InvalidInput, Problem
from customhouse.services import controls as ctl
from customhouse.services import declarations as dsvc
from customhouse.services import enforcement as enf
from customhouse.services import screening as scr
from customhouse.web import extras
from customhouse.web.core import CsrfChecked, PageRoute, SignedIn, _, get_ctx, render
from customhouse.web.declarations import CHANNELS

router = APIRouter(route_class=PageRoute, include_in_schema=False)

FormText = Annotated[str, Form(max_length=500)]
MrnField = Annotated[str, Form(max_length=40)]
TASK_STATUSES = [s.value for s in TaskStatus]


def _back(mrn: str) -> Response:
    target = f"/declarations/{mrn}" if mrn.isalnum() else "/declarations"
    return RedirectResponse(target, status_code=303)


@router.post("/tasks/{task_id}/findings", dependencies=[CsrfChecked])
def record_finding(
    request: Request,
    principal: SignedIn,
    task_id: int,
    mrn: MrnField = "",
    code: FormText = "no_discrepancy",
    item: FormText = "",
    field: FormText = "",
    value: FormText = "",
    note: FormText = "",
) -> Response:
    try:
        finding_code = FindingCode(code)
    except ValueError as exc:
        raise InvalidInput(
            _("Choose a finding from the list."),
            [Problem("web.unknown_finding", "/code", code[:50])],
        ) from exc
    corrections: dict[int, dict[str, str]] = {}
    if field.strip():
        if not item.strip().isdigit() or not value.strip():
            raise InvalidInput(
                _("A correction needs the item number and the corrected value."),
                [Problem("web.correction", "/item", _("give the item number and the value"))],
            )
        corrections[int(item.strip())] = {field.strip(): value.strip()}
    ctl.close_task(
        get_ctx(request),
        principal=principal,
        task_id=task_id,
        findings=[Finding(finding_code, corrections, note.strip())],
    )
    return _back(mrn)


@router.post("/declarations/{mrn}/release", dependencies=[CsrfChecked])
def release(request: Request, principal: SignedIn, mrn: str) -> Response:
    ctl.release(get_ctx(request), principal=principal, mrn=mrn[:40])
    return _back(mrn)


@router.post("/declarations/{mrn}/hold", dependencies=[CsrfChecked])
def hold(request: Request, principal: SignedIn, mrn: str, reason: FormText = "") -> Response:
    ctl.hold(get_ctx(request), principal=principal, mrn=mrn[:40], reason=reason)
    return _back(mrn)


@router.post("/declarations/{mrn}/approvals", dependencies=[CsrfChecked])
def ask_approval(
    request: Request,
    principal: SignedIn,
    mrn: str,
    action: FormText = "",
    reason: FormText = "",
) -> Response:
    ctl.request_approval(
        get_ctx(request), principal=principal, action=action, subject_id=mrn[:40], reason=reason
    )
    return _back(mrn)


@router.post("/declarations/{mrn}/seize", dependencies=[CsrfChecked])
def seize(
    request: Request,
    principal: SignedIn,
    mrn: str,
    offence: FormText = "",
    custodian: FormText = "",
    location: FormText = "",
) -> Response:
    ctx = get_ctx(request)
    missing = [
        Problem("web.required", f"/{name}", _("This is required."))
        for name, value in (("offence", offence), ("custodian", custodian), ("location", location))
        if not value.strip()
    ]
    if missing:
        raise InvalidInput(_("Say what the offence is, who keeps the goods and where."), missing)
    view = dsvc.get_declaration(ctx, principal=principal, mrn=mrn[:40])
    goods = [
        {
            "item": item.get("sequence"),
            "commodity_code": item.get("commodity_code"),
            "description": item.get("description"),
            "net_mass": item.get("net_mass"),
        }
        for item in view.document.get("items", [])
    ]
    enf.seize(
        ctx,
        principal=principal,
        mrn=view.mrn or mrn,
        offence=offence.strip(),
        goods=goods,
        custodian=custodian.strip(),
        location=location.strip(),
    )
    return _back(mrn)


@router.post("/screening/hits/{hit_id}/judge", dependencies=[CsrfChecked])
def judge(
    request: Request,
    principal: SignedIn,
    hit_id: int,
    mrn: MrnField = "",
    verdict: FormText = "",
    note: FormText = "",
) -> Response:
    scr.judge_hit(get_ctx(request), principal=principal, hit_id=hit_id, verdict=verdict, note=note)
    return _back(mrn)


@router.get("/tasks", response_class=HTMLResponse)
def tasks_page(
    request: Request,
    principal: SignedIn,
    status: Annotated[str, Query(max_length=20)] = "",
    office: Annotated[str, Query(max_length=20)] = "",
    mine: Annotated[str, Query(max_length=5)] = "",
    channel: Annotated[str, Query(max_length=10)] = "",
    mrn: Annotated[str, Query(max_length=40)] = "",
) -> HTMLResponse:
    """Control tasks with filters: status, office, channel, one declaration, only mine."""
    ctx = get_ctx(request)
    declaration_id: int | None = None
    wanted = mrn.strip().upper()
    if wanted:
        # The same lookup (and access check) as the declaration page; an unknown MRN lists none.
        found = dsvc.list_declarations(
            ctx, principal=principal, filters=DeclarationFilter(mrn=wanted), page_size=2
        )
        exact = [d for d in found.items if d.mrn == wanted]
        declaration_id = exact[0].id if exact else -1
    tasks = ctl.list_tasks(
        ctx,
        principal=principal,
        office=office.strip().upper() or None,
        status=status if status in TASK_STATUSES else None,
        mine=mine == "on",
        channel=channel if channel in CHANNELS else None,
        declaration_id=declaration_id,
    )
    mrns = extras.mrns_of(ctx, {t["declaration_id"] for t in tasks})
    return render(
        request,
        "tasks.html",
        {
            "tasks": [{**t, "mrn": mrns.get(t["declaration_id"], "")} for t in tasks],
            "filters": {
                "status": status,
                "office": office,
                "mine": mine == "on",
                "channel": channel if channel in CHANNELS else "",
                "mrn": mrn,
            },
            "statuses": TASK_STATUSES,
            "channels": CHANNELS,
        },
    )


@router.get("/approvals", response_class=HTMLResponse)
def approvals_page(
    request: Request,
    principal: SignedIn,
    status: Annotated[str, Query(max_length=12)] = "pending",
) -> HTMLResponse:
    """The supervisor's inbox: overrides asked by an officer, approved by someone else."""
    wanted = status if status in ("pending", "approved", "refused") else "pending"
    items = ctl.list_approvals(get_ctx(request), principal=principal, status=wanted)
    return render(request, "approvals.html", {"approvals": items, "status": wanted})


@router.post("/approvals/{approval_id}/decision", dependencies=[CsrfChecked])
def decide(
    request: Request,
    principal: SignedIn,
    approval_id: int,
    decision: FormText = "",
    note: FormText = "",
) -> Response:
    if decision not in ("approve", "refuse"):
        raise InvalidInput(
            "choose approve or refuse",
            [Problem("approval.decision", "/decision", "choose approve or refuse")],
        )
    ctl.decide_approval(
        get_ctx(request),
        principal=principal,
        approval_id=approval_id,
        approve=decision == "approve",
        note=note,
    )
    return RedirectResponse("/approvals", status_code=303)
