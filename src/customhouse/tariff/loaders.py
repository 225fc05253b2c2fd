"""Profiles: load real tariffs into a :class:`Tariff` (pure: text in, objects out).

- US: the USITC tariff database (HTS8 CSV): MFN, column 2, and FTA rates by partner.
- UK: UK Trade Tariff API commodity responses (``/commodities/<code>`` JSON), so live API
  answers can be fed as they come.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from customhouse.tariff.errors import UnparsableExpression
from customhouse.tariff.expressions import DutyExpression, parse
from customhouse.tariff.models import (
    ALWAYS,
    UK_PROFILE,
    US_PROFILE,
    CommodityLine,
    Geography,
    Measure,
    MeasureType,
    Quota,
    Tariff,
    Validity,
)

# Column 2 applies to these (Cuba, North Korea; Russia and Belarus since 2022).
US_COLUMN_2 = frozenset({"CU", "KP", "RU", "BY"})
US_FTA_PARTNERS: dict[str, tuple[str, frozenset[str]]] = {
    "usmca": ("USMCA", frozenset({"CA", "MX"})),
    "korea": ("KORUS", frozenset({"KR"})),
    "australia": ("AUSFTA", frozenset({"AU"})),
    "singapore": ("USSFTA", frozenset({"SG"})),
    "chile": ("USCFTA", frozenset({"CL"})),
    "morocco": ("USMFTA", frozenset({"MA"})),
    "bahrain": ("USBFTA", frozenset({"BH"})),
    "jordan": ("USJFTA", frozenset({"JO"})),
    "oman": ("USOFTA", frozenset({"OM"})),
    "peru": ("USPTPA", frozenset({"PE"})),
    "colombia": ("USCTPA", frozenset({"CO"})),
    "panama": ("USPATPA", frozenset({"PA"})),
    "dr_cafta": ("CAFTA-DR", frozenset({"CR", "DO", "GT", "HN", "NI", "SV"})),
}
# USITC reporting unit codes -> units of the expression language.
US_UNITS = {
    "KG": "kg", "G": "g", "GM": "g", "T": "t", "L": "l", "PFL": "pf_l", "NO": "item",
    "PCS": "item", "DOZ": "doz", "GRS": "gross", "PRS": "pr", "DPR": "pr", "M": "m",
    "M2": "m2", "M3": "m3", "BBL": "bbl", "THS": "item", "HUN": "item", "DPC": "item",
}  # fmt: skip
US_UNIT_QUANTITY = {
    "THS": Decimal(1000),
    "HUN": Decimal(100),
    "DPR": Decimal(12),
    "DPC": Decimal(12),
}


@dataclass
class RateStrings:
    """Every rate text a loader met, for the parse report."""

    texts: list[str] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)


def _us_date(text: str) -> dt.date | None:
    if not text:
        return None
    try:
        m, d, y = (int(x) for x in text.split("/"))
    except ValueError:
        return None
    return dt.date(2000 + y if y < 70 else 1900 + y, m, d)


def _parse_or_text(text: str, report: RateStrings) -> DutyExpression:
    report.texts.append(text)
    try:
        return parse(text)
    except UnparsableExpression as exc:
        report.failures.append((text, str(exc)))
        return DutyExpression(text=text, computable=False, notes=(f"unparsed: {exc.reason}",))


def _open_text(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return io.TextIOWrapper(path.open("rb"), encoding="utf-8", newline="")


def load_us(path: Path, report: RateStrings | None = None) -> Tariff:
    """Load the USITC HTS8 CSV (plain or gzip)."""
    with _open_text(path) as fh:
        return load_us_rows(csv.DictReader(fh), report)


def load_us_rows(rows: Iterable[dict[str, str]], report: RateStrings | None = None) -> Tariff:
    report = report if report is not None else RateStrings()
    tariff = Tariff(US_PROFILE)
    cache: dict[str, DutyExpression] = {}

    def expr(text: str) -> DutyExpression:
        found = cache.get(text)
        if found is None:
            found = cache[text] = _parse_or_text(text, report)
        else:
            report.texts.append(text)
        return found

    mfn_geo = Geography.erga_omnes(excluded=US_COLUMN_2)
    col2_geo = Geography.group("COL2", US_COLUMN_2)
    for row in rows:
        code = row["hts8"].strip()
        if not code:
            continue
        validity = Validity(
            _us_date(row.get("begin_effect_date", "")), _us_date(row.get("end_effective_date", ""))
        )
        units = tuple(
            u for u in (row.get("quantity_1_code", ""), row.get("quantity_2_code", "")) if u
        )
        tariff.lines[code] = CommodityLine(code, row.get("brief_description", ""), units, validity)
        if row.get("mfn_text_rate", "").strip():
            tariff.add(
                Measure(
                    f"US-{code}-MFN",
                    MeasureType.THIRD_COUNTRY,
                    code,
                    mfn_geo,
                    expr(row["mfn_text_rate"].strip()),
                    validity,
                    "HTSUS general (column 1) rate",
                    "MFN",
                )
            )
        if row.get("col2_text_rate", "").strip():
            tariff.add(
                Measure(
                    f"US-{code}-COL2",
                    MeasureType.COLUMN_2,
                    code,
                    col2_geo,
                    expr(row["col2_text_rate"].strip()),
                    validity,
                    "HTSUS column 2 rate",
                    "column 2",
                )
            )
        unit = (row.get("quantity_1_code") or "").upper()
        for prefix, (scheme, members) in US_FTA_PARTNERS.items():
            ind = row.get(f"{prefix}_indicator", "").strip()
            rtype = row.get(f"{prefix}_rate_type_code", "").strip()
            if not ind and not rtype:
                continue
            e = _us_structured(row, prefix, unit)
            tariff.add(
                Measure(
                    f"US-{code}-{scheme}",
                    MeasureType.PREFERENCE,
                    code,
                    Geography.group(scheme, members),
                    e,
                    validity,
                    f"HTSUS special program {ind or scheme}",
                    scheme,
                    preference_scheme=scheme,
                    required_document="proof of origin",
                )
            )
    return tariff


_UNIT_WORDS = {"item": "p/st", "pf_l": "pf. liter", "doz": "doz.", "pr": "pr."}


def _us_structured(row: dict[str, str], prefix: str, unit: str) -> DutyExpression:
    """FTA rates exist only as USITC structured fields (type code, ad valorem fraction, $/unit).

    They are written out in the expression language and parsed, so a stored tariff reloads
    the same way as any rate text.
    """
    rtype = row.get(f"{prefix}_rate_type_code", "").strip()
    if rtype in ("", "0", "0.0"):
        return parse("Free")
    if rtype in ("9", "X", "K", "N", "Q", "T"):
        return DutyExpression(
            text=f"{prefix} rate type {rtype}: see the HTS text", computable=False
        )
    try:
        adv = Decimal(row.get(f"{prefix}_ad_val_rate") or 0)
        spec = Decimal(row.get(f"{prefix}_specific_rate") or 0)
    except InvalidOperation:
        return DutyExpression(text=f"{prefix} rate type {rtype}: unreadable", computable=False)
    parts: list[str] = []
    if spec:
        if unit not in US_UNITS:
            return DutyExpression(
                text=f"{prefix} rate type {rtype}: unit {unit} unknown", computable=False
            )
        qty = US_UNIT_QUANTITY.get(unit, Decimal(1))
        word = _UNIT_WORDS.get(US_UNITS[unit], US_UNITS[unit])
        parts.append(f"{spec.normalize():f} USD / {qty} {word}")
    if adv:
        parts.append(f"{(adv * 100).normalize():f}%")
    return parse(" + ".join(parts) if parts else "Free")


# ---------------------------------------------------------------------------------------------
# UK

_UK_TYPES: dict[str, MeasureType] = {
    "103": MeasureType.THIRD_COUNTRY,
    "105": MeasureType.THIRD_COUNTRY,
    "112": MeasureType.SUSPENSION,
    "115": MeasureType.SUSPENSION,
    "117": MeasureType.SUSPENSION,
    "119": MeasureType.SUSPENSION,
    "142": MeasureType.PREFERENCE,
    "145": MeasureType.PREFERENCE,
    "106": MeasureType.PREFERENCE,
    "122": MeasureType.TARIFF_QUOTA,
    "123": MeasureType.TARIFF_QUOTA,
    "143": MeasureType.TARIFF_QUOTA,
    "146": MeasureType.TARIFF_QUOTA,
    "551": MeasureType.ANTI_DUMPING,
    "552": MeasureType.ANTI_DUMPING,
    "553": MeasureType.ANTI_DUMPING,
    "554": MeasureType.COUNTERVAILING,
    "555": MeasureType.COUNTERVAILING,
    "695": MeasureType.ADDITIONAL,
    "696": MeasureType.ADDITIONAL,
    "305": MeasureType.VAT,
    "306": MeasureType.EXCISE,
    "109": MeasureType.SUPPLEMENTARY_UNIT,
    "110": MeasureType.SUPPLEMENTARY_UNIT,
    "277": MeasureType.PROHIBITION,
    "278": MeasureType.PROHIBITION,
}


def _uk_date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text[:10]) if text else None


def _uk_type(mt: dict[str, Any], m: dict[str, Any]) -> MeasureType | None:
    mid = str(mt.get("id", ""))
    if mid.startswith("VT") or m.get("vat"):
        return MeasureType.VAT
    if m.get("excise"):
        return MeasureType.EXCISE
    if mid in _UK_TYPES:
        # 103/105 are also used for certificate checks without a duty
        kind = _UK_TYPES[mid]
        base = (m.get("duty_expression") or {}).get("base", "")
        if kind is MeasureType.THIRD_COUNTRY and not base and m.get("measure_conditions"):
            has_entry_price = any(c.get("condition_code") == "V" for c in m["measure_conditions"])
            return MeasureType.THIRD_COUNTRY if has_entry_price else MeasureType.RESTRICTION
        return kind
    if m.get("measure_conditions"):
        return MeasureType.RESTRICTION
    return None


def load_uk_commodity(
    doc: dict[str, Any], report: RateStrings | None = None, tariff: Tariff | None = None
) -> Tariff:
    """Add one commodity response's import measures to ``tariff`` (a new UK tariff by default)."""
    report = report if report is not None else RateStrings()
    tariff = tariff if tariff is not None else Tariff(UK_PROFILE)
    data = doc.get("data", doc)
    attrs = data.get("attributes", data)
    code = str(attrs.get("goods_nomenclature_item_id", ""))
    tariff.lines[code] = CommodityLine(
        code, attrs.get("description_plain") or attrs.get("description", "")
    )
    for m in attrs.get("import_measures", []):
        mt = m.get("measure_type", {})
        kind = _uk_type(mt, m)
        if kind is None:
            continue
        ga = m.get("geographical_area", {})
        excluded = {
            e["id"] if isinstance(e, dict) else str(e) for e in m.get("excluded_countries", [])
        }
        children = {c["id"] for c in ga.get("children_geographical_areas", [])}
        gid = str(ga.get("id", ""))
        if gid == "1011":
            geo = Geography.erga_omnes(excluded)
        elif children:
            geo = Geography.group(gid, children, excluded)
        else:
            geo = Geography(gid, frozenset({gid}), frozenset(excluded), ga.get("description", ""))
        base = (m.get("duty_expression") or {}).get("base", "") or ""
        expression = _parse_or_text(base, report) if base.strip() else None
        validity = Validity(
            _uk_date(m.get("effective_start_date")), _uk_date(m.get("effective_end_date"))
        )
        acts = ", ".join(
            a.get("regulation_code", "")
            for a in m.get("legal_acts", [])
            if a.get("regulation_code")
        )
        addl = m.get("additional_code") or {}
        exporter = None
        if kind in (MeasureType.ANTI_DUMPING, MeasureType.COUNTERVAILING) and addl.get(
            "description"
        ):
            exporter = (
                None
                if addl.get("description", "").strip().lower() == "other"
                else addl["description"]
            )
        docs = sorted(
            {
                c.get("document_code")
                for c in m.get("measure_conditions", [])
                if c.get("document_code")
            }
        )
        order = (m.get("order_number") or {}).get("number")
        quota = Quota(order, Decimal(0), "kg") if order else None
        vat_rate = None
        if kind is MeasureType.VAT:
            desc = (mt.get("description", "") + " " + addl.get("description", "")).lower()
            vat_rate = "zero" if "zero" in desc else "reduced" if "reduced" in desc else "standard"
        tariff.add(
            Measure(
                id=f"UK-{m.get('id')}",
                type=kind,
                commodity_code=code,
                geography=geo,
                expression=expression,
                validity=validity,
                legal_base=acts or mt.get("description", ""),
                description=mt.get("description", "")
                + (f" ({addl.get('code')})" if addl.get("code") else ""),
                preference_scheme=gid if kind is MeasureType.PREFERENCE else None,
                quota=quota,
                exporter=exporter,
                required_document=" or ".join(docs) if docs else None,
                vat_rate=vat_rate,
            )
        )
    return tariff


def load_uk(path: Path, report: RateStrings | None = None) -> Tariff:
    """Load one commodity JSON file, or every ``*.json`` under a folder."""
    tariff = Tariff(UK_PROFILE)
    files: Iterator[Path] = iter(sorted(path.rglob("*.json"))) if path.is_dir() else iter([path])
    for f in files:
        doc = json.loads(f.read_text(encoding="utf-8"))
        if isinstance(doc, dict) and (
            "import_measures" in doc
            or "import_measures" in doc.get("data", {}).get("attributes", {})
        ):
            load_uk_commodity(doc, report, tariff)
    return tariff


def load_profile(profile: str, path: Path, report: RateStrings | None = None) -> Tariff:
    if profile == "us":
        return load_us(path, report)
    if profile == "uk":
        return load_uk(path, report)
    raise ValueError(f"unknown profile {profile!r}")


__all__ = [
    "ALWAYS",
    "US_UNITS",
    "US_UNIT_QUANTITY",
    "RateStrings",
    "load_profile",
    "load_uk",
    "load_uk_commodity",
    "load_us",
    "load_us_rows",
]
