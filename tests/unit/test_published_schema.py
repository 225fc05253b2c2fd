"""docs/ stays true: the published schema is the one the code reads, and the example is valid."""

from __future__ import annotations

import json
from pathlib import Path

from customhouse.declarations.models import DeclarationDocument
from customhouse.declarations.rules import validate
from customhouse.reference.snapshot import shipped_snapshot

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_published_schema_matches_the_model() -> None:
    published = json.loads((DOCS / "declaration.schema.json").read_text())
    assert published == DeclarationDocument.model_json_schema(), (
        "regenerate with: customhouse schema > docs/declaration.schema.json"
    )


def test_example_declaration_is_valid() -> None:
    raw = json.loads((DOCS / "examples" / "declaration.json").read_text())
    doc = DeclarationDocument.model_validate(raw)
    assert [p for p in validate(doc, shipped_snapshot()) if p.severity == "error"] == []
