"""/api/v1/classification (public suggestions and nomenclature search) and /api/v1/rulings."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from customhouse.api.deps import CtxDep, PrincipalDep
from customhouse.api.schemas import ErrorOut
from customhouse.classification.rulings import BindingRuling
from customhouse.services import classification as svc

router = APIRouter(prefix="/api/v1", tags=["classification"])

ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": ErrorOut} for s in (401, 403, 404, 409, 422)
}
Text = Annotated[str, Query(min_length=1, max_length=svc.MAX_QUERY)]


@router.get("/classification/suggest", responses=ERRORS)
def suggest(ctx: CtxDep, q: Text, k: Annotated[int, Query(ge=1, le=20)] = 5) -> dict[str, Any]:
    """Likely HS6 codes for a goods description, each with its calibrated confidence, the
    nomenclature path and the closest known descriptions; or an abstention (``abstained``)
    saying in ``missing`` what the description lacks. Public: no sign-in needed."""
    return svc.suggest(ctx, text=q, k=k).as_dict()


@router.get("/classification/search", responses=ERRORS)
def search(ctx: CtxDep, q: Text, limit: Annotated[int, Query(ge=1, le=50)] = 10) -> dict[str, Any]:
    """Type-ahead over sections, chapters, headings and subheadings (words or a code prefix)."""
    return {"query": q, "hits": [h.as_dict() for h in svc.search(ctx, text=q, limit=limit)]}


class RulingIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    holder_eori: str = Field(min_length=3, max_length=17, examples=["GB123456789000"])
    goods_description: str = Field(min_length=3, max_length=4000)
    commodity_code: str = Field(pattern=r"^[0-9]{6,10}$", examples=["6109100010"])
    justification: str = Field(min_length=3, max_length=4000)
    valid_to: date | None = Field(
        default=None, description="Exclusive end; three years from issue by default."
    )


class RevocationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=3, max_length=2000)


class RulingOut(BaseModel):
    reference: str
    holder_eori: str
    goods_description: str
    commodity_code: str
    justification: str
    valid_from: date
    valid_to: date
    revoked_on: date | None
    revocation_reason: str | None

    @classmethod
    def of(cls, r: BindingRuling) -> RulingOut:
        return cls(
            reference=r.reference,
            holder_eori=r.holder_eori,
            goods_description=r.goods_description,
            commodity_code=r.commodity_code,
            justification=r.justification,
            valid_from=r.valid_from,
            valid_to=r.valid_to,
            revoked_on=r.revoked_on,
            revocation_reason=r.revocation_reason,
        )


@router.post("/rulings", status_code=201, response_model=RulingOut, responses=ERRORS)
def issue_ruling(body: RulingIn, ctx: CtxDep, principal: PrincipalDep) -> RulingOut:
    """An officer issues a binding tariff ruling to a holder (valid three years by default)."""
    return RulingOut.of(
        svc.issue(
            ctx,
            principal=principal,
            holder_eori=body.holder_eori,
            goods_description=body.goods_description,
            commodity_code=body.commodity_code,
            justification=body.justification,
            valid_to=body.valid_to,
        )
    )


@router.post("/rulings/{reference}/revocation", response_model=RulingOut, responses=ERRORS)
def revoke_ruling(
    reference: str, body: RevocationIn, ctx: CtxDep, principal: PrincipalDep
) -> RulingOut:
    """An officer or supervisor revokes a ruling from today."""
    return RulingOut.of(
        svc.revoke(ctx, principal=principal, reference=reference, reason=body.reason)
    )


@router.get("/rulings", response_model=list[RulingOut], responses=ERRORS)
def list_rulings(
    ctx: CtxDep,
    principal: PrincipalDep,
    holder: Annotated[str | None, Query(max_length=17)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[RulingOut]:
    """Rulings by holder and text; staff see all, a declarant only its own."""
    return [
        RulingOut.of(r)
        for r in svc.list_rulings(ctx, principal=principal, holder=holder, text=q, limit=limit)
    ]
