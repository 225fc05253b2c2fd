"""Valid declarations for tests, from the demo generator (real codes, real reference data)."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from customhouse.demo.generator import generate
from customhouse.reference.snapshot import shipped_snapshot


def declarations(count: int, seed: int = 11) -> list[dict[str, Any]]:
    hs6 = sorted(shipped_snapshot().hs6_codes(date(2025, 1, 6)))
    return [g.document for g in generate(count, seed, hs6, error_rate=0.0)]


def declaration(seed: int = 11, **changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(declarations(1, seed)[0])
    doc.update(changes)
    return doc


def owned_by(doc: dict[str, Any], eori: str) -> dict[str, Any]:
    """The same declaration lodged by ``eori`` itself, without a representative."""
    doc = copy.deepcopy(doc)
    doc["parties"]["declarant"]["eori"] = eori
    doc["parties"].pop("representative", None)
    doc["parties"].pop("representative_status", None)
    return doc
