"""/api/v1/operators: the register of economic operators."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel

from customhouse.api.deps import CtxDep, PrincipalDep
from customhouse.services.operators import OperatorInput, get_operator, register_operators
from customhouse.traders.models import Authorisation, Operator

router = APIRouter(prefix="/api/v1/operators", tags=["operators"])


class AuthorisationIO(BaseModel):
    kind: str
    reference: str
    valid_from: date
    valid_to: date | None = None


class OperatorIO(BaseModel):
    eori: str
    name: str
    country: str
    street: str | None = None
    city: str | None = None
    postcode: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    authorisations: list[AuthorisationIO] = []

    @classmethod
    def of(cls, op: Operator) -> OperatorIO:
        return cls(
            eori=op.eori,
            name=op.name,
            country=op.country,
            street=op.street,
            city=op.city,
            postcode=op.postcode,
            valid_from=op.valid_from,
            valid_to=op.valid_to,
            authorisations=[
                AuthorisationIO(
                    kind=a.kind, reference=a.reference, valid_from=a.valid_from, valid_to=a.valid_to
                )
                for a in op.authorisations
            ],
        )


@router.get("/{eori}", response_model=OperatorIO)
def read_operator(eori: str, ctx: CtxDep, principal: PrincipalDep) -> OperatorIO:
    return OperatorIO.of(get_operator(ctx, principal=principal, eori=eori))


@router.put("/{eori}", response_model=OperatorIO)
def put_operator(eori: str, body: OperatorIO, ctx: CtxDep, principal: PrincipalDep) -> OperatorIO:
    op = OperatorInput(
        eori=eori,
        name=body.name,
        country=body.country,
        street=body.street,
        city=body.city,
        postcode=body.postcode,
        valid_from=body.valid_from,
        valid_to=body.valid_to,
        authorisations=tuple(
            Authorisation(a.kind, a.reference, a.valid_from, a.valid_to)
            for a in body.authorisations
        ),
    )
    register_operators(ctx, principal=principal, operators=[op])
    return OperatorIO.of(get_operator(ctx, principal=principal, eori=eori))
