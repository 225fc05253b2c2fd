"""The declaration document as lodged, aligned with the WCO Data Model.

Codes are kept as strings here and checked by :mod:`customhouse.declarations.rules`, so that a
declaration with ten wrong codes is rejected with ten problems at once rather than with the first
type error. Pydantic only refuses what cannot be read at all (a word where a number belongs).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Text = Annotated[str, Field(max_length=512)]
ShortCode = Annotated[str, Field(max_length=35)]
Amount = Annotated[Decimal, Field(max_digits=18, decimal_places=4)]
Mass = Annotated[Decimal, Field(max_digits=16, decimal_places=6)]


class DeclarationType(StrEnum):
    """WCO/UCC declaration type (data element 1/1)."""

    IMPORT = "IM"
    EXPORT = "EX"
    SPECIAL_FISCAL = "CO"
    TRANSIT_T1 = "T1"
    TRANSIT_T2 = "T2"

    @property
    def is_transit(self) -> bool:
        return self in (DeclarationType.TRANSIT_T1, DeclarationType.TRANSIT_T2)


class TransportMode(StrEnum):
    """UN/ECE Recommendation 19 mode of transport at the border (data element 7/4)."""

    SEA = "1"
    RAIL = "2"
    ROAD = "3"
    AIR = "4"
    POST = "5"
    FIXED_INSTALLATION = "7"
    INLAND_WATERWAY = "8"
    OWN_PROPULSION = "9"


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Address(_Doc):
    street: Text | None = None
    city: Text | None = None
    postcode: ShortCode | None = None
    country: ShortCode


class Party(_Doc):
    """An operator named on the declaration; identified by EORI and, where given, VAT number."""

    name: Text
    eori: ShortCode | None = None
    vat_number: ShortCode | None = None
    address: Address | None = None


class Parties(_Doc):
    declarant: Party
    exporter: Party | None = None
    importer: Party | None = None
    representative: Party | None = None
    representative_status: ShortCode | None = Field(
        default=None, description="2 = direct, 3 = indirect representation (DE 3/21)."
    )
    seller: Party | None = None
    buyer: Party | None = None


class Document(_Doc):
    """A previous or supporting document (DE 2/1, 2/3): type code and reference."""

    type: ShortCode
    reference: ShortCode
    issued_on: date | None = None
    valid_to: date | None = None


class Quantity(_Doc):
    value: Amount
    unit: ShortCode = Field(description="UN/ECE Rec 20 or tariff unit code, e.g. NAR, LTR, KGM.")


class Transport(_Doc):
    mode_at_border: ShortCode
    inland_mode: ShortCode | None = None
    means_identity: Text | None = None
    means_nationality: ShortCode | None = None
    containers: list[ShortCode] = Field(default_factory=list, max_length=999)


class Locations(_Doc):
    country_of_dispatch: ShortCode | None = None
    country_of_destination: ShortCode | None = None
    place_of_loading: ShortCode | None = Field(default=None, description="UN/LOCODE")
    place_of_unloading: ShortCode | None = Field(default=None, description="UN/LOCODE")
    goods_location: Text | None = None


class Incoterm(_Doc):
    code: ShortCode
    place: Text | None = None


class Costs(_Doc):
    """Transport and insurance costs to the place of entry (Article 8 additions)."""

    freight: Amount | None = None
    insurance: Amount | None = None
    currency: ShortCode | None = None


class Item(_Doc):
    """A goods item (WCO GovernmentAgencyGoodsItem)."""

    sequence: int = Field(ge=1, le=9999)
    commodity_code: ShortCode
    description: Text
    origin: ShortCode
    preferential_origin: ShortCode | None = None
    preference: ShortCode | None = Field(
        default=None, description="DE 4/17: 100 = MFN, 200 = GSP, 300 = preferential agreement."
    )
    procedure: ShortCode | None = None
    additional_procedures: list[ShortCode] = Field(default_factory=list, max_length=99)
    quantity: Quantity | None = None
    supplementary_units: Amount | None = None
    gross_mass: Mass
    net_mass: Mass
    invoice_amount: Amount
    currency: ShortCode | None = None
    valuation_method: ShortCode = "1"
    packages: int | None = Field(default=None, ge=0, le=10_000_000)
    documents: list[Document] = Field(default_factory=list, max_length=99)


class DeclarationDocument(_Doc):
    """A customs declaration as the declarant lodges it (JSON Schema published in docs/)."""

    lrn: ShortCode = Field(description="Local reference number, unique per declarant.")
    declaration_type: ShortCode
    additional_type: ShortCode = "A"
    procedure: ShortCode = Field(description="Requested and previous procedure, e.g. 4000.")
    office: ShortCode = Field(description="Customs office of lodgement, e.g. GB000060.")
    declaration_date: date
    parties: Parties
    transport: Transport
    locations: Locations = Field(default_factory=lambda: Locations())
    incoterm: Incoterm | None = None
    costs: Costs | None = None
    invoice_currency: ShortCode
    total_invoice_amount: Amount
    total_gross_mass: Mass | None = None
    total_packages: int | None = Field(default=None, ge=0, le=100_000_000)
    previous_documents: list[Document] = Field(default_factory=list, max_length=99)
    documents: list[Document] = Field(default_factory=list, max_length=999)
    items: list[Item] = Field(min_length=1, max_length=999)

    def all_documents(self) -> list[Document]:
        """Header and item documents together."""
        docs = list(self.documents)
        for item in self.items:
            docs.extend(item.documents)
        return docs
