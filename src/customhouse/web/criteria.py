"""A selectivity profile's criteria as form rows (what, how, value) and back.

Each row names one thing the risk engine looks at, how it compares and the value; rows become
the criteria dict the service takes (``risk.profiles.ProfileCriteria``). Problems point at the
row's field (``/criteria/<row>/<field>``) so the page shows each next to its input.

>>> rows = [Row("origin", "in", "br, cn"), Row("customs_value", "at_least", "5000")]
>>> criteria, problems = rows_to_criteria(rows)
>>> criteria, problems
({'origins': ['BR', 'CN'], 'value_min': '5000'}, [])
>>> [r.value for r in criteria_to_rows(criteria)]
['BR, CN', '5000']
>>> [p.pointer for p in rows_to_criteria([Row("origin", "at_most", "")])[1]]
['/criteria/0/operator', '/criteria/0/value']
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from customhouse.errors import Problem
from customhouse.web.core import N_, _

MAX_ROWS = 12
BLANK_ROWS = 3  # empty rows offered below the filled ones (no script needed to add one)

# What a row may look at: its label, and per operator the criterion key it fills.
FIELDS: dict[str, tuple[str, dict[str, str]]] = {
    "commodity_code": (N_("Commodity code"), {"starts_with": "commodity_prefixes"}),
    "origin": (N_("Country of origin"), {"in": "origins"}),
    "departure": (N_("Country of departure"), {"in": "departures"}),
    "importer": (N_("Importer EORI"), {"in": "importers"}),
    "declarant": (N_("Declarant EORI"), {"in": "declarants"}),
    "seller": (N_("Seller"), {"in": "sellers"}),
    "procedure": (N_("Procedure code"), {"in": "procedures"}),
    "transport_mode": (N_("Transport mode at the border"), {"in": "transport_modes"}),
    "office": (N_("Customs office"), {"in": "offices"}),
    "customs_value": (
        N_("Customs value"),
        {"at_least": "value_min", "at_most": "value_max"},
    ),
    "unit_value": (
        N_("Unit value per kg"),
        {"at_least": "unit_value_min", "at_most": "unit_value_max"},
    ),
    "reference_ratio": (
        N_("Unit value against the reference price (times)"),
        {"below": "unit_value_below_reference", "above": "unit_value_above_reference"},
    ),
}
OPERATORS = {
    "starts_with": N_("starts with one of"),
    "in": N_("is one of"),
    "at_least": N_("is at least"),
    "at_most": N_("is at most"),
    "below": N_("is below"),
    "above": N_("is above"),
}
KEYS = {key: (name, op) for name, (_label, ops) in FIELDS.items() for op, key in ops.items()}
_CODE = re.compile(r"[A-Za-z0-9-]{1,35}")
_DIGITS = re.compile(r"[0-9]{2,10}")


@dataclass(frozen=True)
class Row:
    field: str = ""
    operator: str = ""
    value: str = ""

    def is_blank(self) -> bool:
        return not (self.field.strip() or self.value.strip())


def _number(value: str) -> Decimal | None:
    try:
        number = Decimal(value.replace(",", ""))
    except InvalidOperation:
        return None
    return number if number.is_finite() and 0 <= number <= Decimal("1e12") else None


def rows_to_criteria(rows: list[Row]) -> tuple[dict[str, Any], list[Problem]]:
    """The criteria the rows say, and every problem tied to its row and field."""
    criteria: dict[str, Any] = {}
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(rows):
        if row.is_blank():
            continue
        at = f"/criteria/{i}"
        spec = FIELDS.get(row.field)
        if spec is None:
            problems.append(Problem("web.criterion", f"{at}/field", _("Choose what to look at.")))
            continue
        key = spec[1].get(row.operator)
        if key is None:
            words = ", ".join(_(OPERATORS[op]) for op in spec[1])
            problems.append(
                Problem(
                    "web.operator",
                    f"{at}/operator",
                    _("For this, choose: {operators}.").format(operators=words),
                )
            )
        value = row.value.strip()
        if not value:
            problems.append(Problem("web.required", f"{at}/value", _("Enter a value.")))
        if key is None or not value:
            continue
        if key in seen:
            problems.append(
                Problem(
                    "web.repeated",
                    f"{at}/field",
                    _("Row {row} already says this; put every value in one row.").format(
                        row=seen[key] + 1
                    ),
                )
            )
            continue
        seen[key] = i
        if key.startswith(("value_", "unit_value_")):
            number = _number(value)
            if number is None:
                problems.append(
                    Problem("web.number", f"{at}/value", _("Enter a number, like 12.5."))
                )
            else:
                criteria[key] = str(number)
            continue
        values = [v for v in re.split(r"[\s,;]+", value) if v]
        pattern = _DIGITS if key == "commodity_prefixes" else _CODE
        bad = [v for v in values if not pattern.fullmatch(v)]
        if bad or len(values) > 200:
            message = (
                _("Enter commodity code beginnings of 2 to 10 digits, separated by commas.")
                if key == "commodity_prefixes"
                else _("Enter codes of letters and digits, separated by commas.")
            )
            problems.append(Problem("web.values", f"{at}/value", message))
            continue
        criteria[key] = [v.upper() for v in values]
    if not criteria and not problems:
        problems.append(
            Problem("web.required", "/criteria/0/field", _("Add at least one criterion."))
        )
    return criteria, problems


def criteria_to_rows(criteria: Mapping[str, Any]) -> list[Row]:
    """Form rows for stored criteria (unknown keys are left out)."""
    rows = []
    for key, value in criteria.items():
        if key not in KEYS:
            continue
        name, op = KEYS[key]
        shown = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        rows.append(Row(name, op, shown))
    return rows


def row_of(pointer: str) -> tuple[int, str] | None:
    """(row, field) a problem points at, from a row pointer or a criterion key.

    >>> row_of("/criteria/2/value"), row_of("/criteria"), row_of("/code")
    ((2, 'value'), (0, 'field'), None)
    """
    parts = pointer.strip("/").split("/")
    if parts[0] != "criteria":
        return None
    if len(parts) >= 3 and parts[1].isdigit():
        return int(parts[1]), parts[2]
    return 0, "field"


def criteria_words(criteria: Mapping[str, Any]) -> list[str]:
    """The criteria in words, one per criterion, for the profiles table."""
    out = []
    for row in criteria_to_rows(criteria):
        label = FIELDS[row.field][0]
        out.append(f"{_(label)} {_(OPERATORS[row.operator])} {row.value}")
    return out
