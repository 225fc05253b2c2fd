"""/api/v1/enforcement: seizures and custody, cases, penalties, links, nCEN export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from customhouse.api.deps import CtxDep, PrincipalDep
from customhouse.api.schemas import ErrorOut
from customhouse.services import enforcement as svc

router = APIRouter(prefix="/api/v1/enforcement", tags=["enforcement"])
ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": ErrorOut} for s in (401, 403, 404, 409, 422)
}


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SeizureIn(_In):
    mrn: str = Field(min_length=1, max_length=18)
    offence: str = Field(min_length=1, max_length=40)
    goods: list[dict[str, str]] = Field(min_length=1, max_length=999)
    custodian: str = Field(min_length=1, max_length=120)
    location: str = Field(min_length=1, max_length=200)
    detection: str = Field(default="physical_examination", max_length=40)
    legal_provision: str = Field(default="", max_length=200)


class HandOverIn(_In):
    from_custodian: str = Field(min_length=1, max_length=120)
    to_custodian: str = Field(min_length=1, max_length=120)
    location: str = Field(min_length=1, max_length=200)
    seal: str = Field(default="", max_length=60)


class MoveIn(_In):
    state: str = Field(pattern="^(investigation|penalty|settlement|appeal|closed)$")
    note: str = Field(default="", max_length=2000)


class PenaltyIn(_In):
    factors: list[str] = Field(default_factory=list, max_length=10)


@router.post("/seizures", status_code=201, responses=ERRORS)
def seize(body: SeizureIn, ctx: CtxDep, principal: PrincipalDep) -> dict[str, Any]:
    return svc.seize(ctx, principal=principal, **body.model_dump())


@router.post("/seizures/{seizure_id}/custody", status_code=201, responses=ERRORS)
def hand_over(
    seizure_id: int, body: HandOverIn, ctx: CtxDep, principal: PrincipalDep
) -> dict[str, int]:
    seq = svc.hand_over(ctx, principal=principal, seizure_id=seizure_id, **body.model_dump())
    return {"seq": seq}


@router.get("/seizures/{seizure_id}/custody", responses=ERRORS)
def chain(seizure_id: int, ctx: CtxDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    return svc.custody_chain(ctx, principal=principal, seizure_id=seizure_id)


@router.get("/seizures/export", responses=ERRORS)
def export(
    ctx: CtxDep, principal: PrincipalDep, since: dt.date | None = None
) -> list[dict[str, Any]]:
    """Seizures as records modelled on the WCO nCEN seizure record."""
    return svc.export_seizures(ctx, principal=principal, since=since)


@router.get("/cases/{case_id}", responses=ERRORS)
def case(case_id: int, ctx: CtxDep, principal: PrincipalDep) -> dict[str, Any]:
    return svc.case_view(ctx, principal=principal, case_id=case_id)


@router.post("/cases/{case_id}/state", responses=ERRORS)
def move(case_id: int, body: MoveIn, ctx: CtxDep, principal: PrincipalDep) -> dict[str, str]:
    """Move a case on (closing needs an approved ``close_case``: 403 here)."""
    state = svc.move_case(
        ctx, principal=principal, case_id=case_id, target=body.state, note=body.note
    )
    return {"state": state}


@router.post("/cases/{case_id}/penalty", status_code=201, responses=ERRORS)
def penalty(case_id: int, body: PenaltyIn, ctx: CtxDep, principal: PrincipalDep) -> dict[str, Any]:
    return svc.impose_penalty(ctx, principal=principal, case_id=case_id, factors=body.factors)


@router.get("/cases/{case_id}/links", responses=ERRORS)
def links(case_id: int, ctx: CtxDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    """Declarations sharing a party, address, container or means of transport."""
    return svc.case_links(ctx, principal=principal, case_id=case_id)
