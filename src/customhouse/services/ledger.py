"""Verifying the ledger."""

from __future__ import annotations

from dataclasses import dataclass

from customhouse.ledger.repository import verify
from customhouse.services.context import Context


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    events: int
    first_broken: int | None
    reason: str | None


def verify_ledger(ctx: Context) -> VerifyResult:
    with ctx.sessions() as session:
        count, broken = verify(session)
    return VerifyResult(
        ok=broken is None,
        events=count,
        first_broken=broken.seq if broken else None,
        reason=broken.reason if broken else None,
    )
