"""/api/v1: a declaration's screening (hits for customs staff, queries for its declarant) and
analysts' judgements on hits."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from customhouse.api.deps import CtxDep, PrincipalDep
from customhouse.api.schemas import ErrorOut
from customhouse.errors import Problem
from customhouse.screening.errors import EmptyAnswer
from customhouse.services.screening import (
    answer_query,
    declaration_screening,
    judge_hit,
    raise_query,
)

router = APIRouter(prefix="/api/v1", tags=["screening"])

ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": ErrorOut} for s in (401, 403, 404, 409, 413, 422)
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


class AnswerIn(BaseModel):
    """The declarant's answer to a query: words and, optionally, one document."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    text: str = Field(default="", max_length=4000)
    filename: str = Field(default="", max_length=255)
    content_base64: str = Field(default="", max_length=10_000_000)


@router.post("/screening/queries/{query_id}/answer", responses=ERRORS)
def answer(
    query_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: AnswerIn,
    ctx: CtxDep,
    principal: PrincipalDep,
) -> dict[str, Any]:
    """The declarant or its representative answers a query on its declaration (no one
    else, customs staff included); the document is kept under its SHA-256."""
    document = None
    if body.content_base64:
        try:
            content = base64.b64decode(body.content_base64, validate=True)
        except (ValueError, binascii.Error) as exc:
            raise EmptyAnswer(
                "content_base64 is not base64",
                [Problem("screening.bad_base64", "/content_base64", "not base64")],
            ) from exc
        document = (content, body.filename)
    return answer_query(
        ctx, principal=principal, query_id=query_id, text=body.text, document=document
    )


class QueryIn(BaseModel):
    """An officer asks the declarant for a document (item 0: the whole declaration)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    missing: str = Field(min_length=1, max_length=500)
    reason: str = Field(min_length=1, max_length=2000)
    legal_base: str = Field(default="", max_length=500)
    item: int = Field(default=0, ge=0, le=9999)


@router.post("/declarations/{mrn}/queries", status_code=201, responses=ERRORS)
def ask(
    mrn: Annotated[str, Path(max_length=18)],
    body: QueryIn,
    ctx: CtxDep,
    principal: PrincipalDep,
) -> dict[str, Any]:
    """Officers, inspectors and supervisors ask the declarant for a document."""
    return raise_query(
        ctx,
        principal=principal,
        mrn=mrn,
        missing=body.missing,
        reason=body.reason,
        legal_base=body.legal_base,
        item=body.item,
    )
