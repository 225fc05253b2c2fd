"""Run the duty-vectors (expressions*.jsonl, calculations*.jsonl) against this package.

Expressions are parsed with :func:`parse` and compared on meaning: free / computable / valid,
the operator, and every component's kind, figures (compared as Decimals), currency, unit,
qualifier, basis and modifiers. TARIC code ids (duty_expression_id, unit codes) are not
compared: they are a representation, not the rate.

Calculations are computed with :func:`evaluate_components` and :func:`settle` from the
vector's structured components, under the rounding rule the vector states.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any

from customhouse.errors import DomainError
from customhouse.tariff.errors import UnparsableExpression
from customhouse.tariff.evaluation import ChargeBasis, evaluate_components
from customhouse.tariff.expressions import (
    Component,
    ParseOptions,
    component_from_dict,
    parse,
)
from customhouse.tariff.money import RoundingRule, round_money
from customhouse.tariff.settlement import settle
from customhouse.tariff.units import Quantities
from customhouse.valuation.engine import validate_value_parts
from customhouse.valuation.rates import MonthlyRate, MonthlyRateTable

_COMPARED = (
    "kind",
    "rate_percent",
    "amount",
    "currency",
    "per",
    "qualifier",
    "basis",
    "sign",
    "if_present",
    "applies_above",
    "multiplied_by",
    "abv_threshold_percent",
    "per_degree_below",
    "driver",
    "proportional_fractions",
    "reduced",
    "season",
    "parts",
)
_DECIMAL_FIELDS = frozenset(
    {"rate_percent", "amount", "applies_above", "abv_threshold_percent", "per_degree_below"}
)


def parse_options_for(source: str) -> ParseOptions:
    """Profile configuration by the vector's source: a bare ``$`` is AUD in the AU schedule."""
    return ParseOptions(dollar="AUD" if source.startswith("au") else "USD")


# ---------------------------------------------------------------------------------------------
# expressions


def _norm_component(c: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in _COMPARED:
        v = c.get(key)
        if key == "sign" and v is None:
            v = "+"
        if key in ("if_present", "proportional_fractions", "reduced"):
            v = bool(v)
        if v is None:
            continue
        if key in _DECIMAL_FIELDS:
            v = Decimal(str(v)).normalize()
        elif key == "per":
            v = (Decimal(str(v["quantity"])).normalize(), v["unit"])
        elif key in ("qualifier", "basis"):
            v = re.sub(r"\s+", " ", str(v).strip().lower())
        elif key == "parts":
            v = [_norm_component(p) for p in v]
        elif key == "season":
            v = (v["from"], v["to"])
        out[key] = v
    return out


def _norm_group(free: Any, components: Any) -> dict[str, Any]:
    return {"free": bool(free), "components": [_norm_component(c) for c in components or []]}


def _expected_view(v: dict[str, Any]) -> dict[str, Any]:
    valid = v.get("valid", True) is not False and v.get("operator") != "invalid"
    if not valid:
        return {"valid": False}
    if not v.get("computable", True):
        return {"valid": True, "computable": False}
    out = {
        "valid": True,
        "computable": True,
        "operator": v["operator"],
        **_norm_group(v["free"], v["components"]),
    }
    out["preferential"] = [
        {"codes": list(p["codes"]), **_norm_group(p["free"], p["components"])}
        for p in v.get("preferential") or []
    ]
    out["staging"] = [
        {"from": s["from"], **_norm_group(s["free"], s["components"])}
        for s in v.get("staging") or []
    ]
    return out


def check_expression(v: dict[str, Any]) -> tuple[bool, Any, Any]:
    expected = _expected_view(v)
    try:
        got_expr = parse(v["expression"], parse_options_for(v.get("source", "")))
    except UnparsableExpression as exc:
        got: dict[str, Any] = {
            "valid": False,
            "error": type(exc).__name__,
            "position": exc.position,
        }
        return expected == {"valid": False}, expected, got
    got = _expected_view({"valid": True, **got_expr.as_dict()})
    return got == expected, _jsonable(expected), _jsonable(got)


def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_jsonable(v) for v in x]
    if isinstance(x, Decimal):
        return str(x)
    return x


# ---------------------------------------------------------------------------------------------
# calculations


def rule_from_text(text: str) -> RoundingRule:
    """The vector's own rounding statement, mapped onto a named rule."""
    if text.startswith("R1"):
        return RoundingRule.PER_LINE_HALF_UP
    if "UK duty calculator" in text or "unrounded" in text:
        return RoundingRule.UNROUNDED_HALF_UP
    if text.lower().startswith("floor"):
        return RoundingRule.PER_LINE_FLOOR
    return RoundingRule.PER_LINE_HALF_UP


def _d(x: Any) -> Decimal | None:
    return None if x is None or x == "" else Decimal(str(x))


def _components(entry: dict[str, Any], source: str) -> list[Component]:
    if entry.get("components") is not None:
        return [component_from_dict(c) for c in entry["components"]]
    return list(parse(entry["expression"], parse_options_for(source)).components)


def _compute_calc(v: dict[str, Any], base_dir: Path) -> dict[str, Any]:
    inp = v["inputs"]
    kind = v["kind"]
    rule = rule_from_text(v.get("rounding", ""))
    if kind == "currency_conversion":
        amount = Decimal(inp["amount"]) * Decimal(inp["rate"])
        if "floor" in v.get("rounding", "").lower():
            amount = amount.quantize(Decimal("0.01"), rounding=ROUND_FLOOR)
        return {"amount": amount, "currency": inp["to"]}
    if kind == "exchange_rate_lookup":
        table = _rate_table(base_dir, inp["rates_table"])
        at = dt.date.fromisoformat(inp["import_date"]) if inp.get("import_date") else None
        r = table.lookup("EUR", inp["currency"], at)
        return {
            "exchange_rate": r.rate,
            "validity_start_date": r.valid_from.isoformat(),
            "operation_date": r.operation_date.isoformat() if r.operation_date else None,
        }
    if kind == "validation":
        parts = inp["customs_value_parts"]
        problems = validate_value_parts(
            _d(parts.get("monetary_value")),
            _d(parts.get("shipping_cost")),
            _d(parts.get("insurance_cost")),
        )
        return {"valid": not problems, "error_field": problems[0] if problems else None}
    return _compute_charges(v, inp, rule)


def _compute_charges(v: dict[str, Any], inp: dict[str, Any], rule: RoundingRule) -> dict[str, Any]:
    source = v.get("source", "")
    cv = inp.get("customs_value")
    fx = inp.get("exchange_rate")
    cv_amount = _d(cv["amount"]) if cv else None
    currency = cv["currency"] if cv else None
    if cv and fx and fx["from"] == cv["currency"]:
        assert cv_amount is not None
        converted = cv_amount * Decimal(fx["rate"])
        cv_amount = (
            converted
            if rule is RoundingRule.UNROUNDED_HALF_UP
            else round_money(converted, fx["to"], rule)
        )
        currency = fx["to"]
    if currency is None:
        currency = v.get("expected", {}).get("currency") or (fx["to"] if fx else None)
    if currency is None:
        first = next((c for c in inp.get("components") or [] if c.get("currency")), None)
        currency = first["currency"] if first else "GBP"

    def convert(amount: Decimal, from_ccy: str) -> Decimal:
        f = "EUR" if from_ccy in ("XEM", "EUC") else from_ccy
        if fx and fx["from"] == f and fx["to"] == currency:
            return amount * Decimal(fx["rate"])
        raise DomainError(f"no rate {from_ccy}->{currency}")

    base_rate = None
    if inp.get("base_rate"):
        from customhouse.tariff.expressions import DutyExpression

        base_rate = DutyExpression(
            text=inp["base_rate"].get("expression", ""),
            components=tuple(_components(inp["base_rate"], source)),
        )
    qty = Quantities(
        {k: Decimal(str(x)) for k, x in (inp.get("quantities") or {}).items()},
        {k: Decimal(str(x)) for k, x in (inp.get("attributes") or {}).items()},
    )
    ctx = ChargeBasis(
        currency=currency,
        customs_value=cv_amount,
        quantities=qty,
        basis_values={k: Decimal(str(x)) for k, x in (inp.get("basis_values") or {}).items()},
        convert=convert,
        base_rate=base_rate,
        at=dt.date.fromisoformat(inp["import_date"]) if inp.get("import_date") else None,
        floor_spq="floors" in v.get("rounding", ""),
    )
    out: dict[str, Any] = {"currency": currency}
    if v["kind"] == "component_value":
        ev = evaluate_components(_components(inp, source), ctx)
        out["component_value"] = round_money(ev.amount, currency)
        out["component_value_unrounded"] = ev.amount
        return out
    if inp.get("measures"):
        lines = [evaluate_components(_components(m, source), ctx).amount for m in inp["measures"]]
    elif inp.get("condition_bands"):
        price = Decimal(inp["entry_price"]["amount"])
        bands = [b for b in inp["condition_bands"] if Decimal(b["min_entry_price"]) <= price]
        band = max(bands, key=lambda b: Decimal(b["min_entry_price"]))
        out["selected_band_min_entry_price"] = Decimal(band["min_entry_price"])
        lines = [evaluate_components(_components(band, source), ctx).amount]
    else:
        lines = [evaluate_components(_components(inp, source), ctx).amount]
    excise = [
        evaluate_components(_components(m, source), ctx).amount for m in inp.get("excise") or []
    ]
    vat_rate = _d(inp.get("vat_rate_percent"))
    s = settle(currency, cv_amount, lines, excise, vat_rate, rule)
    out.update(
        duty=s.duty,
        duty_unrounded=s.duty_unrounded,
        vat=s.vat,
        vat_unrounded=s.vat_unrounded,
        vat_base=s.vat_base,
        vat_base_unrounded=s.vat_base_unrounded,
        total=s.total,
        total_unrounded=s.total_unrounded,
        lines=list(s.duty_lines),
        lines_unrounded=list(s.duty_lines_unrounded),
    )
    if excise:
        out["excise"] = s.excise
        out["excise_unrounded"] = s.excise_unrounded
    return out


_SKIPPED_EXPECTED = frozenset({"calculation_label", "total_quantity", "unit"})


def _compare_calc(expected: dict[str, Any], got: dict[str, Any]) -> bool:
    for key, want in expected.items():
        if key in _SKIPPED_EXPECTED:
            continue
        if key == "lines":
            if not isinstance(want, list) or len(want) != len(got["lines"]):
                return False
            for i, w in enumerate(want):
                if isinstance(w, dict):
                    if (
                        "value_unrounded" in w
                        and Decimal(w["value_unrounded"]) != got["lines_unrounded"][i]
                    ):
                        return False
                    if "display" in w and Decimal(w["display"]) != got["lines"][i]:
                        return False
                elif Decimal(str(w)) != got["lines"][i]:
                    return False
            continue
        if key not in got:
            return False
        have = got[key]
        if want is None or have is None:
            if want is not have:
                return False
            continue
        if isinstance(want, bool) or key in (
            "currency",
            "error_field",
            "validity_start_date",
            "operation_date",
        ):
            if want != have:
                return False
            continue
        if Decimal(str(want)) != Decimal(str(have)):
            return False
    return True


def check_calculation(v: dict[str, Any], base_dir: Path) -> tuple[bool, Any, Any]:
    expected = v["expected"]
    try:
        got = _compute_calc(v, base_dir)
    except DomainError as exc:
        return False, expected, {"error": exc.code, "message": str(exc)}
    shown = {k: got[k] for k in expected if k in got}
    return _compare_calc(expected, got), expected, _jsonable(shown)


def _rate_table(base_dir: Path, relative: str) -> MonthlyRateTable:
    path = _resolve(base_dir, relative)
    rows = json.loads(path.read_text())
    rates = []
    for row in rows:
        a = row.get("attributes", row)
        rates.append(
            MonthlyRate(
                from_ccy="EUR",
                to_ccy=a["child_monetary_unit_code"],
                rate=Decimal(str(a["exchange_rate"])),
                valid_from=dt.date.fromisoformat(a["validity_start_date"][:10]),
                operation_date=dt.date.fromisoformat(a["operation_date"][:10])
                if a.get("operation_date")
                else None,
            )
        )
    return MonthlyRateTable(rates)


def _resolve(base_dir: Path, relative: str) -> Path:
    """Find a path given relative to the workspace ("shared/data/...") from the vectors folder."""
    rel = Path(relative)
    for parent in [base_dir, *base_dir.resolve().parents]:
        for candidate in (
            parent / rel,
            parent / Path(*rel.parts[1:]) if len(rel.parts) > 1 else parent / rel,
        ):
            if candidate.exists():
                return candidate
    raise DomainError(f"file not found: {relative}")


# ---------------------------------------------------------------------------------------------


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            yield json.loads(line)


def check_vectors(directory: Path) -> dict[str, Any]:
    """Check every expressions*.jsonl and calculations*.jsonl in ``directory``."""
    passed = 0
    failures: list[dict[str, Any]] = []
    for path in sorted(directory.glob("expressions*.jsonl")):
        for v in _lines(path):
            ok, expected, got = check_expression(v)
            if ok:
                passed += 1
            else:
                failures.append({"id": v["id"], "expected": expected, "got": got})
    for path in sorted(directory.glob("calculations*.jsonl")):
        for v in _lines(path):
            ok, expected, got = check_calculation(v, directory)
            if ok:
                passed += 1
            else:
                failures.append({"id": v["id"], "expected": expected, "got": got})
    return {"passed": passed, "failed": len(failures), "failures": failures}
