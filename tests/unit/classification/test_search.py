from __future__ import annotations

import pytest

from customhouse.classification.search import NomenclatureSearch
from customhouse.classification.service import get_search


@pytest.fixture(scope="module")
def index() -> NomenclatureSearch:
    return get_search()


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("tshirt", "6109"),
        ("cotton t-sh", "610910"),  # typed half-way
        ("choclate", "1806"),  # misspelt
        ("trainers", "6404"),  # everyday word (synonym)
        ("live anim", "01"),
    ],
)
def test_expected_node_in_top_five(index: NomenclatureSearch, query: str, code: str) -> None:
    assert code in [h.node.code for h in index.search(query, limit=5)]


def test_code_prefix(index: NomenclatureSearch) -> None:
    hits = index.search("8517", limit=3)
    assert hits and all(h.node.code.startswith("8517") for h in hits)


def test_sections_are_searchable(index: NomenclatureSearch) -> None:
    assert any(h.node.level == "section" for h in index.search("live animals", limit=5))


def test_nonsense_finds_nothing(index: NomenclatureSearch) -> None:
    assert index.search("qqqqzzzz") == []
