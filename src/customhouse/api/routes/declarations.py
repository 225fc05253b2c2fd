"""/api/v1/declarations: lodge, read, list, amend, invalidate."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Query, Response

from customhouse.api.deps import CtxDep, PrincipalDep
from customhouse.api.schemas import (
    AmendIn,
    DeclarationOut,
    DeclarationSummary,
    ErrorOut,
    InvalidateIn,
    LodgementOut,
    PageOut,
)
from customhouse.declarations.errors import DeclarationRejected
from customhouse.declarations.repository import DeclarationFilter
from customhouse.errors import Problem
from customhouse.services import declarations as svc
from customhouse.services.assessment import current_assessment
from customhouse.services.classification import findings_for
from customhouse.services.pipeline import run_after_acceptance
from customhouse.services.risk import risk_view
from customhouse.services.screening import screening_summary

router = APIRouter(prefix="/api/v1/declarations", tags=["declarations"])

ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": ErrorOut} for s in (401, 403, 404, 409, 413, 422)
}


@router.post(
    "",
    status_code=201,
    response_model=LodgementOut,
    responses=ERRORS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/DeclarationDocument"}}
            },
        }
    },
)
def lodge_declaration(
    raw: Annotated[Any, Body()],
    response: Response,
    ctx: CtxDep,
    principal: PrincipalDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> LodgementOut:
    """Lodge a declaration. Retrying with the same Idempotency-Key never makes a second one."""
    key = f"api:{principal.username}:{idempotency_key}" if idempotency_key else None
    outcome = svc.lodge(ctx, principal=principal, raw=raw, idempotency_key=key)
    if outcome.replayed:
        response.status_code = 200
    else:
        run_after_acceptance(ctx, [outcome.id])
    if outcome.mrn:
        response.headers["Location"] = f"/api/v1/declarations/{outcome.mrn}"
    view = svc.get_declaration(ctx, principal=principal, mrn=outcome.mrn) if outcome.mrn else None
    out = LodgementOut.of(outcome)
    if view is not None:
        out.state = view.state
    return out


@router.get("", response_model=PageOut, responses=ERRORS)
def list_declarations(
    ctx: CtxDep,
    principal: PrincipalDep,
    state: Annotated[str | None, Query(max_length=20)] = None,
    declarant: Annotated[str | None, Query(max_length=35)] = None,
    office: Annotated[str | None, Query(max_length=35)] = None,
    commodity_code: Annotated[str | None, Query(max_length=10)] = None,
    mrn: Annotated[str | None, Query(max_length=18)] = None,
    lrn: Annotated[str | None, Query(max_length=35)] = None,
    lodged_from: Annotated[str | None, Query(max_length=40)] = None,
    lodged_to: Annotated[str | None, Query(max_length=40)] = None,
    channel: Annotated[str | None, Query(pattern="^(green|yellow|red|blue)$")] = None,
    party: Annotated[str | None, Query(max_length=35)] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> PageOut:
    filters = DeclarationFilter(
        state=state,
        declarant=declarant,
        office=office,
        commodity_code=commodity_code,
        mrn=mrn,
        lrn=lrn,
        lodged_from=lodged_from,
        lodged_to=lodged_to,
        channel=channel,
        party=party,
    )
    result = svc.list_declarations(
        ctx, principal=principal, filters=filters, page=page, page_size=page_size
    )
    return PageOut(
        total=result.total,
        page=result.page,
        page_size=result.page_size,
        items=[DeclarationSummary.of(v) for v in result.items],
    )


@router.get("/{mrn}", response_model=DeclarationOut, responses=ERRORS)
def get_declaration(mrn: str, ctx: CtxDep, principal: PrincipalDep) -> DeclarationOut:
    """One declaration with every version, its whole history on the ledger, and (in
    ``extra.assessment``) its current assessment with every line and reason."""
    view = svc.get_declaration(ctx, principal=principal, mrn=mrn)
    # issue 3: the current assessment travels with the declaration
    return DeclarationOut.full(
        view,
        extra={
            "assessment": current_assessment(ctx, view.id),
            # issue 5: outcome and queries; hits and list entries for customs staff only
            "screening": screening_summary(ctx, principal=principal, declaration_id=view.id),
            # issue 4: channel and reasons, for customs staff only
            "risk": risk_view(ctx, principal=principal, declaration_id=view.id),
            "classification": findings_for(ctx, view.id),  # issue 7: fit and ruling conflicts
        },
    )


@router.post("/{mrn}/amendments", response_model=DeclarationOut, responses=ERRORS)
def amend_declaration(
    mrn: str, body: AmendIn, ctx: CtxDep, principal: PrincipalDep
) -> DeclarationOut:
    if not body.reason.strip():
        raise DeclarationRejected(
            "a reason is required",
            [Problem("amendment.reason_missing", "/reason", "say why the declaration is amended")],
        )
    view = svc.amend(ctx, principal=principal, mrn=mrn, raw=body.declaration, reason=body.reason)
    return DeclarationOut.full(view)


@router.post("/{mrn}/invalidation", response_model=DeclarationOut, responses=ERRORS)
def invalidate_declaration(
    mrn: str, body: InvalidateIn, ctx: CtxDep, principal: PrincipalDep
) -> DeclarationOut:
    return DeclarationOut.full(
        svc.invalidate(ctx, principal=principal, mrn=mrn, reason=body.reason)
    )
