"""The register of economic operators: add or update an operator and its authorisations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete

from customhouse.access.models import Action, Principal
from customhouse.errors import NotFound
from customhouse.identifiers import eori as eori_id
from customhouse.services.context import Context
from customhouse.services.reference import load_operators
from customhouse.traders.models import Authorisation, Operator
from customhouse.traders.tables import AuthorisationRow, OperatorRow


class OperatorNotFound(NotFound):
    code = "traders.OperatorNotFound"


@dataclass(frozen=True)
class OperatorInput:
    eori: str
    name: str
    country: str
    street: str | None = None
    city: str | None = None
    postcode: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    authorisations: tuple[Authorisation, ...] = ()


def register_operators(
    ctx: Context, *, principal: Principal, operators: list[OperatorInput]
) -> int:
    """Insert or replace operators (with their authorisations); one ledger event each."""
    principal.require(Action.MANAGE_OPERATORS)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        for op in operators:
            number = eori_id.validate(op.eori)
            row = uow.session.get(OperatorRow, number) or OperatorRow(eori=number)
            row.name, row.country = op.name, op.country
            row.street, row.city, row.postcode = op.street, op.city, op.postcode
            row.valid_from = op.valid_from.isoformat() if op.valid_from else None
            row.valid_to = op.valid_to.isoformat() if op.valid_to else None
            uow.session.add(row)
            uow.session.flush()
            uow.session.execute(delete(AuthorisationRow).where(AuthorisationRow.eori == number))
            for a in op.authorisations:
                uow.session.add(
                    AuthorisationRow(
                        eori=number,
                        kind=a.kind,
                        reference=a.reference,
                        valid_from=a.valid_from.isoformat(),
                        valid_to=a.valid_to.isoformat() if a.valid_to else None,
                    )
                )
            uow.ledger.append(
                at=now,
                actor=principal.actor,
                kind="operator.registered",
                subject_type="operator",
                subject_id=number,
                payload={
                    "name": op.name,
                    "country": op.country,
                    "authorisations": [f"{a.kind}:{a.reference}" for a in op.authorisations],
                },
            )
        uow.commit()
    return len(operators)


def get_operator(ctx: Context, *, principal: Principal, eori: str) -> Operator:
    principal.require(Action.READ_OPERATOR)
    with ctx.sessions() as session:
        found = load_operators(session, [eori_id.compact(eori)])
    if not found:
        raise OperatorNotFound(f"{eori} is not in the register", {"eori": eori})
    return found[0]
