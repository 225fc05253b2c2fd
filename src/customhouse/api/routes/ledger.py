"""/api/v1/ledger: verify the hash chain."""

from __future__ import annotations

from fastapi import APIRouter

from customhouse.access.models import Action
from customhouse.api.deps import CtxDep, PrincipalDep
from customhouse.api.schemas import LedgerVerifyOut
from customhouse.services.ledger import verify_ledger

router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"])


@router.get("/verify", response_model=LedgerVerifyOut)
def verify(ctx: CtxDep, principal: PrincipalDep) -> LedgerVerifyOut:
    principal.require(Action.VERIFY_LEDGER)
    result = verify_ledger(ctx)
    return LedgerVerifyOut(
        ok=result.ok, events=result.events, first_broken=result.first_broken, reason=result.reason
    )
