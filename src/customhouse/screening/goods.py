"""Goods controls as data: prohibitions and restrictions customs enforces at the border.

Each control is a small record naming its legal base; :func:`screen_goods` runs every control
over every item and returns hits with the reason, the action (prohibited, licence, certificate,
detain) and the documents that are still missing. Pure: the date is passed in.

>>> from datetime import date
>>> from decimal import Decimal
>>> controls = GoodsControls(embargoes=(Embargo("KP", (), "UNSCR 2397 (2017)"),))
>>> item = GoodsItem(code="8703230000", description="cars", origin="KP", value=Decimal("9000"))
>>> [str(h.action) for h in screen_goods([item], controls, at=date(2025, 1, 6))[0].hits]
['prohibited']
>>> add_working_days(date(2025, 1, 3), 10)  # Friday + 10 working days
datetime.date(2025, 1, 17)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from customhouse.screening.cites import CitesIndex
from customhouse.screening.errors import UnreadableList
from customhouse.screening.names import plain_words

IPR_DETENTION_WORKING_DAYS = 10


class Action(StrEnum):
    PROHIBITED = "prohibited"
    LICENCE_REQUIRED = "licence_required"
    PERMIT_REQUIRED = "permit_required"
    CERTIFICATE_REQUIRED = "certificate_required"
    DETAIN = "detain"


class Flow(StrEnum):
    IMPORT = "import"
    EXPORT = "export"


@dataclass(frozen=True, slots=True)
class Document:
    """A supporting document on the declaration: its type code and what it covers."""

    kind: str  # CITES, PHYTO, VET, EXPORT_LICENCE, CULTURAL_LICENCE ...
    reference: str = ""
    species: str = ""
    quantity: Decimal | None = None


@dataclass(frozen=True, slots=True)
class GoodsItem:
    """One item as goods screening needs it (the pipeline adapts its own types)."""

    code: str
    description: str
    origin: str = ""
    value: Decimal = Decimal("0")
    currency: str = "EUR"
    quantity: Decimal | None = None
    documents: tuple[Document, ...] = ()
    destination: str = ""
    age_years: int | None = None


@dataclass(frozen=True, slots=True)
class Embargo:
    """No goods (or only those of ``chapters``) from or to ``country``."""

    country: str
    chapters: tuple[str, ...]
    legal_base: str
    flows: tuple[Flow, ...] = (Flow.IMPORT, Flow.EXPORT)


@dataclass(frozen=True, slots=True)
class ExportControl:
    """A controlled item (dual-use, military) mapped to commodity code prefixes."""

    entry: str
    description: str
    codes: tuple[str, ...]
    legal_base: str
    document: str = "EXPORT_LICENCE"
    flows: tuple[Flow, ...] = (Flow.EXPORT,)


@dataclass(frozen=True, slots=True)
class IprRecordation:
    """A rights holder's application for action: its marks, the goods and who may import."""

    recordation: str
    rights_holder: str
    trademark_words: tuple[str, ...]
    codes: tuple[str, ...]
    authorised_importers: tuple[str, ...]
    legal_base: str = "Regulation (EU) No 608/2013, Article 17"


@dataclass(frozen=True, slots=True)
class CulturalRule:
    """Cultural goods under ``codes`` at least ``min_age_years`` old and worth ``min_value``."""

    codes: tuple[str, ...]
    category: str
    min_age_years: int
    min_value: Decimal
    currency: str
    legal_base: str = "Council Regulation (EC) No 116/2009, Annex I"
    document: str = "CULTURAL_LICENCE"


@dataclass(frozen=True, slots=True)
class HealthRule:
    """Plant or animal products that need a certificate, or are banned from some origins."""

    name: str
    codes: tuple[str, ...]
    document: str  # PHYTO or VET
    legal_base: str
    origins: tuple[str, ...] = ()  # empty: every origin
    banned_origins: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class GoodsControls:
    """Every goods control a service enforces: a reference snapshot, passed in."""

    embargoes: tuple[Embargo, ...] = ()
    export_controls: tuple[ExportControl, ...] = ()
    ipr: tuple[IprRecordation, ...] = ()
    cultural: tuple[CulturalRule, ...] = ()
    health: tuple[HealthRule, ...] = ()
    cites: CitesIndex | None = None
    cites_legal_base: str = "CITES Articles III-V; Council Regulation (EC) No 338/97"


@dataclass(frozen=True, slots=True)
class GoodsHit:
    control: str
    reference: str
    action: Action
    legal_base: str
    reason: str
    missing_documents: tuple[str, ...] = ()
    deadline: date | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "control": self.control,
            "reference": self.reference,
            "action": str(self.action),
            "legal_base": self.legal_base,
            "reason": self.reason,
            "missing_documents": list(self.missing_documents),
            "deadline": self.deadline.isoformat() if self.deadline else None,
        }


@dataclass(frozen=True, slots=True)
class GoodsScreening:
    item_number: int
    hits: tuple[GoodsHit, ...] = field(default=())

    @property
    def held(self) -> bool:
        return any(h.action in (Action.PROHIBITED, Action.DETAIN) for h in self.hits)

    @property
    def missing_documents(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(d for h in self.hits for d in h.missing_documents))


def add_working_days(start: date, days: int, holidays: Iterable[date] = ()) -> date:
    """The date ``days`` working days after ``start`` (Saturdays, Sundays, holidays skipped)."""
    off = set(holidays)
    current, left = start, days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in off:
            left -= 1
    return current


def _under(code: str, prefixes: tuple[str, ...]) -> bool:
    """Whether ``code`` (dots and spaces ignored) falls under one of the ``prefixes``.

    >>> _under("8471.30 00", ("8471", "8525")), _under("8472", ("8471",))
    (True, False)
    """
    return code.replace(".", "").replace(" ", "").startswith(prefixes)


def _has(item: GoodsItem, kind: str) -> bool:
    return any(d.kind.upper() == kind.upper() for d in item.documents)


def _embargo_hits(item: GoodsItem, controls: GoodsControls, flow: Flow) -> list[GoodsHit]:
    country = (item.origin if flow is Flow.IMPORT else item.destination).upper()
    hits = []
    for e in controls.embargoes:
        if flow not in e.flows or country != e.country.upper():
            continue
        if e.chapters and not _under(item.code, e.chapters):
            continue
        scope = f"chapters {', '.join(e.chapters)}" if e.chapters else "all goods"
        reason = (
            f"{flow} {'from' if flow is Flow.IMPORT else 'to'} {country} is embargoed ({scope})"
        )
        hits.append(GoodsHit("embargo", e.country, Action.PROHIBITED, e.legal_base, reason))
    return hits


def _export_control_hits(item: GoodsItem, controls: GoodsControls, flow: Flow) -> list[GoodsHit]:
    hits = []
    for c in controls.export_controls:
        if flow in c.flows and _under(item.code, c.codes) and not _has(item, c.document):
            reason = f"commodity {item.code} falls under {c.entry} ({c.description})"
            hits.append(
                GoodsHit(
                    "export_control",
                    c.entry,
                    Action.LICENCE_REQUIRED,
                    c.legal_base,
                    reason,
                    (c.document,),
                )
            )
    return hits


def _ipr_hits(
    item: GoodsItem, controls: GoodsControls, importer: str, at: date, holidays: Iterable[date]
) -> list[GoodsHit]:
    recordations = [r for r in controls.ipr if _under(item.code, r.codes)]
    if not recordations:  # most items: no words to read
        return []
    words = set(plain_words(item.description))
    text = " ".join(plain_words(item.description))
    me = " ".join(plain_words(importer))
    hits = []
    for r in recordations:
        marks = [m for m in r.trademark_words if _mark_in(m, words, text)]
        if not marks:
            continue
        if me and any(me == " ".join(plain_words(a)) for a in r.authorised_importers):
            continue
        reason = (
            f"description names {', '.join(marks)} ({r.rights_holder}); importer "
            f"{importer or 'unknown'} is not authorised: rights holder to be notified"
        )
        deadline = add_working_days(at, IPR_DETENTION_WORKING_DAYS, holidays)
        hits.append(
            GoodsHit("ipr", r.recordation, Action.DETAIN, r.legal_base, reason, (), deadline)
        )
    return hits


def _mark_in(mark: str, words: set[str], text: str) -> bool:
    parts = plain_words(mark)
    if len(parts) == 1:
        return parts[0] in words
    return f" {' '.join(parts)} " in f" {text} "


def _cites_hits(item: GoodsItem, controls: GoodsControls) -> list[GoodsHit]:
    if controls.cites is None:
        return []
    taxa = controls.cites.find(item.description, item.code)
    if not taxa:
        return []
    permits = [d for d in item.documents if d.kind.upper() == "CITES"]
    covered = []
    for taxon in taxa:
        genus = taxon.name.split()[0].lower()
        for p in permits:
            named = p.species.lower()
            enough = p.quantity is None or item.quantity is None or p.quantity >= item.quantity
            if named and (named == taxon.name.lower() or named == genus) and enough:
                covered.append(taxon)
    if covered:
        return []
    names = ", ".join(t.name for t in taxa[:5]) + (" ..." if len(taxa) > 5 else "")
    appendices = sorted({a for t in taxa for a in t.appendix.split("/") if a != "NC"})
    quantity = f", quantity {item.quantity}" if item.quantity is not None else ""
    reason = f"description names CITES-listed taxa ({names}; Appendix {'/'.join(appendices)})"
    if permits:
        reason += "; the permit on file names another species or a smaller quantity"
    missing = (f"CITES permit for {taxa[0].name}{quantity}",)
    return [
        GoodsHit(
            "cites",
            taxa[0].name,
            Action.PERMIT_REQUIRED,
            controls.cites_legal_base,
            reason,
            missing,
        )
    ]


def _cultural_hits(item: GoodsItem, controls: GoodsControls) -> list[GoodsHit]:
    hits = []
    for rule in controls.cultural:
        if not _under(item.code, rule.codes) or _has(item, rule.document):
            continue
        if item.currency.upper() != rule.currency.upper():
            reason = f"{rule.category}: value in {item.currency}, threshold in {rule.currency}"
        elif item.value < rule.min_value:
            continue
        elif item.age_years is None:
            reason = f"{rule.category} worth {item.value} {item.currency}, age not declared"
        elif item.age_years < rule.min_age_years:
            continue
        else:
            reason = (
                f"{rule.category}: {item.age_years} years old (>= {rule.min_age_years}) and "
                f"{item.value} {item.currency} (>= {rule.min_value})"
            )
        hits.append(
            GoodsHit(
                "cultural_goods",
                rule.category,
                Action.LICENCE_REQUIRED,
                rule.legal_base,
                reason,
                (rule.document,),
            )
        )
    return hits


def _health_hits(item: GoodsItem, controls: GoodsControls) -> list[GoodsHit]:
    origin = item.origin.upper()
    hits = []
    for rule in controls.health:
        if not _under(item.code, rule.codes):
            continue
        if origin and origin in rule.banned_origins:
            reason = f"{rule.name} from {origin} is banned"
            hits.append(GoodsHit("health", rule.name, Action.PROHIBITED, rule.legal_base, reason))
        elif (not rule.origins or origin in rule.origins) and not _has(item, rule.document):
            reason = f"{rule.name} needs a {rule.document} certificate"
            hits.append(
                GoodsHit(
                    "health",
                    rule.name,
                    Action.CERTIFICATE_REQUIRED,
                    rule.legal_base,
                    reason,
                    (rule.document,),
                )
            )
    return hits


def screen_goods(
    items: Sequence[GoodsItem],
    controls: GoodsControls,
    *,
    at: date,
    flow: Flow = Flow.IMPORT,
    importer: str = "",
    holidays: Iterable[date] = (),
) -> list[GoodsScreening]:
    """Every control over every item; one :class:`GoodsScreening` per item, in order."""
    off = tuple(holidays)
    out = []
    for number, item in enumerate(items, 1):
        hits = [
            *_embargo_hits(item, controls, flow),
            *_export_control_hits(item, controls, flow),
            *(_ipr_hits(item, controls, importer, at, off) if flow is Flow.IMPORT else []),
            *_cites_hits(item, controls),
            *_cultural_hits(item, controls),
            *_health_hits(item, controls),
        ]
        out.append(GoodsScreening(number, tuple(hits)))
    return out


def load_controls(path: Path, cites: CitesIndex | None = None) -> GoodsControls:
    """Goods controls from a JSON file (see src/customhouse/data/screening/goods_controls.json)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return GoodsControls(
            embargoes=tuple(
                Embargo(
                    e["country"],
                    tuple(e.get("chapters", ())),
                    e["legal_base"],
                    tuple(Flow(f) for f in e.get("flows", ("import", "export"))),
                )
                for e in data.get("embargoes", ())
            ),
            export_controls=tuple(
                ExportControl(
                    c["entry"],
                    c["description"],
                    tuple(c["codes"]),
                    c["legal_base"],
                    c.get("document", "EXPORT_LICENCE"),
                    tuple(Flow(f) for f in c.get("flows", ("export",))),
                )
                for c in data.get("export_controls", ())
            ),
            ipr=tuple(
                IprRecordation(
                    r["recordation"],
                    r["rights_holder"],
                    tuple(r["trademark_words"]),
                    tuple(r["codes"]),
                    tuple(r.get("authorised_importers", ())),
                    r.get("legal_base", "Regulation (EU) No 608/2013, Article 17"),
                )
                for r in data.get("ipr", ())
            ),
            cultural=tuple(
                CulturalRule(
                    tuple(c["codes"]),
                    c["category"],
                    int(c["min_age_years"]),
                    Decimal(str(c["min_value"])),
                    c["currency"],
                    c.get("legal_base", "Council Regulation (EC) No 116/2009, Annex I"),
                )
                for c in data.get("cultural", ())
            ),
            health=tuple(
                HealthRule(
                    h["name"],
                    tuple(h["codes"]),
                    h["document"],
                    h["legal_base"],
                    tuple(h.get("origins", ())),
                    tuple(h.get("banned_origins", ())),
                )
                for h in data.get("health", ())
            ),
            cites=cites,
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UnreadableList(f"cannot read goods controls {path}: {exc}") from exc
