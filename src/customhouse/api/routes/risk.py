"""/api/v1/risk: selectivity profiles under four eyes, and the risk models with their metrics."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from customhouse.api.deps import CtxDep, PrincipalDep
from customhouse.api.schemas import ErrorOut
from customhouse.services import risk as svc

router = APIRouter(prefix="/api/v1/risk", tags=["risk"])

ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": ErrorOut} for s in (401, 403, 404, 409, 422)
}
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]


class ProfileIn(BaseModel):
    """A new version of a targeting profile (a draft until a second person approves it)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: Code
    name: str = Field(default="", max_length=200)
    criteria: dict[str, Any] = Field(
        description="commodity_prefixes, origins, departures, importers, declarants, sellers, "
        "procedures, transport_modes, offices (lists); value_min/max, unit_value_min/max, "
        "unit_value_below_reference, unit_value_above_reference (numbers)",
        examples=[{"commodity_prefixes": ["2402"], "origins": ["AE"]}],
    )
    channel: str = Field(default="red", pattern=r"^(green|yellow|red|blue)$")
    priority: int = Field(default=0, ge=0, le=1000)
    instructions: str = Field(default="", max_length=2000)
    valid_from: date | None = None
    valid_to: date | None = None


class ApprovalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(default="", max_length=2000)


class ActivationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    office: str = Field(min_length=1, max_length=35)


@router.post("/profiles", status_code=201, responses=ERRORS)
def create_profile(body: ProfileIn, ctx: CtxDep, principal: PrincipalDep) -> dict[str, Any]:
    """Draft a profile version (risk analysts); the code's next version number is given."""
    data = body.model_dump(exclude_none=True)
    data["name"] = data.get("name") or body.code
    for key in ("valid_from", "valid_to"):
        if key in data:
            data[key] = data[key].isoformat()
    return svc.create_profile(ctx, principal=principal, data=data)


@router.get("/profiles", responses=ERRORS)
def list_profiles(ctx: CtxDep, principal: PrincipalDep) -> dict[str, Any]:
    """Every profile version with its hits, controls, findings and hit rate."""
    return {"items": svc.list_profiles(ctx, principal=principal)}


@router.post("/profiles/{code}/submit", responses=ERRORS)
def submit_profile(
    code: str, ctx: CtxDep, principal: PrincipalDep, version: int | None = None
) -> dict[str, Any]:
    """The author hands the latest (or given) draft over for approval."""
    return svc.submit_profile(ctx, principal=principal, code=code, version=version)


@router.post("/profiles/{code}/approve", responses=ERRORS)
def approve_profile(
    code: str,
    ctx: CtxDep,
    principal: PrincipalDep,
    body: ApprovalIn | None = None,
    version: int | None = None,
) -> dict[str, Any]:
    """A different risk analyst or a supervisor activates it; the author is refused (409)."""
    return svc.approve_profile(
        ctx, principal=principal, code=code, version=version, note=body.note if body else ""
    )


@router.get("/models", responses=ERRORS)
def list_models(ctx: CtxDep, principal: PrincipalDep) -> dict[str, Any]:
    """Stored models with their training window, metrics and the offices using them."""
    return {"items": svc.list_models(ctx, principal=principal)}


@router.post("/models/{version}/activate", responses=ERRORS)
def activate_model(
    version: str, body: ActivationIn, ctx: CtxDep, principal: PrincipalDep
) -> dict[str, Any]:
    """Make the model the one in use at an office."""
    return svc.activate_model(ctx, principal=principal, version=version, office=body.office)
