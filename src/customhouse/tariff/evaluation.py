"""Evaluate a duty expression for one item: exact Decimal amounts, each part explained.

>>> from customhouse.tariff.expressions import parse
>>> ctx = ChargeBasis(currency="USD", customs_value=Decimal("5000"),
...                   quantities=Quantities({"kg": Decimal("2000")}))
>>> ev = evaluate(parse("35.9 cents/kg + 10%"), ctx)
>>> ev.amount
Decimal('1218.000')
>>> [p.description for p in ev.parts]
['0.359 USD / 1 kg x 2000 kg', '10% of 5000 USD']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_FLOOR, Decimal

from customhouse.tariff.errors import (
    MissingAttribute,
    MissingBasisValue,
    MissingExchangeRate,
    MissingQuantity,
    NotComputable,
)
from customhouse.tariff.expressions import Component, DutyExpression
from customhouse.tariff.units import Quantities

__all__ = [
    "ChargeBasis",
    "Evaluation",
    "PartValue",
    "Quantities",
    "evaluate",
    "evaluate_components",
]

# Qualifiers that only describe the unit (so the plain unit's quantity is the right one).
_DESCRIPTIVE_QUALIFIERS = frozenset({"article", "pins", "linear"})


@dataclass(frozen=True, slots=True)
class ChargeBasis:
    """What an expression is evaluated on, all in ``currency`` (the currency duty is due in).

    ``convert(amount, from_currency)`` turns a foreign specific amount (EUR / 100 kg in a GBP
    tariff) into ``currency``; the caller binds it to the official rate for the date.
    """

    currency: str
    customs_value: Decimal | None = None
    quantities: Quantities = field(default_factory=Quantities)
    basis_values: Mapping[str, Decimal] = field(default_factory=dict)
    convert: Callable[[Decimal, str], Decimal] | None = None
    base_rate: DutyExpression | None = None
    at: dt.date | None = None
    preference_code: str | None = None
    floor_spq: bool = False


@dataclass(frozen=True, slots=True)
class PartValue:
    """One evaluated part: what it was, the base or quantity it used, and its signed amount."""

    kind: str
    description: str
    amount: Decimal
    base: Decimal | None = None
    quantity: Decimal | None = None
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class Evaluation:
    """An exact (unrounded) amount with the parts that made it, never negative."""

    amount: Decimal
    currency: str
    parts: tuple[PartValue, ...]
    notes: tuple[str, ...] = ()
    base: Decimal | None = None
    quantity: Decimal | None = None
    unit: str | None = None


def evaluate(expr: DutyExpression, ctx: ChargeBasis) -> Evaluation:
    """Price an expression; raise :class:`NotComputable` for textual rates."""
    if not expr.computable:
        raise NotComputable(f"textual rate cannot be priced: {expr.text!r}", {"text": expr.text})
    notes: list[str] = []
    components: Sequence[Component] = expr.components
    if ctx.preference_code:
        for pref in expr.preferential:
            if ctx.preference_code in pref.codes:
                components = pref.components
                notes.append(f"preference rate {ctx.preference_code}")
                break
    if expr.staging and ctx.at is not None:
        current = [s for s in expr.staging if dt.date.fromisoformat(s.start) <= ctx.at]
        if current:
            stage = max(current, key=lambda s: s.start)
            components = stage.components
            notes.append(f"phased rate from {stage.start}")
    if expr.free and not components:
        return Evaluation(Decimal(0), ctx.currency, (), (*notes, "free"))
    return evaluate_components(components, ctx, notes)


def evaluate_components(
    components: Sequence[Component], ctx: ChargeBasis, notes: list[str] | None = None
) -> Evaluation:
    """Sum the additive parts in order, then apply each MIN / MAX clause as it comes."""
    notes = list(notes or [])
    if any(c.season for c in components):
        components = _in_season(components, ctx, notes)
    running = Decimal(0)
    parts: list[PartValue] = []
    for comp in components:
        if comp.kind in ("minimum", "maximum"):
            clause_parts = comp.parts or (replace(comp, kind=_inner_kind(comp)),)
            values = [_part(p, ctx) for p in clause_parts]
            clause = sum((v.amount for v in values), Decimal(0))
            before = running
            running = max(running, clause) if comp.kind == "minimum" else min(running, clause)
            word = "MIN" if comp.kind == "minimum" else "MAX"
            bound = "binding" if running != before else "not binding"
            parts.append(
                PartValue(
                    comp.kind,
                    f"{word} {' + '.join(v.description for v in values)} = {clause} ({bound})",
                    Decimal(0),
                )
            )
            continue
        value = _part(comp, ctx)
        running += value.amount
        parts.append(value)
    if running < 0:
        notes.append(f"negative result {running} set to 0")
        running = Decimal(0)
    first = next((p for p in parts if p.base is not None or p.quantity is not None), None)
    return Evaluation(
        running,
        ctx.currency,
        tuple(parts),
        tuple(notes),
        base=first.base if first else None,
        quantity=first.quantity if first else None,
        unit=first.unit if first else None,
    )


def _inner_kind(comp: Component) -> str:
    return "ad_valorem" if comp.rate_percent is not None else "specific"


def _in_season(
    components: Sequence[Component], ctx: ChargeBasis, notes: list[str]
) -> list[Component]:
    if ctx.at is None:
        raise MissingAttribute("a seasonal rate needs the date of acceptance", {"attribute": "at"})
    md = ctx.at.strftime("--%m-%d")
    for comp in components:
        if comp.season is None:
            continue
        start, end = comp.season
        inside = start <= md <= end if start <= end else (md >= start or md <= end)
        if inside:
            notes.append(f"seasonal rate {start} to {end}")
            return [c for c in components if c is comp or c.season is None]
    notes.append("no seasonal rate applies on that date")
    return [c for c in components if c.season is None]


def _part(comp: Component, ctx: ChargeBasis) -> PartValue:
    sign = Decimal(-1) if comp.sign == "-" else Decimal(1)
    if comp.kind == "ad_valorem":
        assert comp.rate_percent is not None
        if comp.basis:
            base = _lookup(ctx.basis_values, comp.basis)
            if base is None:
                if comp.if_present:
                    return PartValue(
                        comp.kind, f"{comp.rate_percent}% on {comp.basis} (absent)", Decimal(0)
                    )
                raise MissingBasisValue(
                    f"the value of the {comp.basis} is needed for {comp.rate_percent}%",
                    {"basis": comp.basis},
                )
            label = f"{comp.rate_percent}% of {comp.basis} {base} {ctx.currency}"
        else:
            if ctx.customs_value is None:
                raise MissingBasisValue(
                    "the customs value is needed for an ad valorem rate", {"basis": "customs value"}
                )
            base = ctx.customs_value
            label = f"{comp.rate_percent}% of {base} {ctx.currency}"
        amount = base * comp.rate_percent / 100
        return PartValue(comp.kind, ("- " if sign < 0 else "") + label, sign * amount, base=base)
    if comp.kind in ("specific", "adjustment"):
        return _specific(comp, ctx, sign)
    if comp.kind == "base_rate_reference":
        if ctx.base_rate is None:
            raise MissingAttribute(
                "the rate of the applicable subheading is needed", {"attribute": "base_rate"}
            )
        inner = evaluate(ctx.base_rate, ctx)
        return PartValue(
            comp.kind,
            f"duty of the applicable subheading ({ctx.base_rate.text}) = {inner.amount}",
            inner.amount,
        )
    if comp.kind in ("nihil", "supplementary_unit"):
        return PartValue(comp.kind, comp.kind, Decimal(0))
    if comp.kind == "agricultural_component":
        raise MissingAttribute(
            "the agricultural component needs the additional (Meursing) code's amount",
            {"attribute": "agricultural_component"},
        )
    raise NotComputable(f"cannot price a {comp.kind} part", {"kind": comp.kind})


def _specific(comp: Component, ctx: ChargeBasis, sign: Decimal) -> PartValue:
    assert comp.amount is not None
    rate = comp.amount
    currency = comp.currency or ctx.currency
    if currency != ctx.currency:
        if ctx.convert is None:
            raise MissingExchangeRate(
                f"no rate to convert {currency} into {ctx.currency}",
                {"from": currency, "to": ctx.currency},
            )
        rate = ctx.convert(rate, currency)
    if comp.per is None:
        count = Decimal(1)
        quantity: Decimal | None = None
        how = "flat"
    else:
        found = ctx.quantities.get(comp.per.unit, comp.qualifier, comp.abv_threshold_percent)
        if found is None and comp.qualifier and comp.qualifier.lower() in _DESCRIPTIVE_QUALIFIERS:
            found = ctx.quantities.get(comp.per.unit)
        if found is None:
            if comp.if_present:
                return PartValue(
                    comp.kind, f"{comp.amount} {currency} / {comp.per.unit} (absent)", Decimal(0)
                )
            unit = comp.per.unit + (f"@{comp.qualifier}" if comp.qualifier else "")
            raise MissingQuantity(
                f"a quantity in {unit} is needed for {comp.amount} {currency}", {"unit": unit}
            )
        quantity, how = found
        if comp.applies_above is not None:
            per_item = ctx.quantities.attributes.get("jewels_per_item")
            items = ctx.quantities.values.get("item")
            if per_item is not None and items is not None:
                quantity = max(Decimal(0), per_item - comp.applies_above) * items
                how = f"(jewels per item - {comp.applies_above}) x items"
        count = quantity / comp.per.quantity
    amount = rate * count
    per_text = f"{comp.per.quantity} {comp.per.unit}" if comp.per else ""
    label = f"{comp.amount} {currency} / {per_text}".rstrip(" /")
    if quantity is not None:
        label += f" x {quantity} {comp.per.unit if comp.per else ''}".rstrip()
        if how not in (comp.per.unit if comp.per else "",):
            label += f" ({how})"
    if comp.multiplied_by:
        factor = ctx.quantities.attributes.get(comp.multiplied_by)
        if factor is None:
            raise MissingAttribute(
                f"{comp.multiplied_by} is needed", {"attribute": comp.multiplied_by}
            )
        amount *= factor
        label += f" x {comp.multiplied_by} {factor}"
        if ctx.floor_spq and comp.multiplied_by == "spr_discount":
            amount = amount.quantize(Decimal("0.01"), rounding=ROUND_FLOOR)
    if comp.kind == "adjustment":
        driver = comp.driver or "polarimetric_degrees"
        degrees = ctx.quantities.attributes.get(driver)
        if degrees is None:
            raise MissingAttribute(f"{driver} is needed", {"attribute": driver})
        below = max(Decimal(0), (comp.per_degree_below or Decimal(100)) - degrees)
        if not comp.proportional_fractions:
            below = below.to_integral_value(rounding=ROUND_FLOOR)
        amount *= below
        label += f" x {below} degrees below {comp.per_degree_below}"
    return PartValue(
        comp.kind,
        ("- " if sign < 0 else "") + label,
        sign * amount,
        quantity=quantity,
        unit=comp.per.unit if comp.per else None,
    )


def _lookup(values: Mapping[str, Decimal], key: str) -> Decimal | None:
    if key in values:
        return values[key]
    low = key.lower()
    for k, v in values.items():
        if k.lower() == low:
            return v
    return None
