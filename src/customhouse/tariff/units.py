"""Units of quantity and currencies: how a declared quantity is turned into the charging unit.

Quantities are keyed ``unit`` or ``unit@qualifier`` (``kg@drained weight``). A rate charged on a
unit the item does not declare is derived only by exact rules (12 items = 1 doz, 1 t = 1000 kg,
proof litres from litres and % vol ...), each of which is reported.

>>> q = Quantities({"item": Decimal("1000")})
>>> q.get("doz")
(Decimal('83.33333333333333333333333333'), 'doz = item / 12')
>>> Quantities({"l": Decimal("5000")}, {"abv_percent": Decimal("95")}).get("pf_l")
(Decimal('9500'), 'pf_l = l x abv% x 2 / 100')
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import pycountry

CURRENCIES: frozenset[str] = frozenset({c.alpha_3 for c in pycountry.currencies} | {"XEM", "EUC"})

# ISO 4217 minor units where they are not 2 (the rest use 2).
_MINOR_UNITS = {
    "JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "PYG": 0, "UGX": 0, "XAF": 0, "XOF": 0,
    "XPF": 0, "KMF": 0, "GNF": 0, "RWF": 0, "VUV": 0, "DJF": 0,
    "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3, "LYD": 3, "IQD": 3,
}  # fmt: skip


def minor_unit(currency: str) -> int:
    """Decimal places of a currency's minor unit.

    >>> minor_unit("USD"), minor_unit("JPY"), minor_unit("KWD")
    (2, 0, 3)
    """
    return _MINOR_UNITS.get(currency, 2)


# unit -> (other unit, multiplier, divisor): value_in_unit = value_in_other * multiplier / divisor
_DERIVATIONS: dict[str, list[tuple[str, int, int]]] = {
    "doz": [("item", 1, 12)],
    "gross": [("item", 1, 144), ("doz", 1, 12)],
    "item": [("doz", 12, 1), ("gross", 144, 1)],
    "t": [("kg", 1, 1000)],
    "kg": [("t", 1000, 1), ("g", 1, 1000)],
    "g": [("kg", 1000, 1)],
    "hl": [("l", 1, 100)],
    "l": [("hl", 100, 1)],
}


class Quantities:
    """Declared quantities and attributes of one item, with exact derivations."""

    __slots__ = ("attributes", "values")

    def __init__(
        self,
        values: Mapping[str, Decimal] | None = None,
        attributes: Mapping[str, Decimal] | None = None,
    ) -> None:
        self.values = dict(values or {})
        self.attributes = dict(attributes or {})

    def get(
        self, unit: str, qualifier: str | None = None, abv_threshold: Decimal | None = None
    ) -> tuple[Decimal, str] | None:
        """The quantity in ``unit`` and how it was obtained, or None when it cannot be known."""
        if qualifier:
            key = f"{unit}@{qualifier}"
            for k, v in self.values.items():
                if k.lower() == key.lower():
                    return v, k
        abv = self.attributes.get("abv_percent")
        if unit == "lpa" and abv_threshold is not None and abv is not None and "l" in self.values:
            strength = max(Decimal(0), abv - abv_threshold)
            return self.values["l"] * strength / 100, f"lpa = l x (abv% - {abv_threshold}) / 100"
        if unit in self.values:
            return self.values[unit], unit
        if unit == "pf_l" and abv is not None and "l" in self.values:
            return self.values["l"] * abv * 2 / 100, "pf_l = l x abv% x 2 / 100"
        if unit == "lpa" and abv is not None and "l" in self.values:
            return self.values["l"] * abv / 100, "lpa = l x abv% / 100"
        if unit == "line_gross":
            size = self.attributes.get("button_line_size")
            if size is not None and "gross" in self.values:
                return self.values["gross"] * size, "line_gross = gross x line size"
        for other, mul, div in _DERIVATIONS.get(unit, []):
            if other in self.values:
                label = f"{unit} = {other} / {div}" if div != 1 else f"{unit} = {other} x {mul}"
                return self.values[other] * mul / div, label
        return None
