"""Each rule gives its stable code at the right pointer; a valid declaration gives none."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from customhouse.declarations.models import DeclarationDocument
from customhouse.declarations.rules import (
    OperatorRecord,
    PartyRef,
    RulesConfig,
    check_register,
    validate,
)
from customhouse.reference.snapshot import shipped_snapshot
from tests.integration.factories import declarations

REFERENCE = shipped_snapshot()
BASE = next(
    d
    for d in declarations(60, seed=7)
    if d["transport"]["containers"] and d["declaration_type"] == "IM"
)

Mutation = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        parts = path.strip("/").split("/")
        target: Any = doc
        for p in parts[:-1]:
            target = target[int(p)] if isinstance(target, list) else target[p]
        last = parts[-1]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value

    return mutate


CASES: list[tuple[str, Mutation, str, str]] = [
    (
        "unknown type",
        _set("/declaration_type", "ZZ"),
        "declaration.unknown_type",
        "/declaration_type",
    ),
    ("bad procedure", _set("/procedure", "40A0"), "declaration.invalid_procedure", "/procedure"),
    (
        "export procedure on import",
        _set("/procedure", "1000"),
        "declaration.procedure_mismatch",
        "/procedure",
    ),
    ("bad office", _set("/office", "GB1"), "declaration.invalid_office", "/office"),
    (
        "bad EORI",
        _set("/parties/declarant/eori", "GB12"),
        "party.invalid_eori",
        "/parties/declarant/eori",
    ),
    (
        "bad VAT",
        _set("/parties/declarant/vat_number", "GB123456788"),
        "party.invalid_vat",
        "/parties/declarant/vat_number",
    ),
    (
        "unknown currency",
        _set("/invoice_currency", "XXY"),
        "reference.unknown_currency",
        "/invoice_currency",
    ),
    (
        "unknown origin",
        _set("/items/0/origin", "QQ"),
        "reference.unknown_country",
        "/items/0/origin",
    ),
    (
        "old code",
        _set("/items/0/commodity_code", "010110"),
        "reference.unknown_commodity_code",
        "/items/0/commodity_code",
    ),
    (
        "malformed code",
        _set("/items/0/commodity_code", "12AB56"),
        "reference.invalid_commodity_code",
        "/items/0/commodity_code",
    ),
    (
        "net over gross",
        _set("/items/0/net_mass", "999999"),
        "item.net_exceeds_gross",
        "/items/0/net_mass",
    ),
    ("numbering", _set("/items/0/sequence", 7), "item.sequence", "/items/0/sequence"),
    (
        "totals",
        _set("/total_invoice_amount", "1"),
        "totals.invoice_mismatch",
        "/total_invoice_amount",
    ),
    (
        "container",
        _set("/transport/containers/0", "MSKU1234567"),
        "transport.invalid_container",
        "/transport/containers/0",
    ),
    (
        "unknown mode",
        _set("/transport/mode_at_border", "6"),
        "transport.unknown_mode",
        "/transport/mode_at_border",
    ),
    (
        "locode",
        _set("/locations/place_of_loading", "CNQQX"),
        "reference.unknown_locode",
        "/locations/place_of_loading",
    ),
    ("incoterm", _set("/incoterm/code", "XYZ"), "incoterm.unknown", "/incoterm/code"),
    (
        "valuation method",
        _set("/items/0/valuation_method", "9"),
        "valuation.unknown_method",
        "/items/0/valuation_method",
    ),
    (
        "preference without proof",
        _set("/items/0/preference", "300"),
        "origin.proof_missing",
        "/items/0/documents",
    ),
]


def _problems(doc: dict[str, Any]) -> set[tuple[str, str]]:
    parsed = DeclarationDocument.model_validate(doc)
    return {(p.code, p.pointer) for p in validate(parsed, REFERENCE) if p.severity == "error"}


def test_the_base_declaration_is_valid() -> None:
    assert _problems(BASE) == set()


@pytest.mark.parametrize(("name", "mutate", "code", "pointer"), CASES, ids=[c[0] for c in CASES])
def test_rule(name: str, mutate: Mutation, code: str, pointer: str) -> None:
    doc = copy.deepcopy(BASE)
    if name == "preference without proof":
        doc["items"][0].pop("documents", None)
        doc["documents"] = [{"type": "N935", "reference": "INV-1"}]
    mutate(doc)
    assert (code, pointer) in _problems(doc)


def test_every_problem_is_reported_at_once() -> None:
    doc = copy.deepcopy(BASE)
    for _, mutate, _, _ in CASES[:10]:
        mutate(doc)
    found = {code for code, _ in _problems(doc)}
    # The procedure is not checked against an unknown type, and the two commodity-code
    # mutations hit the same field, so ten mutations give seven codes, all in one answer.
    assert found == {
        "declaration.unknown_type",
        "declaration.invalid_office",
        "party.invalid_eori",
        "party.invalid_vat",
        "reference.unknown_currency",
        "reference.unknown_country",
        "reference.invalid_commodity_code",
    }


def test_register_check_is_a_warning_or_an_error_as_configured() -> None:
    refs = [PartyRef("declarant", "/parties/declarant/eori", "GB000000000001")]
    lenient = check_register(refs, {}, date(2025, 1, 1), RulesConfig("warning"))  # type: ignore[arg-type]
    strict = check_register(refs, {}, date(2025, 1, 1), RulesConfig("error"))  # type: ignore[arg-type]
    assert [(p.code, p.severity) for p in lenient] == [("party.unknown_eori", "warning")]
    assert [(p.code, p.severity) for p in strict] == [("party.unknown_eori", "error")]
    lapsed = {"GB000000000001": OperatorRecord("GB000000000001", "X", valid_to=date(2024, 1, 1))}
    expired = check_register(refs, lapsed, date(2025, 1, 1))  # type: ignore[arg-type]
    assert [p.code for p in expired] == ["party.expired_eori"]
