"""/api/v1/estimates: a duty estimate without lodging (public: no sign-in needed)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from customhouse.api.deps import CtxDep
from customhouse.api.schemas import ErrorOut
from customhouse.services.assessment import EstimateInput, estimate

router = APIRouter(prefix="/api/v1", tags=["assessment"])

Money = Annotated[Decimal, Field(max_digits=18, decimal_places=4, allow_inf_nan=False)]
UnitName = Annotated[str, Field(min_length=1, max_length=16)]
UnitAmount = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=6, allow_inf_nan=False)]


class EstimateIn(BaseModel):
    """What the goods are, where they come from and what they cost."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    commodity_code: str = Field(pattern=r"^[0-9]{4,10}$", examples=["85171300"])
    origin: str = Field(pattern=r"^[A-Za-z]{2}$", description="ISO 3166 alpha-2")
    value: Money = Field(gt=0, description="Price paid or payable for the goods.")
    currency: str = Field(pattern=r"^[A-Za-z]{3}$", description="ISO 4217 code of the value")
    incoterm: str = Field(default="FOB", pattern=r"^[A-Za-z]{3}$")
    freight: Money | None = Field(default=None, ge=0)
    insurance: Money | None = Field(default=None, ge=0)
    quantities: dict[UnitName, UnitAmount] = Field(
        default_factory=dict,
        max_length=8,
        description="Unit -> amount; Rec 20 (KGM, NAR, LTR ...) or tariff units (kg, item, l).",
    )
    preference_claimed: bool = False
    proof_of_origin: bool = Field(
        default=False, description="A valid proof of origin will be presented."
    )
    date: dt.date | None = Field(default=None, description="Law and rates of this date.")
    profile: str | None = Field(default=None, pattern=r"^[a-z]{2,16}$")


ERRORS: dict[int | str, dict[str, Any]] = {s: {"model": ErrorOut} for s in (404, 422)}


@router.post("/estimates", responses=ERRORS)
def create_estimate(body: EstimateIn, ctx: CtxDep) -> dict[str, Any]:
    """Duties and taxes the goods would owe, each line with its measure, rate, base and reason.

    Nothing is stored and no tariff quota is drawn.
    """
    return estimate(
        ctx,
        EstimateInput(
            commodity_code=body.commodity_code,
            origin=body.origin.upper(),
            value=body.value,
            currency=body.currency.upper(),
            incoterm=body.incoterm.upper(),
            freight=body.freight,
            insurance=body.insurance,
            quantities=body.quantities,
            preference_claimed=body.preference_claimed,
            proof_of_origin=body.proof_of_origin,
            at=body.date,
            profile=body.profile,
        ),
    )
