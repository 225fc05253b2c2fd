"""Assessment of duties and taxes: the pipeline step, the stored result, estimates.

The step takes the declarations accepted in a batch, values each item, runs the pure tariff
engine over them, then in one unit of work stores the assessments, draws the tariff quotas and
moves each declaration on, with its ledger event.

What happens when an assessment cannot be made (what an officer expects):

- The fault is the declaration's (commodity code not in the tariff, or not precise enough to
  tell its national lines apart, a quantity or value the rate needs missing, a textual rate an
  officer must price, a prohibition or a missing licence): the declaration is **held** with the
  reason, and the failed assessment is stored with its problems. Amending it (or an officer's
  decision) sends it back to be assessed.
- The fault is the administration's (no tariff loaded, no official exchange rate for the date):
  the declaration stays **accepted** with the stored problem; the next run assesses it. Nothing
  is ever assessed as zero for want of data.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import load_only

from customhouse.access.models import Principal
from customhouse.declarations.codes import PREFERENCE_CLAIMS, PROOF_OF_ORIGIN_DOCUMENTS
from customhouse.declarations.lifecycle import State
from customhouse.declarations.models import DeclarationDocument, Document, Item
from customhouse.declarations.tables import DeclarationRow
from customhouse.errors import DomainError, InvalidInput, Problem
from customhouse.ledger.models import timestamp
from customhouse.reference.snapshot import ReferenceSnapshot
from customhouse.services.context import Context
from customhouse.services.declarations import SUBJECT, batch_states, transition
from customhouse.services.documents import document_cache, documents_of, versions_in_states
from customhouse.services.pipeline import Analyser, Step, register
from customhouse.services.reference import reference_snapshot
from customhouse.tariff import assessment_repository as arepo
from customhouse.tariff import repository as trepo
from customhouse.tariff.engine import Assessment, AssessOptions, ItemInput, assess
from customhouse.tariff.errors import (
    CommodityNotPrecise,
    MissingExchangeRate,
    TariffNotLoaded,
    UnknownCommodity,
)
from customhouse.tariff.loaders import US_UNIT_QUANTITY, US_UNITS
from customhouse.tariff.models import (
    UK_PROFILE,
    US_PROFILE,
    MeasureType,
    Profile,
    QuotaBalances,
    Tariff,
)
from customhouse.tariff.tables import TariffProfileRow
from customhouse.valuation.engine import value_item
from customhouse.valuation.models import (
    INCOTERMS,
    Adjustment,
    Basis,
    CustomsValue,
    Money,
    ValuationInput,
    ValuationProfile,
)

STEP = "assess"
PROFILES: dict[str, Profile] = {"us": US_PROFILE, "uk": UK_PROFILE}
# Declaration types that owe import duties and taxes; the others pass with a note.
IMPORT_TYPES = frozenset({"IM", "CO"})
# DE 4/17 codes that claim a tariff quota (x20, x23: quota, quota under end use).
QUOTA_CLAIMS = frozenset({"120", "123", "220", "223", "320", "323"})
# UN/ECE Rec 20 units on the declaration -> (unit of the expression language, multiplier).
REC20: dict[str, tuple[str, Decimal]] = {
    "NAR": ("item", Decimal(1)),
    "PCE": ("item", Decimal(1)),
    "H87": ("item", Decimal(1)),
    "NPR": ("pr", Decimal(1)),
    "PR": ("pr", Decimal(1)),
    "DZN": ("doz", Decimal(1)),
    "MIL": ("item", Decimal(1000)),
    "CEN": ("item", Decimal(100)),
    "KGM": ("kg", Decimal(1)),
    "GRM": ("g", Decimal(1)),
    "TNE": ("t", Decimal(1)),
    "LTR": ("l", Decimal(1)),
    "HLT": ("hl", Decimal(1)),
    "LPA": ("lpa", Decimal(1)),
    "MTR": ("m", Decimal(1)),
    "MTK": ("m2", Decimal(1)),
    "MTQ": ("m3", Decimal(1)),
}
# Incoterms the declaration accepts that Incoterms 2020 renamed or does not name.
_INCOTERM_ALIASES = {"DAT": "DPU"}
# Problems that are the administration's to fix: the declaration stays accepted.
_SYSTEM_PROBLEMS = frozenset(
    {
        "tariff.NotLoaded",
        "valuation.RateNotFound",
        "reference.RateNotFound",
        "reference.ReferenceDataMissing",
        MissingExchangeRate.code,
    }
)


# --- the tariff in force ----------------------------------------------------------------------


def active_profile(ctx: Context) -> str:
    return str(getattr(ctx.settings, "tariff_profile", "us"))


@dataclass(frozen=True)
class _Loaded:
    stamp: str
    tariff: Tariff


def active_tariff(ctx: Context, profile: str | None = None) -> Tariff:
    """The stored tariff of ``profile`` (the settings' by default), cached until reloaded."""
    name = profile or active_profile(ctx)
    key = f"tariff.{name}"
    with ctx.sessions() as session:
        stamp = trepo.loaded_at(session, name)
        if stamp is None:
            ctx.forget(key)
            raise TariffNotLoaded(
                f"no tariff is loaded for profile {name}: run 'customhouse tariff load"
                f" --profile {name}'",
                {"profile": name},
            )
        cached: _Loaded | None = ctx._cache.get(key)
        if cached is not None and cached.stamp == stamp:
            return cached.tariff
        currency = session.scalar(
            select(TariffProfileRow.currency).where(TariffProfileRow.profile == name)
        )
        prof = PROFILES.get(name) or Profile(name, currency or "USD")
        loaded = _Loaded(stamp, trepo.load_tariff(session, prof))
    ctx.forget(key)
    result: _Loaded = ctx.cached(key, lambda: loaded)
    return result.tariff


def load_tariff_into_db(
    ctx: Context, *, principal: Principal, tariff: Tariff, source: str
) -> dict[str, Any]:
    """Store a profile's tariff in one unit of work with a ``tariff.loaded`` ledger event."""
    now = ctx.clock.now()
    stamp = timestamp(now)
    name = tariff.profile.name
    with ctx.uow() as uow:
        uow.lock()
        trepo.save_tariff(uow.session, tariff, loaded_at=stamp, source=source)
        summary = {
            "profile": name,
            "currency": tariff.profile.currency,
            "commodity_lines": len(tariff.lines),
            "measures": len(tariff.measures),
            "source": source,
        }
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="tariff.loaded",
            subject_type="tariff",
            subject_id=name,
            payload=summary,
        )
        uow.commit()
    ctx.forget(f"tariff.{name}")
    return summary


# --- from a declaration to the engine's items ------------------------------------------------


class SnapshotRates:
    """The reference snapshot's official rates as the engines' RateProvider.

    The snapshot is fetched on the first conversion only: a batch in the tariff's own currency
    needs no reference data at all.
    """

    def __init__(self, snapshot: Callable[[], ReferenceSnapshot], source: str) -> None:
        self._snapshot = snapshot
        self.source = source

    def rate(self, from_ccy: str, to_ccy: str, at: dt.date) -> Decimal:
        if from_ccy == to_ccy:
            return Decimal(1)
        return self._snapshot().rate(from_ccy, to_ccy, at, self.source)


def rates_for(ctx: Context, profile: Profile) -> SnapshotRates:
    # HMRC monthly rates are the official ones in the UK; ECB reference rates elsewhere.
    return SnapshotRates(
        lambda: reference_snapshot(ctx), "HMRC" if profile.currency == "GBP" else "ECB"
    )


@dataclass
class Prepared:
    """One declaration made ready for the engine, or the problems that stop it."""

    declaration_id: int
    version: int
    at: dt.date
    applies: bool = True  # False for exports and transit: no import duties
    items: list[ItemInput] = field(default_factory=list)
    item_info: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _documents(doc: DeclarationDocument, item: Item) -> list[Document]:
    return [*doc.documents, *item.documents]


def _valid_on(d: Document, at: dt.date) -> bool:
    return (d.issued_on is None or d.issued_on <= at) and (d.valid_to is None or at <= d.valid_to)


def _quantities(item: Item, line_units: Sequence[str]) -> tuple[dict[str, Decimal], list[str]]:
    out: dict[str, Decimal] = {"kg": item.net_mass}
    notes: list[str] = []
    if item.quantity is not None:
        unit = item.quantity.unit.upper()
        if unit in REC20:
            name, mul = REC20[unit]
            out.setdefault(name, item.quantity.value * mul)
        else:
            notes.append(f"quantity unit {unit} is not used for duty")
    if item.supplementary_units is not None and line_units:
        code = line_units[0].upper()
        if code in US_UNITS:
            name = US_UNITS[code]
            out[name] = item.supplementary_units * US_UNIT_QUANTITY.get(code, Decimal(1))
        elif code.lower() in {u for u, _ in REC20.values()}:
            out[code.lower()] = item.supplementary_units
    return out, notes


def _incoterm(doc: DeclarationDocument, basis: str) -> tuple[str, str | None]:
    code = (doc.incoterm.code if doc.incoterm else "").upper()
    code = _INCOTERM_ALIASES.get(code, code)
    if code in INCOTERMS:
        return code, None
    return basis, f"no usable incoterm ({code or 'none'}): price taken as {basis}"


def _value(
    doc: DeclarationDocument,
    item: Item,
    share: Decimal,
    profile: Profile,
    rates: SnapshotRates,
    at: dt.date,
) -> tuple[CustomsValue, list[str]]:
    notes: list[str] = []
    term, note = _incoterm(doc, profile.valuation_basis)
    if note:
        notes.append(note)
    ccy = item.currency or doc.invoice_currency
    additions: list[Adjustment] = []
    costs = doc.costs
    if costs is not None:
        cost_ccy = costs.currency or doc.invoice_currency
        # Article 8 costs of the consignment, apportioned to items by invoice value.
        for kind, amount in (("freight", costs.freight), ("insurance", costs.insurance)):
            if amount:
                additions.append(Adjustment(kind, Money(amount * share, cost_ccy), "apportioned"))
    if item.valuation_method != "1":
        notes.append(
            f"method {item.valuation_method} declared: transaction value used until an officer"
            " decides"
        )
    value = value_item(
        ValuationInput(Money(item.invoice_amount, ccy), term, tuple(additions)),
        ValuationProfile(Basis(profile.valuation_basis), profile.currency),
        rates,
        at,
    )
    return value, notes


def _resolve(
    tariff: Tariff,
    item: ItemInput,
    at: dt.date,
    rates: SnapshotRates,
    memo: dict[tuple[str, str | None, dt.date], bool] | None = None,
) -> tuple[ItemInput, str | None]:
    """The national line to assess a declared code under, or an error saying why not."""
    code = item.commodity_code
    duty_types = (MeasureType.THIRD_COUNTRY, MeasureType.COLUMN_2)
    if any(m.type in duty_types for m in tariff.measures_for(code, item.origin, at)):
        return item, None
    lines = tariff.lines_under(code, at)
    if not lines:
        raise UnknownCommodity(
            f"commodity code {code} is not in the {tariff.profile.name} tariff on {at}",
            {"commodity_code": code},
        )
    if len(lines) == 1:
        return (
            replace(item, commodity_code=lines[0].code),
            f"item {item.number}: {code} assessed under national line {lines[0].code},"
            " the only one under it",
        )
    # Several national lines: the same measures on each (same types, rates, areas) charge the
    # same whatever the goods' value; otherwise assess under each and compare.
    key = (code, item.origin, at)
    same = memo.get(key) if memo is not None else None
    if same is None:
        same = (
            len(
                {
                    tuple(
                        sorted(
                            (
                                str(m.type),
                                m.expression.text if m.expression else "",
                                m.geography.code,
                                m.exporter or "",
                            )
                            for m in tariff.measures_for(x.code, item.origin, at)
                        )
                    )
                    for x in lines
                }
            )
            == 1
        )
        if memo is not None:
            memo[key] = same
    seen: set[tuple[tuple[str, Decimal], ...]] = set()
    for line in [] if same else lines:
        trial = assess(
            [replace(item, commodity_code=line.code, quota_order_number=None)],
            tariff,
            at,
            rates=rates,
            options=AssessOptions(apply_de_minimis=False),
        )
        seen.add(tuple((x.tax, x.amount) for x in trial.lines))
        if len(seen) > 1:
            raise CommodityNotPrecise(
                f"commodity code {code} covers {len(lines)} national lines with different"
                f" duties ({', '.join(x.code for x in lines[:8])}"
                f"{' ...' if len(lines) > 8 else ''}): declare the national line",
                {"commodity_code": code, "lines": [x.code for x in lines]},
            )
    return (
        replace(item, commodity_code=lines[0].code),
        f"item {item.number}: the {len(lines)} national lines under {code} charge the same;"
        f" assessed under {lines[0].code}",
    )


def _problem(exc: DomainError, pointer: str) -> Problem:
    return Problem(exc.code, pointer, exc.message)


def prepare(
    declaration_id: int,
    version: int,
    doc: DeclarationDocument,
    tariff: Tariff,
    rates: SnapshotRates,
    memo: dict[tuple[str, str | None, dt.date], bool] | None = None,
) -> Prepared:
    """Value each item and adapt it to the engine's :class:`ItemInput` (pure but for rates)."""
    at = doc.declaration_date
    p = Prepared(declaration_id, version, at)
    if doc.declaration_type.upper() not in IMPORT_TYPES:
        p.applies = False
        p.notes.append(f"declaration type {doc.declaration_type}: no import duties or taxes due")
        return p
    profile = tariff.profile
    total = sum((i.invoice_amount for i in doc.items), Decimal(0))
    exporter = doc.parties.exporter.name if doc.parties.exporter else None
    for index, item in enumerate(doc.items):
        pointer = f"/items/{index}"
        share = item.invoice_amount / total if total else Decimal(0)
        try:
            value, notes = _value(doc, item, share, profile, rates, at)
        except DomainError as exc:
            p.problems.append(_problem(exc, f"{pointer}/invoice_amount"))
            continue
        line = tariff.line(item.commodity_code)
        units = line.supplementary_units if line else ()
        if line is None:
            under = tariff.lines_under(item.commodity_code, at)
            units = under[0].supplementary_units if len(under) == 1 else ()
        quantities, qnotes = _quantities(item, units)
        docs = _documents(doc, item)
        claim = item.preference or ""
        proof = any(d.type in PROOF_OF_ORIGIN_DOCUMENTS and _valid_on(d, at) for d in docs)
        engine_item = ItemInput(
            number=item.sequence,
            commodity_code=item.commodity_code,
            origin=item.origin,
            customs_value=value.amount,
            quantities=quantities,
            preference_claimed=claim in PREFERENCE_CLAIMS,
            preferential_origin=item.preferential_origin,
            proof_of_origin=proof,
            exporter=exporter,
            documents=frozenset(d.type for d in docs if _valid_on(d, at)),
        )
        try:
            engine_item, note = _resolve(tariff, engine_item, at, rates, memo)
        except DomainError as exc:
            p.problems.append(_problem(exc, f"{pointer}/commodity_code"))
            continue
        if claim in QUOTA_CLAIMS:
            quota = next(
                (
                    m.quota
                    for m in tariff.measures_for(engine_item.commodity_code, item.origin, at)
                    if m.type is MeasureType.TARIFF_QUOTA and m.quota is not None
                ),
                None,
            )
            if quota is None:
                notes.append(f"item {item.sequence}: quota claimed, none open for this code")
            else:
                engine_item = replace(engine_item, quota_order_number=quota.order_number)
        p.items.append(engine_item)
        p.notes.extend(notes + qnotes + ([note] if note else []))
        p.item_info.append(
            {
                "item": item.sequence,
                "declared_code": item.commodity_code,
                "assessed_code": engine_item.commodity_code,
                "origin": item.origin,
                "customs_value": f"{value.amount:.2f}",
                "valuation_method": value.method,
                "valuation": [
                    {
                        "label": v.label,
                        "amount": str(v.amount),
                        "rate": None if v.rate is None else str(v.rate),
                        "reason": v.reason,
                    }
                    for v in value.lines
                ],
                "valuation_reasons": list(value.reasons) + list(value.warnings),
                "preference_claimed": engine_item.preference_claimed,
                "proof_of_origin": proof,
            }
        )
    return p


# --- running the engine -----------------------------------------------------------------------


@dataclass
class Outcome:
    """What the engine made of one prepared declaration."""

    prepared: Prepared
    assessment: Assessment | None
    problems: list[Problem]

    @property
    def kind(self) -> str:
        """assessed, held (the declaration's fault) or problem (the administration's)."""
        if self.problems:
            if all(p.code in _SYSTEM_PROBLEMS for p in self.problems):
                return "problem"
            return "held"
        if self.assessment is not None and self.assessment.requirements:
            return "held"
        return "assessed"


def run_engine(
    prepared: Prepared, tariff: Tariff, rates: SnapshotRates, remaining: dict[str, Decimal]
) -> Outcome:
    """Assess one prepared declaration; ``remaining`` quota balances are drawn in place."""
    if prepared.problems:
        return Outcome(prepared, None, list(prepared.problems))
    if not prepared.applies:
        return Outcome(prepared, _empty(tariff, prepared.at), [])
    try:
        result = assess(
            prepared.items,
            tariff,
            prepared.at,
            rates=rates,
            quotas=QuotaBalances(dict(remaining)),
        )
    except DomainError as exc:
        return Outcome(prepared, None, [_problem(exc, "/items")])
    for d in result.drawdowns:
        remaining[d.order_number] = remaining.get(d.order_number, Decimal(0)) - d.quantity
    return Outcome(prepared, result, [])


def _empty(tariff: Tariff, at: dt.date) -> Assessment:
    zero = Decimal("0.00")
    return Assessment(
        tariff.profile.currency, tariff.profile.rounding, at, (), zero, zero, zero, zero
    )


def _fits(outcome: Outcome, remaining: Mapping[str, Decimal]) -> bool:
    need: dict[str, Decimal] = {}
    if outcome.assessment is None:
        return True
    for d in outcome.assessment.drawdowns:
        need[d.order_number] = need.get(d.order_number, Decimal(0)) + d.quantity
    return all(remaining.get(k, Decimal(0)) >= v for k, v in need.items())


# --- the pipeline step ------------------------------------------------------------------------


def _money(x: Decimal) -> str:
    return f"{x:.2f}"


def _row(
    assessment_id: int, o: Outcome, tariff: Tariff, stamp: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    p, a = o.prepared, o.assessment
    zero = Decimal(0)
    value = sum((i.customs_value for i in p.items), zero)
    row = {
        "id": assessment_id,
        "declaration_id": p.declaration_id,
        "declaration_version": p.version,
        "at": p.at,
        "profile": tariff.profile.name,
        "currency": tariff.profile.currency,
        "rounding": str(a.rounding if a else tariff.profile.rounding),
        "status": arepo.CURRENT,
        "outcome": o.kind,
        "customs_value": value,
        "duty": a.duty if a else zero,
        "excise": a.excise if a else zero,
        "vat": a.vat if a else zero,
        "total": a.total if a else zero,
        "created_at": stamp,
        "superseded_at": None,
        "items": p.item_info,
        "notes": p.notes + (list(a.notes) if a else []),
        "problems": [x.as_dict() for x in o.problems],
        "requirements": [
            {
                "item": r.item,
                "measure_id": r.measure_id,
                "description": r.description,
                "document": r.document,
                "prohibited": r.prohibited,
            }
            for r in (a.requirements if a else ())
        ],
        "drawdowns": [
            {
                "order_number": d.order_number,
                "item": d.item,
                "quantity": str(d.quantity),
                "unit": d.unit,
            }
            for d in (a.drawdowns if a else ())
        ],
    }
    lines = [
        {
            "assessment_id": assessment_id,
            "item": x.item,
            "tax": x.tax,
            "measure_id": x.measure_id,
            "measure_type": x.measure_type,
            "legal_base": x.legal_base,
            "rate_expression": x.rate_expression,
            "base_amount": None if x.base_amount is None else str(x.base_amount),
            "quantity": None if x.quantity is None else str(x.quantity),
            "unit": x.unit,
            "amount": x.amount,
            "amount_unrounded": str(x.amount_unrounded),
            "currency": x.currency,
            "reason": x.reason,
        }
        for x in (a.lines if a else ())
    ]
    return row, lines


class _QuotaMoved(Exception):
    """A guarded drawdown found less than the engine was told: assess the batch again."""


def run(ctx: Context, declaration_ids: list[int]) -> None:
    """The ``assess`` pipeline step over the declarations of a batch still accepted."""
    for _attempt in range(3):
        try:
            _run_once(ctx, declaration_ids)
            return
        except _QuotaMoved:
            continue
    raise DomainError("tariff quota balances kept moving; assessment not stored")


def _run_once(ctx: Context, declaration_ids: list[int]) -> None:
    accepted = (State.ACCEPTED.value,)
    with ctx.sessions() as session:
        versions = versions_in_states(session, declaration_ids, accepted)
    if not versions:
        return
    outcomes: list[Outcome] = []
    try:
        tariff = active_tariff(ctx)
    except TariffNotLoaded as exc:
        with ctx.sessions() as session:
            loaded = documents_of(ctx, session, versions, accepted)
        stub = Tariff(PROFILES.get(active_profile(ctx), US_PROFILE))
        for row_id, version, doc in loaded:
            prepared = Prepared(row_id, version, doc.declaration_date)
            prepared.problems.append(_problem(exc, "/"))
            outcomes.append(Outcome(prepared, None, list(prepared.problems)))
        _store(ctx, stub, outcomes, None)
        return
    # What a preparing worker assessed on this tariff is used as it is; only the rest is read
    # and parsed (a stored document costs pydantic more to read than the rest of this step).
    cache, basis = document_cache(ctx), _basis(tariff)
    ahead = {
        row_id: made
        for row_id, version in versions.items()
        if (made := cache.analysis(row_id, version, STEP, basis)) is not None
    }
    todo = {row_id: v for row_id, v in versions.items() if row_id not in ahead}
    docs: dict[int, tuple[int, DeclarationDocument]] = {}
    remaining: dict[str, Decimal] = {}
    if todo:
        with ctx.sessions() as session:
            docs = {i: (v, d) for i, v, d in documents_of(ctx, session, todo, accepted)}
            remaining = dict(trepo.quota_balances(session, tariff.profile.name).remaining)
    rates = rates_for(ctx, tariff.profile)
    memo: dict[tuple[str, str | None, dt.date], bool] = {}
    for row_id in sorted(versions):
        made = ahead.get(row_id)
        if made is not None:
            outcomes.append(_relabel(made, row_id, versions[row_id]))
        elif row_id in docs:
            version, doc = docs[row_id]
            prepared = prepare(row_id, version, doc, tariff, rates, memo)
            outcomes.append(run_engine(prepared, tariff, rates, remaining))
    _store(ctx, tariff, outcomes, rates)


def _basis(tariff: Tariff) -> str:
    # The analyser's closure holds the tariff while the workers live: its id stays its own.
    return f"tariff@{id(tariff)}"


def _relabel(outcome: Outcome, declaration_id: int, version: int) -> Outcome:
    prepared = replace(outcome.prepared, declaration_id=declaration_id, version=version)
    return replace(outcome, prepared=prepared)


def analyser(ctx: Context) -> Analyser | None:
    """Valuation and assessment made by the preparing workers with the tariff they were forked
    with; a declaration that claims a tariff quota is left to the step (balances move)."""
    try:
        tariff = active_tariff(ctx)
    except TariffNotLoaded:
        return None
    rates = rates_for(ctx, tariff.profile)
    memo: dict[tuple[str, str | None, dt.date], bool] = {}

    def analyse(docs: Sequence[DeclarationDocument]) -> list[Outcome | None]:
        out: list[Outcome | None] = []
        for doc in docs:
            prepared = prepare(0, 0, doc, tariff, rates, memo)
            quota = any(i.quota_order_number for i in prepared.items)
            out.append(None if quota else run_engine(prepared, tariff, rates, {}))
        return out

    return Analyser(STEP, _basis(tariff), analyse)


def _store(
    ctx: Context, tariff: Tariff, outcomes: list[Outcome], rates: SnapshotRates | None
) -> None:
    now = ctx.clock.now()
    stamp = timestamp(now)
    with ctx.uow() as uow:
        uow.lock()
        batch_states(uow)
        session = uow.session
        ids = [o.prepared.declaration_id for o in outcomes]
        rows = {
            r.id: r
            for r in session.scalars(
                select(DeclarationRow)
                .options(
                    load_only(
                        DeclarationRow.id,
                        DeclarationRow.state,
                        DeclarationRow.version,
                        DeclarationRow.mrn,
                        DeclarationRow.updated_at,
                    )
                )
                .where(DeclarationRow.id.in_(ids))
            )
        }
        # Only what is still accepted in the version the engine saw (a concurrent amendment or
        # another worker may have moved it meanwhile).
        outcomes = [
            o
            for o in outcomes
            if (r := rows.get(o.prepared.declaration_id)) is not None
            and r.state == State.ACCEPTED.value
            and r.version == o.prepared.version
        ]
        if not outcomes:
            return
        if rates is not None and any(o.assessment and o.assessment.drawdowns for o in outcomes):
            # Balances read again under the lock: an assessment whose drawdown no longer fits
            # is made again on what is left (out of quota where nothing is).
            left = dict(trepo.quota_balances(session, tariff.profile.name).remaining)
            for i, o in enumerate(outcomes):
                if o.assessment is None or not o.assessment.drawdowns:
                    continue
                if _fits(o, left):
                    for d in o.assessment.drawdowns:
                        left[d.order_number] -= d.quantity
                else:
                    outcomes[i] = run_engine(o.prepared, tariff, rates, left)
        arepo.supersede(session, [o.prepared.declaration_id for o in outcomes], stamp)
        first = arepo.next_id(session)
        all_rows: list[dict[str, Any]] = []
        all_lines: list[dict[str, Any]] = []
        for offset, o in enumerate(outcomes):
            row, lines = _row(first + offset, o, tariff, stamp)
            all_rows.append(row)
            all_lines.extend(lines)
        arepo.insert_assessments(session, all_rows, all_lines)
        for o, row in zip(outcomes, all_rows, strict=True):
            a = o.assessment
            if a is not None and a.drawdowns:
                ok = trepo.apply_drawdowns(
                    session,
                    tariff.profile.name,
                    rows[o.prepared.declaration_id].mrn or str(o.prepared.declaration_id),
                    list(a.drawdowns),
                )
                if not ok:
                    raise _QuotaMoved()
            _move(uow, rows[o.prepared.declaration_id], o, row, now)
        uow.commit()


def _move(
    uow: Any, row: DeclarationRow, o: Outcome, stored: dict[str, Any], now: dt.datetime
) -> None:
    totals = {
        "assessment": stored["id"],
        "profile": stored["profile"],
        "currency": stored["currency"],
        "duty": _money(stored["duty"]),
        "excise": _money(stored["excise"]),
        "vat": _money(stored["vat"]),
        "total": _money(stored["total"]),
    }
    kind = o.kind
    if kind == "assessed":
        transition(uow, row, State.ASSESSED, at=now, actor="system", payload=totals)
    elif kind == "held":
        reasons = [p.message for p in o.problems] or [
            f"{r['description']}: "
            + ("prohibited" if r["prohibited"] else f"requires {r['document']}")
            for r in stored["requirements"]
        ]
        transition(
            uow,
            row,
            State.HELD,
            at=now,
            actor="system",
            payload={
                "assessment": stored["id"],
                "reason": "; ".join(reasons),
                "problems": sorted({p.code for p in o.problems}) or ["tariff.Requirement"],
            },
        )
    else:
        uow.ledger.append(
            at=now,
            actor="system",
            kind="assessment.failed",
            subject_type=SUBJECT,
            subject_id=str(row.id),
            payload={
                "assessment": stored["id"],
                "mrn": row.mrn,
                "problems": sorted({p.code for p in o.problems}),
            },
        )


def warm(ctx: Context) -> None:
    """The tariff in force (nothing when none is loaded: the step reports that itself)."""
    with contextlib.suppress(TariffNotLoaded):
        active_tariff(ctx)
    reference_snapshot(ctx)


register(Step(STEP, run, warm, analyser))


# --- reading and estimating -------------------------------------------------------------------


def current_assessment(ctx: Context, declaration_id: int) -> dict[str, Any] | None:
    """The current assessment of a declaration with every line and its reason."""
    with ctx.sessions() as session:
        return arepo.current(session, declaration_id)


def assessment_history(ctx: Context, declaration_id: int) -> list[dict[str, Any]]:
    with ctx.sessions() as session:
        return arepo.history(session, declaration_id)


def describe(o: Outcome, tariff: Tariff) -> dict[str, Any]:
    """An outcome as the API and the CLI show it (same shape as a stored assessment)."""
    row, lines = _row(0, o, tariff, "")
    for key in ("customs_value", "duty", "excise", "vat", "total"):
        row[key] = _money(row[key])
    row["at"] = row["at"].isoformat()
    for x in lines:
        x["amount"] = _money(x["amount"])
        x.pop("assessment_id")
    for key in ("id", "declaration_id", "status", "created_at", "superseded_at"):
        row.pop(key)
    row["lines"] = lines
    return row


def assess_document(
    ctx: Context, doc: DeclarationDocument, *, at: dt.date | None = None
) -> dict[str, Any]:
    """Assess a declaration without lodging it (nothing stored, quotas read not drawn)."""
    tariff = active_tariff(ctx)
    rates = rates_for(ctx, tariff.profile)
    if at is not None:
        doc = doc.model_copy(update={"declaration_date": at})
    with ctx.sessions() as session:
        remaining = dict(trepo.quota_balances(session, tariff.profile.name).remaining)
    outcome = run_engine(prepare(0, 0, doc, tariff, rates), tariff, rates, remaining)
    return describe(outcome, tariff)


@dataclass(frozen=True)
class EstimateInput:
    """A duty estimate's question: one kind of goods, before anything is lodged."""

    commodity_code: str
    origin: str
    value: Decimal
    currency: str
    incoterm: str = "FOB"
    freight: Decimal | None = None
    insurance: Decimal | None = None
    quantities: Mapping[str, Decimal] = field(default_factory=dict)
    preference_claimed: bool = False
    proof_of_origin: bool = False
    at: dt.date | None = None
    profile: str | None = None


def estimate(ctx: Context, request: EstimateInput) -> dict[str, Any]:
    """Duties and taxes the goods would owe (public: nothing is stored or drawn).

    Bad input raises :class:`InvalidInput` with every problem; an unknown profile or a tariff
    not loaded raises :class:`TariffNotLoaded`.
    """
    tariff = active_tariff(ctx, request.profile)
    profile = tariff.profile
    rates = rates_for(ctx, profile)
    at = request.at or ctx.clock.now().date()
    problems: list[Problem] = []
    term = _INCOTERM_ALIASES.get(request.incoterm.upper(), request.incoterm.upper())
    if term not in INCOTERMS:
        problems.append(Problem("valuation.unknown_incoterm", "/incoterm", f"unknown {term}"))
    quantities: dict[str, Decimal] = {}
    for unit, amount in request.quantities.items():
        key = unit.upper()
        if key in REC20:
            name, mul = REC20[key]
            quantities[name] = amount * mul
        elif key in US_UNITS:
            quantities[US_UNITS[key]] = amount * US_UNIT_QUANTITY.get(key, Decimal(1))
        elif unit.lower() in {u for u, _ in REC20.values()} | {"doz", "pf_l", "gross"}:
            quantities[unit.lower()] = amount
        else:
            problems.append(
                Problem("tariff.unknown_unit", f"/quantities/{unit}", f"unknown unit {unit}")
            )
    if problems:
        raise InvalidInput("the estimate request is not valid", problems)
    cost_ccy = request.currency.upper()
    additions = tuple(
        Adjustment(kind, Money(amount, cost_ccy))
        for kind, amount in (("freight", request.freight), ("insurance", request.insurance))
        if amount
    )
    p = Prepared(0, 0, at)
    try:
        value = value_item(
            ValuationInput(Money(request.value, cost_ccy), term, additions),
            ValuationProfile(Basis(profile.valuation_basis), profile.currency),
            rates,
            at,
        )
        item = ItemInput(
            number=1,
            commodity_code=request.commodity_code,
            origin=request.origin.upper(),
            customs_value=value.amount,
            quantities=quantities,
            preference_claimed=request.preference_claimed,
            proof_of_origin=request.proof_of_origin,
        )
        item, note = _resolve(tariff, item, at, rates)
    except DomainError as exc:
        where = "/currency" if exc.code in _SYSTEM_PROBLEMS else "/commodity_code"
        raise InvalidInput(exc.message, [_problem(exc, where)]) from exc
    p.items.append(item)
    if note:
        p.notes.append(note)
    p.item_info.append(
        {
            "item": 1,
            "declared_code": request.commodity_code,
            "assessed_code": item.commodity_code,
            "origin": item.origin,
            "customs_value": _money(value.amount),
            "valuation_method": value.method,
            "valuation_reasons": list(value.reasons) + list(value.warnings),
        }
    )
    outcome = run_engine(p, tariff, rates, {})
    if outcome.problems:
        raise InvalidInput(outcome.problems[0].message, outcome.problems)
    return describe(outcome, tariff)
