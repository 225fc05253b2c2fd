"""Hypothesis: whatever a client sends, intake answers with problems, never an exception."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customhouse.declarations.intake import prepare_document, prepare_line
from customhouse.reference.snapshot import shipped_snapshot
from tests.integration.factories import declarations

REFERENCE = shipped_snapshot()
VALID = declarations(5, seed=41)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.extend(_paths(v, (*prefix, i)))
    return out


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(VALID), st.data(), json_values)
def test_any_single_field_replaced_gives_problems_or_a_valid_document(
    base: dict[str, Any], data: st.DataObject, replacement: Any
) -> None:
    doc = copy.deepcopy(base)
    paths = [p for p in _paths(doc) if p]
    path = data.draw(st.sampled_from(paths))
    target = doc
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = replacement
    prepared = prepare_document(doc, REFERENCE)
    assert prepared.valid or prepared.problems
    for problem in prepared.problems:
        assert problem.pointer.startswith("/") and problem.code and problem.message
    json.loads(prepared.document_json)  # whatever was sent can be stored and shown again


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_arbitrary_json_never_raises(value: Any) -> None:
    prepared = prepare_document(value, REFERENCE)
    assert not prepared.valid or not prepared.has_errors
    if not isinstance(value, dict):
        assert [p.code for p in prepared.problems] == ["schema.not_an_object"]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_on_a_line_never_raise(line: bytes) -> None:
    prepared = prepare_line(line, 1, REFERENCE)
    assert prepared.key is not None and prepared.key.startswith("file:")
    assert not prepared.valid or not prepared.has_errors


def test_a_valid_document_passes_and_keeps_its_items() -> None:
    prepared = prepare_document(VALID[0], REFERENCE)
    assert prepared.valid and not prepared.has_errors
    assert len(prepared.items) == len(VALID[0]["items"])
