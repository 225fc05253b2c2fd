"""Screening one declaration (pure): parties by role, documents by code, holds and queries."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from customhouse.declarations.models import DeclarationDocument
from customhouse.screening.declaration import (
    EXAMPLE,
    NO_LIST,
    goods_of,
    parties_of,
    screen_declaration,
)
from customhouse.screening.engine import ScreeningIndex
from customhouse.screening.goods import Embargo, Flow, GoodsControls, HealthRule
from customhouse.screening.models import (
    EntityType,
    ListedEntity,
    ListKind,
    SanctionsList,
    Verdict,
    party_key,
)

AT = date(2025, 6, 2)
ENTITY = ListedEntity("UN", "QDe.1", "Acme Weapons Trading", EntityType.ORGANIZATION)
INDEX = ScreeningIndex([SanctionsList("UN", ListKind.UN, "v1", (ENTITY,))])


def doc(**changes: Any) -> DeclarationDocument:
    raw = copy.deepcopy(EXAMPLE)
    raw.update(changes)
    return DeclarationDocument.model_validate(raw)


def seller_key() -> str:
    return party_key(dict(parties_of(doc()))["seller"])


def test_every_named_party_is_screened_by_role_with_its_eori() -> None:
    raw = copy.deepcopy(EXAMPLE)
    raw["parties"]["buyer"] = {"name": "Jane Smith", "eori": "DE123456789012345"}
    parties = dict(parties_of(DeclarationDocument.model_validate(raw)))
    assert list(parties) == ["declarant", "seller", "buyer"]
    assert parties["buyer"].country == "DE" and parties["buyer"].entity_type is EntityType.UNKNOWN
    assert [i.number for i in parties["declarant"].identifiers] == ["GB123456789000"]
    assert parties["declarant"].entity_type is EntityType.ORGANIZATION  # "Ltd"


def test_document_codes_become_the_kinds_goods_controls_ask_for() -> None:
    raw = copy.deepcopy(EXAMPLE)
    raw["documents"] = [{"type": "N851", "reference": "P-1"}]
    raw["items"][0]["documents"] = [{"type": "C400", "reference": "CITES-1"}]
    raw["declaration_type"] = "EX"
    items, flow = goods_of(DeclarationDocument.model_validate(raw))
    assert flow is Flow.EXPORT
    assert [d.kind for d in items[0].documents] == ["PHYTO", "CITES"]


def test_a_party_hit_holds_with_a_neutral_public_reason() -> None:
    result = screen_declaration(doc(), index=INDEX, controls=GoodsControls(), threshold=0.8, at=AT)
    (hit,) = result.hits
    assert (hit.party_role, hit.entity_id, hit.status, hit.action) == (
        "seller",
        "QDe.1",
        "open",
        "hold",
    )
    assert result.outcome == "held" and "QDe.1" in result.hold_reasons[0]
    assert result.public_reasons == ("seller: party screening needs a review by customs",)


def test_a_remembered_false_match_is_stored_but_does_not_hold() -> None:
    pair = (seller_key(), "UN", "QDe.1", ENTITY.fingerprint())
    result = screen_declaration(
        doc(),
        index=INDEX,
        controls=GoodsControls(),
        threshold=0.8,
        at=AT,
        remembered={pair: Verdict.FALSE_MATCH},
    )
    assert result.outcome == "clear"
    assert [(h.action, h.status) for h in result.hits] == [("remembered", "dismissed")]
    # The verdict was on other content of the entry: raised again.
    stale = {(seller_key(), "UN", "QDe.1", "0" * 32): Verdict.FALSE_MATCH}
    again = screen_declaration(
        doc(), index=INDEX, controls=GoodsControls(), threshold=0.8, at=AT, remembered=stale
    )
    assert again.outcome == "held"
    confirmed = screen_declaration(
        doc(),
        index=INDEX,
        controls=GoodsControls(),
        threshold=0.8,
        at=AT,
        remembered={pair: Verdict.TRUE_MATCH},
    )
    assert confirmed.outcome == "held" and confirmed.hits[0].status == "confirmed"


def test_goods_embargo_holds_and_a_missing_certificate_is_asked_for() -> None:
    controls = GoodsControls(
        embargoes=(Embargo("CN", ("8471",), "a test embargo"),),
        health=(HealthRule("laptops (test)", ("8471",), "PHYTO", "a test rule"),),
    )
    result = screen_declaration(doc(), index=None, controls=controls, threshold=0.8, at=AT)
    assert result.outcome == "held" and result.note == NO_LIST
    assert [(h.list_name, h.action) for h in result.hits] == [
        ("embargo", "hold"),
        ("health", "query"),
    ]
    (query,) = result.queries
    assert (query.item_sequence, query.missing, query.legal_base) == (1, "PHYTO", "a test rule")
    assert any("embargoed" in r for r in result.public_reasons)


def test_without_an_index_the_parties_are_noted_and_held_only_when_required() -> None:
    free = screen_declaration(doc(), index=None, controls=GoodsControls(), threshold=0.8, at=AT)
    assert (free.outcome, free.hold_reasons) == ("not_screened", ())
    required = screen_declaration(
        doc(), index=None, controls=GoodsControls(), threshold=0.8, at=AT, required=True
    )
    assert required.outcome == "held" and "manual screening" in required.public_reasons[0]
