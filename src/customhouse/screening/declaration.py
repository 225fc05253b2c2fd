"""Screening one declaration: its parties against the lists, its items against goods controls.

Pure: the index, the controls, the threshold, the date and the analysts' remembered verdicts are
passed in. The result says what to store (every hit, every query) and whether to hold, with the
reasons.

>>> from datetime import date
>>> from customhouse.screening.goods import Embargo, GoodsControls
>>> from customhouse.screening.models import ListedEntity, ListKind, SanctionsList
>>> e = ListedEntity("UN", "QDe.1", "Acme Weapons Trading")
>>> index = ScreeningIndex([SanctionsList("UN", ListKind.UN, "v1", (e,))])
>>> doc = DeclarationDocument.model_validate(EXAMPLE)
>>> r = screen_declaration(doc, index=index, controls=GoodsControls(), threshold=0.8,
...                        at=date(2025, 6, 2))
>>> r.outcome, [h.list_name for h in r.hits], r.hold_reasons[0].startswith("seller")
('held', ['UN'], True)
>>> clean = screen_declaration(doc, index=None, controls=GoodsControls(), threshold=0.8,
...                            at=date(2025, 6, 2))
>>> clean.outcome, clean.note
('not_screened', 'no sanctions list is loaded: the parties were not screened')
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from customhouse.declarations.models import DeclarationDocument
from customhouse.declarations.models import Document as DeclaredDocument
from customhouse.declarations.models import Party as DeclaredParty
from customhouse.screening.engine import ScreeningIndex, screen_party
from customhouse.screening.goods import (
    Action,
    Document,
    Flow,
    GoodsControls,
    GoodsItem,
    screen_goods,
)
from customhouse.screening.models import (
    EntityType,
    Identifier,
    Party,
    PartyScreening,
    Verdict,
    party_key,
)
from customhouse.screening.names import GENERIC, plain_words

ROLES = ("declarant", "importer", "exporter", "representative", "seller", "buyer")
NO_LIST = "no sanctions list is loaded: the parties were not screened"

# DE 2/3 document codes (EU codes list, abridged) -> the document kinds goods controls ask for.
DOCUMENT_KINDS: dict[str, str] = {
    "C400": "CITES",  # CITES import permit
    "C401": "CITES",  # CITES export permit / re-export certificate
    "C635": "CITES",  # CITES import notification
    "N851": "PHYTO",  # phytosanitary certificate
    "C085": "PHYTO",  # common health entry document for plants (CHED-PP)
    "N853": "VET",  # common veterinary entry document (CHED-A / CHED-P)
    "C640": "VET",  # veterinary certificate
    "C678": "VET",  # CHED-D
    "X002": "EXPORT_LICENCE",  # dual-use export authorisation (Regulation (EU) 2021/821)
    "X001": "EXPORT_LICENCE",  # individual export licence for military goods
    "E012": "CULTURAL_LICENCE",  # export licence for cultural goods (Regulation 116/2009)
}

# Remembered verdicts: (party key, list, entity id, entity fingerprint) -> latest verdict.
Remembered = Mapping[tuple[str, str, str, str], Verdict]
# (party, threshold) -> its screening against one index
ScreenedParties = MutableMapping[tuple[Party, float], PartyScreening]


@dataclass(frozen=True, slots=True)
class HitRecord:
    """One hit as it is stored: a party against a list entry, or an item against a control."""

    subject: str  # party | goods
    list_name: str
    entity_id: str
    entity_name: str
    action: str  # hold | query | remembered
    status: str  # open | confirmed | dismissed
    explanation: dict[str, Any]
    party_role: str | None = None
    item_sequence: int | None = None
    party_key: str = ""
    screened_name: str = ""
    fingerprint: str = ""
    score: float | None = None


@dataclass(frozen=True, slots=True)
class QueryRecord:
    """A document the declarant must provide, and why."""

    item_sequence: int
    missing: str
    legal_base: str
    reason: str


@dataclass(frozen=True, slots=True)
class DeclarationScreening:
    """What screening one declaration found: ``clear``, ``held`` or ``not_screened``."""

    hits: tuple[HitRecord, ...] = ()
    queries: tuple[QueryRecord, ...] = ()
    hold_reasons: tuple[str, ...] = ()
    public_reasons: tuple[str, ...] = ()  # what the declarant may read: no list entry named
    note: str = ""
    party_keys: tuple[str, ...] = field(default=())

    @property
    def outcome(self) -> str:
        if self.hold_reasons:
            return "held"
        return "not_screened" if self.note == NO_LIST else "clear"


def _country(p: DeclaredParty) -> str:
    if p.address is not None and len(p.address.country) == 2:
        return p.address.country.upper()
    prefix = (p.eori or "")[:2]
    return prefix.upper() if prefix.isalpha() else ""


def entity_type(name: str) -> EntityType:
    """An operator whose name carries a legal form or a trade word is an organisation (then a
    listed person is a weak match); otherwise it may be a person trading in their own name.

    >>> entity_type("Thames Import Co"), entity_type("Jane Smith")
    (<EntityType.ORGANIZATION: 'organization'>, <EntityType.UNKNOWN: 'unknown'>)
    """
    generic = any(w in GENERIC or w.removesuffix("s") in GENERIC for w in plain_words(name))
    return EntityType.ORGANIZATION if generic else EntityType.UNKNOWN


def parties_of(doc: DeclarationDocument) -> list[tuple[str, Party]]:
    """Every named party of the declaration, by role, as screening sees it (EORI as identifier).

    >>> [(role, p.name, p.country) for role, p in parties_of(DeclarationDocument.model_validate(
    ...     EXAMPLE))]
    [('declarant', 'Harbour Imports Ltd', 'GB'), ('seller', 'Acme Weapons Trading', 'AE')]
    """
    out = []
    for role in ROLES:
        p = getattr(doc.parties, role)
        if p is None or not p.name.strip():
            continue
        ids = (Identifier("EORI", p.eori, p.eori[:2]),) if p.eori else ()
        party = Party(
            p.name,
            country=_country(p),
            identifiers=ids,
            entity_type=entity_type(p.name),
            reference=role,
        )
        out.append((role, party))
    return out


def _document(d: DeclaredDocument) -> Document:
    code = d.type.upper()
    return Document(DOCUMENT_KINDS.get(code, code), d.reference)


def goods_of(doc: DeclarationDocument) -> tuple[list[GoodsItem], Flow]:
    """The items as goods controls see them; header documents count for every item."""
    flow = Flow.EXPORT if doc.declaration_type.upper() == "EX" else Flow.IMPORT
    header = tuple(_document(d) for d in doc.documents)
    items = [
        GoodsItem(
            code=i.commodity_code,
            description=i.description,
            origin=i.origin.upper(),
            value=i.invoice_amount,
            currency=(i.currency or doc.invoice_currency).upper(),
            quantity=i.quantity.value if i.quantity is not None else None,
            documents=header + tuple(_document(d) for d in i.documents),
            destination=(doc.locations.country_of_destination or "").upper(),
        )
        for i in doc.items
    ]
    return items, flow


def _party_hits(
    doc: DeclarationDocument,
    index: ScreeningIndex,
    threshold: float,
    remembered: Remembered,
    screened: ScreenedParties | None,
) -> tuple[list[HitRecord], list[str], list[str], list[str]]:
    hits: list[HitRecord] = []
    reasons: list[str] = []
    public: list[str] = []
    keys: list[str] = []
    for role, party in parties_of(doc):
        key = party_key(party)
        keys.append(key)
        found = screened.get((party, threshold)) if screened is not None else None
        if found is None:
            found = screen_party(index, party, threshold)
            if screened is not None:
                screened[(party, threshold)] = found
        for h in found.hits:
            verdict = remembered.get((key, h.list_name, h.entity_id, h.fingerprint))
            explanation: dict[str, Any] = {
                "matched_name": h.matched_name,
                "features": [f.as_dict() for f in h.features],
                "threshold": threshold,
            }
            if verdict is Verdict.FALSE_MATCH:
                action, status = "remembered", "dismissed"
                explanation["remembered"] = "judged a false match at this entry's content"
            else:
                action = "hold"
                status = "confirmed" if verdict is Verdict.TRUE_MATCH else "open"
                public.append(f"{role}: party screening needs a review by customs")
                reasons.append(
                    f"{role} {party.name!r} matches {h.list_name} entry {h.entity_id}"
                    f" {h.entity_name!r} (score {h.score:.2f})"
                )
            hits.append(
                HitRecord(
                    subject="party",
                    list_name=h.list_name,
                    entity_id=h.entity_id,
                    entity_name=h.entity_name,
                    action=action,
                    status=status,
                    explanation=explanation,
                    party_role=role,
                    party_key=key,
                    screened_name=party.name,
                    fingerprint=h.fingerprint,
                    score=round(h.score, 4),
                )
            )
    return hits, reasons, list(dict.fromkeys(public)), keys


def _goods_hits(
    doc: DeclarationDocument, controls: GoodsControls, at: date
) -> tuple[list[HitRecord], list[QueryRecord], list[str]]:
    items, flow = goods_of(doc)
    importer = doc.parties.importer.name if doc.parties.importer else doc.parties.declarant.name
    hits: list[HitRecord] = []
    queries: list[QueryRecord] = []
    reasons: list[str] = []
    results = screen_goods(items, controls, at=at, flow=flow, importer=importer)
    for item, result in zip(doc.items, results, strict=True):
        for h in result.hits:
            holds = h.action in (Action.PROHIBITED, Action.DETAIN)
            hits.append(
                HitRecord(
                    subject="goods",
                    list_name=h.control,
                    entity_id=h.reference,
                    entity_name=str(h.action),
                    action="hold" if holds else "query",
                    status="open",
                    explanation=h.as_dict(),
                    item_sequence=item.sequence,
                )
            )
            if holds:
                reasons.append(f"item {item.sequence}: {h.reason} ({h.legal_base})")
            for missing in h.missing_documents:
                queries.append(QueryRecord(item.sequence, missing, h.legal_base, h.reason))
                reasons.append(f"item {item.sequence}: {missing} missing ({h.legal_base})")
    return hits, queries, reasons


def screen_declaration(
    doc: DeclarationDocument,
    *,
    index: ScreeningIndex | None,
    controls: GoodsControls,
    threshold: float,
    at: date,
    remembered: Remembered | None = None,
    required: bool = False,
    screened: ScreenedParties | None = None,
) -> DeclarationScreening:
    """Parties and goods of one declaration; hold reasons for open party hits at or above the
    threshold (not remembered as false matches), prohibited or detained goods, and missing
    documents. Without an index the parties are not screened: noted, and a hold if
    ``required``. ``screened`` keeps each party's result against this ``index`` (the same
    importer on many declarations is matched once); the caller drops it with the index."""
    hits: list[HitRecord] = []
    reasons: list[str] = []
    public: list[str] = []
    keys: list[str] = []
    note = ""
    if index is None:
        note = NO_LIST
        if required:
            reasons.append("parties need manual screening: " + NO_LIST)
            public.append("parties need manual screening by customs")
    else:
        hits, reasons, public, keys = _party_hits(doc, index, threshold, remembered or {}, screened)
    goods, queries, goods_reasons = _goods_hits(doc, controls, at)
    return DeclarationScreening(
        hits=tuple(hits + goods),
        queries=tuple(queries),
        hold_reasons=tuple(reasons + goods_reasons),
        public_reasons=tuple(public + goods_reasons),
        note=note,
        party_keys=tuple(keys),
    )


# A small declaration for the doctests: a declarant and a seller.
EXAMPLE: dict[str, Any] = {
    "lrn": "DOC1",
    "declaration_type": "IM",
    "procedure": "4000",
    "office": "GBLHR001",
    "declaration_date": "2025-06-02",
    "parties": {
        "declarant": {"name": "Harbour Imports Ltd", "eori": "GB123456789000"},
        "seller": {"name": "Acme Weapons Trading", "address": {"country": "AE"}},
    },
    "transport": {"mode_at_border": "4"},
    "invoice_currency": "EUR",
    "total_invoice_amount": Decimal("100"),
    "items": [
        {
            "sequence": 1,
            "commodity_code": "8471300000",
            "description": "laptops",
            "origin": "CN",
            "gross_mass": Decimal("2"),
            "net_mass": Decimal("1"),
            "invoice_amount": Decimal("100"),
        }
    ],
}
