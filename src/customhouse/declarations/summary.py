"""What the pipeline steps after assessment read of a declaration, without its whole document.

Classification reads each item's description and code and the holders of rulings; risk reads
the header, the parties' identities and each item's code, origin, amount and mass. A summary
is made where the document is parsed anyway (the preparing worker, or intake in the same
process), so the writer does not parse the document again for those steps (pydantic reading a
stored document cost about a quarter of a millisecond, an eighth of the writer's CPU per
declaration in ``customhouse bench pipeline``).

>>> from customhouse.declarations.models import DeclarationDocument
>>> doc = DeclarationDocument.model_validate({
...     "lrn": "L1", "declaration_type": "IM", "procedure": "4000", "office": "GB000060",
...     "declaration_date": "2025-01-06", "invoice_currency": "USD",
...     "total_invoice_amount": "100", "transport": {"mode_at_border": "1"},
...     "locations": {"country_of_dispatch": "CN"},
...     "parties": {"declarant": {"name": "A", "eori": "GB123456789000"},
...                 "seller": {"name": "CN Export Trading 7"}},
...     "items": [{"sequence": 1, "commodity_code": "6109100010", "description": "T-shirts",
...                "origin": "CN", "net_mass": "2.5", "gross_mass": "3",
...                "invoice_amount": "100"}]})
>>> s = summarise(doc)
>>> s.holders, s.seller_id, s.items[0].invoice_amount
(('GB123456789000',), 'CN Export Trading 7', Decimal('100'))
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from customhouse.declarations.models import DeclarationDocument


@dataclass(frozen=True, slots=True)
class ItemSummary:
    sequence: int
    commodity_code: str
    description: str
    origin: str
    invoice_amount: Decimal
    net_mass: Decimal


@dataclass(frozen=True, slots=True)
class DeclarationSummary:
    declaration_date: date
    declaration_type: str
    procedure: str
    office: str
    invoice_currency: str
    transport_mode: str
    dispatch_country: str
    declarant_eori: str
    importer_eori: str
    seller_id: str  # the seller's EORI, or its name where it has none
    items: tuple[ItemSummary, ...]

    @property
    def holders(self) -> tuple[str, ...]:
        """The EORIs a binding ruling for these goods could be held by (declarant, importer),
        upper case, each once, sorted."""
        found = {e.strip().upper() for e in (self.declarant_eori, self.importer_eori) if e}
        return tuple(sorted(found))


def summarise(doc: DeclarationDocument) -> DeclarationSummary:
    p = doc.parties
    return DeclarationSummary(
        declaration_date=doc.declaration_date,
        declaration_type=doc.declaration_type,
        procedure=doc.procedure,
        office=doc.office,
        invoice_currency=doc.invoice_currency,
        transport_mode=doc.transport.mode_at_border,
        dispatch_country=doc.locations.country_of_dispatch or "",
        declarant_eori=p.declarant.eori or "",
        importer_eori=(p.importer.eori if p.importer else None) or "",
        seller_id=(p.seller.eori or p.seller.name) if p.seller else "",
        items=tuple(
            ItemSummary(
                i.sequence,
                i.commodity_code,
                i.description,
                i.origin,
                Decimal(i.invoice_amount),
                Decimal(i.net_mass),
            )
            for i in doc.items
        ),
    )
