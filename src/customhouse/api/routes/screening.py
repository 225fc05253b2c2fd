"""/api/v1: a declaration's screening (hits for customs staff, queries for its declarant) and
analysts' judgements on hits."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from customhouse.api.deps import CtxDep, PrincipalDep
from customhouse.api.schemas import ErrorOut
from customhouse.services.screening import declaration_screening, judge_hit

router = APIRouter(prefix="/api/v1", tags=["screening"])

ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": ErrorOut} for s in (401, 403, 404, 409, 422)
}


class JudgementIn(BaseModel):
    """An analyst's verdict on a party hit; a false match is remembered for the pair."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    verdict: Literal["true_match", "false_match", "unsure"]
    note: str = Field(default="", max_length=2000)


@router.get("/declarations/{mrn}/screening", responses=ERRORS)
def get_screening(
    mrn: Annotated[str, Path(max_length=18)], ctx: CtxDep, principal: PrincipalDep
) -> dict[str, Any]:
    """The latest screening: outcome, queries and (customs staff only) every hit explained."""
    return declaration_screening(ctx, principal=principal, mrn=mrn)


@router.post("/screening/hits/{hit_id}/judgement", responses=ERRORS)
def judge(
    hit_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: JudgementIn,
    ctx: CtxDep,
    principal: PrincipalDep,
) -> dict[str, Any]:
    """Judge a party hit (risk analysts, officers, supervisors). A false match that was the
    last reason for a screening hold releases the declaration to the next steps."""
    return judge_hit(ctx, principal=principal, hit_id=hit_id, verdict=body.verdict, note=body.note)
