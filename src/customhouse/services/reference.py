"""Reference data and the operator register as the services see them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from customhouse.access.models import Action, Principal
from customhouse.reference.service import load_reference
from customhouse.reference.snapshot import ReferenceSnapshot
from customhouse.services.context import Context
from customhouse.traders.models import Authorisation, Operator, OperatorRegister
from customhouse.traders.tables import AuthorisationRow, OperatorRow

_REFERENCE = "reference.snapshot"


def reference_snapshot(ctx: Context) -> ReferenceSnapshot:
    """The snapshot of the reference data in the database, built once per process."""

    def build() -> ReferenceSnapshot:
        with ctx.sessions() as session:
            return ReferenceSnapshot.from_session(session)

    snapshot: ReferenceSnapshot = ctx.cached(_REFERENCE, build)
    return snapshot


def forget_reference(ctx: Context) -> None:
    ctx.forget(_REFERENCE)


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def load_operators(session: Session, eoris: Iterable[str]) -> list[Operator]:
    wanted = sorted(set(eoris))
    if not wanted:
        return []
    ops = {
        r.eori: r
        for r in session.execute(select(OperatorRow).where(OperatorRow.eori.in_(wanted))).scalars()
    }
    auths: dict[str, list[Authorisation]] = {}
    for a in session.execute(
        select(AuthorisationRow).where(AuthorisationRow.eori.in_(list(ops)))
    ).scalars():
        auths.setdefault(a.eori, []).append(
            Authorisation(a.kind, a.reference, date.fromisoformat(a.valid_from), _d(a.valid_to))
        )
    return [
        Operator(
            eori=r.eori,
            name=r.name,
            country=r.country,
            street=r.street,
            city=r.city,
            postcode=r.postcode,
            valid_from=_d(r.valid_from),
            valid_to=_d(r.valid_to),
            authorisations=tuple(auths.get(r.eori, ())),
        )
        for r in ops.values()
    ]


def operator_lookup(session: Session, eoris: Iterable[str]) -> OperatorRegister:
    """The register entries for just these EORIs: one query a batch, however large the register."""
    return OperatorRegister.of(load_operators(session, eoris))


def load_reference_data(
    ctx: Context,
    *,
    principal: Principal,
    sets: list[str] | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Replace the reference sets with the shipped data, in one transaction, on the ledger."""
    principal.require(Action.MANAGE_REFERENCE)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        counts = load_reference(uow.session, sets=sets, progress=progress, loaded_at=now)
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="reference.loaded",
            subject_type="reference",
            subject_id=",".join(sorted(counts)),
            payload={"rows": counts},
        )
        uow.commit()
    forget_reference(ctx)
    return counts
