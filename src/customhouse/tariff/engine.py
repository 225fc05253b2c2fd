"""The assessment engine: items + tariff + date -> lines that each say why.

Pure: quota balances, exchange rates and the date are passed in; a tariff-quota drawdown is
returned as a :class:`QuotaDrawdown` decision that the service applies atomically (and
re-assesses if the balance moved meanwhile).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from customhouse.errors import DomainError
from customhouse.tariff.errors import NoApplicableMeasure
from customhouse.tariff.evaluation import ChargeBasis, Evaluation, evaluate
from customhouse.tariff.models import TRADE_DEFENCE, Measure, MeasureType, QuotaBalances, Tariff
from customhouse.tariff.money import RoundingRule, round_money
from customhouse.tariff.units import Quantities
from customhouse.valuation.rates import RateProvider


class ReliefKind(StrEnum):
    RETURNED_GOODS = "returned_goods"
    HUMANITARIAN = "humanitarian"
    DIPLOMATIC = "diplomatic"
    END_USE = "end_use"


# Which charges a relief lifts (end use lifts duty only; the others duty and VAT).
_RELIEF_SCOPE = {
    ReliefKind.RETURNED_GOODS: {"duty", "vat"},
    ReliefKind.HUMANITARIAN: {"duty", "vat"},
    ReliefKind.DIPLOMATIC: {"duty", "excise", "vat"},
    ReliefKind.END_USE: {"duty"},
}


@dataclass(frozen=True, slots=True)
class Relief:
    kind: ReliefKind
    document: str | None = None  # authorisation or supporting document reference


@dataclass(frozen=True, slots=True)
class ItemInput:
    """What the engine needs of one declared item (the lead adapts the Declaration to it)."""

    number: int
    commodity_code: str
    origin: str | None
    customs_value: Decimal  # already valued, in the tariff's currency
    quantities: Mapping[str, Decimal] = field(default_factory=dict)
    attributes: Mapping[str, Decimal] = field(default_factory=dict)
    basis_values: Mapping[str, Decimal] = field(default_factory=dict)
    preference_claimed: bool = False
    preferential_origin: str | None = None  # when it differs from ``origin``
    proof_of_origin: bool = False
    quota_order_number: str | None = None
    exporter: str | None = None
    documents: frozenset[str] = frozenset()
    relief: Relief | None = None
    vat_rate: str | None = None  # "reduced" / "zero" where the goods qualify


@dataclass(frozen=True, slots=True)
class AssessmentLine:
    item: int
    tax: str  # duty / excise / vat
    measure_id: str
    measure_type: str
    legal_base: str
    rate_expression: str
    base_amount: Decimal | None
    quantity: Decimal | None
    unit: str | None
    amount: Decimal  # rounded under the rule
    amount_unrounded: Decimal
    currency: str
    reason: str


@dataclass(frozen=True, slots=True)
class QuotaDrawdown:
    """Take ``quantity`` from quota ``order_number`` for ``item``; the service applies it."""

    order_number: str
    item: int
    quantity: Decimal
    unit: str


@dataclass(frozen=True, slots=True)
class Requirement:
    """A prohibition or restriction whose document was not presented."""

    item: int
    measure_id: str
    description: str
    document: str | None
    prohibited: bool


@dataclass(frozen=True, slots=True)
class Assessment:
    currency: str
    rounding: RoundingRule
    at: dt.date
    lines: tuple[AssessmentLine, ...]
    duty: Decimal
    excise: Decimal
    vat: Decimal
    total: Decimal
    drawdowns: tuple[QuotaDrawdown, ...] = ()
    requirements: tuple[Requirement, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AssessOptions:
    rounding: RoundingRule | None = None  # default: the profile's
    apply_de_minimis: bool = True


def assess(
    items: Sequence[ItemInput],
    tariff: Tariff,
    at: dt.date,
    *,
    rates: RateProvider | None = None,
    quotas: QuotaBalances | None = None,
    options: AssessOptions | None = None,
) -> Assessment:
    """Assess every item; raise when an item has no duty measure at all."""
    options = options or AssessOptions()
    profile = tariff.profile
    rule = options.rounding or profile.rounding
    ccy = profile.currency
    consignment_value = sum((i.customs_value for i in items), Decimal(0))
    duty_exempt = options.apply_de_minimis and consignment_value <= profile.duty_de_minimis
    vat_exempt = options.apply_de_minimis and consignment_value <= profile.vat_de_minimis
    notes: list[str] = []
    if duty_exempt:
        notes.append(
            f"consignment value {consignment_value} {ccy}"
            f" <= duty de minimis {profile.duty_de_minimis}"
        )
    if vat_exempt:
        notes.append(
            f"consignment value {consignment_value} {ccy}"
            f" <= VAT de minimis {profile.vat_de_minimis}"
        )
    remaining = dict(quotas.remaining) if quotas else {}
    lines: list[AssessmentLine] = []
    drawdowns: list[QuotaDrawdown] = []
    reqs: list[Requirement] = []

    def convert(amount: Decimal, from_ccy: str) -> Decimal:
        if rates is None:
            raise DomainError(f"no exchange rates given to convert {from_ccy}")
        return amount * rates.rate("EUR" if from_ccy in ("XEM", "EUC") else from_ccy, ccy, at)

    for item in items:
        measures = tariff.measures_for(item.commodity_code, item.origin, at)
        pref_origin = item.preferential_origin or item.origin
        if pref_origin != item.origin:
            measures += [
                m
                for m in tariff.measures_for(item.commodity_code, pref_origin, at)
                if m.type is MeasureType.PREFERENCE and m not in measures
            ]
        ctx = ChargeBasis(
            currency=ccy,
            customs_value=item.customs_value,
            quantities=Quantities(item.quantities, item.attributes),
            basis_values=item.basis_values,
            convert=convert,
            at=at,
        )
        relief_scope: set[str] = set()
        relief_note = ""
        if item.relief is not None:
            if item.relief.document:
                relief_scope = _RELIEF_SCOPE[item.relief.kind]
                relief_note = f"relief {item.relief.kind} granted on {item.relief.document}"
            else:
                relief_note = f"relief {item.relief.kind} not granted: no document or authorisation"
        item_lines: list[AssessmentLine] = []

        def line(
            m: Measure,
            tax: str,
            ev: Evaluation | None,
            reason: str,
            *,
            zero: bool = False,
            item: ItemInput = item,
            item_lines: list[AssessmentLine] = item_lines,
        ) -> None:
            exact = Decimal(0) if zero or ev is None else ev.amount
            rounded = (
                exact if rule is RoundingRule.UNROUNDED_HALF_UP else round_money(exact, ccy, rule)
            )
            item_lines.append(
                AssessmentLine(
                    item.number,
                    tax,
                    m.id,
                    str(m.type),
                    m.legal_base,
                    m.expression.text if m.expression else "",
                    ev.base if ev else None,
                    ev.quantity if ev else None,
                    ev.unit if ev else None,
                    rounded,
                    exact,
                    ccy,
                    reason,
                )
            )

        def charge(
            m: Measure,
            tax: str,
            reason: str,
            ctx: ChargeBasis = ctx,
            relief_scope: set[str] = relief_scope,
            relief_note: str = relief_note,
        ) -> None:
            if m.expression is None:
                return
            ev = evaluate(m.expression, ctx)
            detail = "; ".join(p.description for p in ev.parts) or "free"
            if tax == "duty" and duty_exempt:
                line(m, tax, ev, f"{reason}; {notes[0]}", zero=True)
            elif tax in relief_scope:
                line(m, tax, ev, f"{reason}; {relief_note}", zero=True)
            else:
                extra = f"; {relief_note}" if relief_note and tax == "duty" else ""
                line(m, tax, ev, f"{reason}: {detail}{extra}")

        for m in measures:
            if m.type in (MeasureType.PROHIBITION, MeasureType.RESTRICTION) and (
                m.type is MeasureType.PROHIBITION
                or not (
                    m.required_document
                    and any(d in item.documents for d in m.required_document.split(" or "))
                )
            ):
                reqs.append(
                    Requirement(
                        item.number,
                        m.id,
                        m.description or m.legal_base,
                        m.required_document,
                        m.type is MeasureType.PROHIBITION,
                    )
                )
        base_duty = _choose_duty(item, measures, remaining, drawdowns)
        if base_duty is None:
            raise NoApplicableMeasure(
                f"no duty measure for {item.commodity_code} from {item.origin} on {at}",
                {"item": item.number, "commodity_code": item.commodity_code},
            )
        m, reason = base_duty
        charge(m, "duty", reason)
        for m in measures:
            if m.type in TRADE_DEFENCE:
                if not _exporter_measure_applies(m, item, measures):
                    continue
                who = (
                    f"exporter {m.exporter}"
                    if m.exporter
                    else "residual rate (all other exporters)"
                )
                charge(m, "duty", f"{m.type} on origin {item.origin}, {who}")
            elif m.type is MeasureType.ADDITIONAL:
                charge(m, "duty", f"additional duty on origin {item.origin}")
        for m in measures:
            if m.type is MeasureType.EXCISE:
                charge(m, "excise", "excise")
        vat_measure = _choose_vat(item, measures)
        if vat_measure is not None:
            assert vat_measure.expression is not None
            duty_sum = sum((x.amount for x in item_lines), Decimal(0))
            vat_base = item.customs_value + duty_sum
            rate = _vat_rate(vat_measure)
            exact = vat_base * rate / 100
            reason = (
                f"VAT {vat_measure.vat_rate or ''} {rate}%"
                f" of (customs value + duties + excise) {vat_base}"
            )
            if vat_exempt or "vat" in relief_scope:
                exact = Decimal(0)
                reason += "; " + (notes[-1] if vat_exempt else relief_note)
            rounded = (
                exact if rule is RoundingRule.UNROUNDED_HALF_UP else round_money(exact, ccy, rule)
            )
            item_lines.append(
                AssessmentLine(
                    item.number,
                    "vat",
                    vat_measure.id,
                    "vat",
                    vat_measure.legal_base,
                    vat_measure.expression.text,
                    vat_base,
                    None,
                    None,
                    rounded,
                    exact,
                    ccy,
                    reason,
                )
            )
        lines.extend(item_lines)

    def total(tax: str) -> Decimal:
        return sum((x.amount for x in lines if x.tax == tax), Decimal(0))

    duty, excise, vat = total("duty"), total("excise"), total("vat")
    return Assessment(
        ccy,
        rule,
        at,
        tuple(lines),
        duty,
        excise,
        vat,
        duty + excise + vat,
        tuple(drawdowns),
        tuple(reqs),
        tuple(notes),
    )


def _choose_duty(
    item: ItemInput,
    measures: list[Measure],
    remaining: dict[str, Decimal],
    drawdowns: list[QuotaDrawdown],
) -> tuple[Measure, str] | None:
    """MFN (or column 2) unless a preference with proof, a quota with balance, or a suspension."""
    general = [m for m in measures if m.type in (MeasureType.THIRD_COUNTRY, MeasureType.COLUMN_2)]
    col2 = [m for m in general if m.type is MeasureType.COLUMN_2]
    base = col2[0] if col2 else (general[0] if general else None)
    base_reason = f"{base.type} rate" if base else ""
    pref_origin = item.preferential_origin or item.origin
    if item.quota_order_number:
        quota = next(
            (
                m
                for m in measures
                if m.type is MeasureType.TARIFF_QUOTA
                and m.quota
                and m.quota.order_number == item.quota_order_number
            ),
            None,
        )
        if quota is not None and quota.quota is not None:
            unit = quota.quota.unit
            need = item.quantities.get(unit, Decimal(0))
            left = remaining.get(quota.quota.order_number, Decimal(0))
            if need > 0 and left >= need:
                remaining[quota.quota.order_number] = left - need
                drawdowns.append(QuotaDrawdown(quota.quota.order_number, item.number, need, unit))
                return (
                    quota,
                    f"tariff quota {quota.quota.order_number}: {need} {unit} drawn,"
                    f" {left - need} left",
                )
            base_reason = (
                f"quota {item.quota_order_number} exhausted ({left} {unit} left,"
                f" {need} needed): {base_reason}"
            )
    if item.preference_claimed:
        prefs = [
            m
            for m in measures
            if m.type is MeasureType.PREFERENCE and m.geography.covers(pref_origin)
        ]
        priced = [m for m in prefs if m.expression is not None and m.expression.computable]
        if prefs and not priced:
            base_reason = (
                f"preference rate for {pref_origin} is textual (officer to decide); {base_reason}"
            )
            prefs = []
        if prefs and item.proof_of_origin:
            m = priced[0]
            return (
                m,
                f"preference {m.preference_scheme or m.geography.code} for origin {pref_origin}"
                " with proof of origin",
            )
        if prefs:
            base_reason = (
                f"preference for {pref_origin} not granted: no valid proof of origin; {base_reason}"
            )
        else:
            base_reason = f"no preference for origin {pref_origin} on this code; {base_reason}"
    for m in measures:
        if (
            m.type is MeasureType.SUSPENSION
            and m.required_document
            and m.required_document in item.documents
        ):
            return m, f"suspension on authorisation {m.required_document}"
    if base is None:
        return None
    return base, base_reason


def _norm(name: str) -> str:
    return " ".join(name.lower().replace(",", " ").split())


def _exporter_measure_applies(m: Measure, item: ItemInput, measures: list[Measure]) -> bool:
    """The named exporter's rate if the exporter is named in the measure, else the residual."""
    same = [x for x in measures if x.type is m.type]
    named = [x for x in same if x.exporter]
    exporter = _norm(item.exporter) if item.exporter else None
    match = [x for x in named if exporter and _norm(x.exporter or "").startswith(exporter[:20])]
    if m.exporter:
        return m in match
    return not match


def _choose_vat(item: ItemInput, measures: list[Measure]) -> Measure | None:
    vats = [m for m in measures if m.type is MeasureType.VAT and m.expression is not None]
    if not vats:
        return None
    if item.vat_rate:
        for m in vats:
            if m.vat_rate == item.vat_rate:
                return m
    standard = [m for m in vats if m.vat_rate == "standard"]
    return standard[0] if standard else vats[0]


def _vat_rate(m: Measure) -> Decimal:
    assert m.expression is not None
    for c in m.expression.components:
        if c.kind == "ad_valorem" and c.rate_percent is not None:
            return c.rate_percent
    return Decimal(0)
