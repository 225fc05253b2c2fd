"""Classification wired in, on SQLite and PostgreSQL: suggestions and search over HTTP, binding
rulings (issue, revoke, list, role refusals, ledger), and the ``classify`` step (fit scores and
the ruling conflict flag, no change of state)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from customhouse.access.models import SYSTEM, PermissionDenied
from customhouse.api.app import create_app
from customhouse.classification.engine import SuggestionModel
from customhouse.classification.errors import RulingAlreadyRevoked
from customhouse.classification.service import get_model
from customhouse.classification.tables import ItemFindingRow
from customhouse.declarations.tables import DeclarationRow
from customhouse.services import classification as csvc
from customhouse.services import declarations as dsvc
from customhouse.services.access import issue_token, user_by_name
from customhouse.services.assessment import run as assess_step
from customhouse.services.context import Context
from customhouse.services.ledger import verify_ledger
from tests.integration.factories import declaration, owned_by

pytestmark = pytest.mark.integration

GOODS = "EPDM rubber bellow for a mechanical seal, moulded"


@pytest.fixture(scope="session")
def trained_model(tmp_path_factory: pytest.TempPathFactory) -> SuggestionModel:
    """One model for the session, from the user's disk cache when it is there."""
    del tmp_path_factory
    return get_model(cache_dir=Path.home() / ".cache" / "customhouse")


@pytest.fixture
def cctx(ctx: Context, trained_model: SuggestionModel) -> Context:
    ctx.cached(csvc.MODEL_KEY, lambda: trained_model)
    return ctx


@pytest.fixture
def client(cctx: Context) -> Iterator[TestClient]:
    with TestClient(create_app(cctx), raise_server_exceptions=False) as c:
        yield c


def _auth(ctx: Context, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(ctx, principal=SYSTEM, username=username)}"}


def _user(ctx: Context, name: str) -> Any:
    user = user_by_name(ctx, name)
    assert user is not None
    return user


def _ruled_declaration(ctx: Context, code: str) -> dict[str, Any]:
    doc = owned_by(declaration(), _user(ctx, "trader1").eori)
    doc = copy.deepcopy(doc)
    doc["items"][0]["description"] = "Moulded EPDM rubber bellow for mechanical seal"
    doc["items"][0]["commodity_code"] = code
    doc["lrn"] = f"RULED-{code}"
    doc["declaration_date"] = "2025-06-02"  # rulings bind declarations made while in force
    return doc


def test_suggest_is_public_and_abstains_on_vague(client: TestClient) -> None:
    r = client.get("/api/v1/classification/suggest", params={"q": "mens cotton t-shirt", "k": 3})
    assert r.status_code == 200, r.text
    body = r.json()
    assert not body["abstained"]
    assert len(body["suggestions"]) == 3
    assert body["suggestions"][0]["code"][:2] == "61"
    assert body["suggestions"][0]["path"]
    vague = client.get("/api/v1/classification/suggest", params={"q": "gift"}).json()
    assert vague["abstained"] and vague["missing"] and not vague["suggestions"]


@pytest.mark.parametrize("q", ["", "   ", "x" * 501])
def test_suggest_refuses_empty_or_long_text(client: TestClient, q: str) -> None:
    r = client.get("/api/v1/classification/suggest", params={"q": q})
    assert r.status_code == 422, r.text


def test_search_type_ahead(client: TestClient) -> None:
    r = client.get("/api/v1/classification/search", params={"q": "t-shirt"})
    assert r.status_code == 200, r.text
    assert any(h["code"] == "6109" for h in r.json()["hits"])
    assert client.get("/api/v1/classification/search", params={"q": ""}).status_code == 422


def test_rulings_over_http_with_role_refusals(client: TestClient, cctx: Context) -> None:
    holder = _user(cctx, "trader1").eori
    body = {
        "holder_eori": holder,
        "goods_description": GOODS,
        "commodity_code": "4016999790",
        "justification": "GIR 1 and 6: article of vulcanised rubber",
    }
    for name in ("trader1", "inspector1", "analyst1"):
        r = client.post("/api/v1/rulings", json=body, headers=_auth(cctx, name))
        assert r.status_code == 403, (name, r.text)
    r = client.post("/api/v1/rulings", json=body, headers=_auth(cctx, "officer1"))
    assert r.status_code == 201, r.text
    ruling = r.json()
    assert ruling["valid_from"] == "2025-06-02" and ruling["valid_to"] == "2028-06-02"
    ref = ruling["reference"]
    other = {**body, "holder_eori": _user(cctx, "trader2").eori}
    assert client.post("/api/v1/rulings", json=other, headers=_auth(cctx, "officer1")).is_success
    # Staff see every ruling; a declarant only its own, whatever holder it asks for.
    assert len(client.get("/api/v1/rulings", headers=_auth(cctx, "officer2")).json()) == 2
    own = client.get("/api/v1/rulings", headers=_auth(cctx, "trader1")).json()
    assert [x["reference"] for x in own] == [ref]
    spying = client.get(
        "/api/v1/rulings", params={"holder": other["holder_eori"]}, headers=_auth(cctx, "trader1")
    )
    assert spying.status_code == 200 and spying.json() == []
    found = client.get("/api/v1/rulings", params={"q": "bellow"}, headers=_auth(cctx, "trader1"))
    assert [x["reference"] for x in found.json()] == [ref]
    assert client.get("/api/v1/rulings").status_code == 401
    # Revocation: officer or supervisor, once.
    revoke = {"reason": "goods redesigned"}
    url = f"/api/v1/rulings/{ref}/revocation"
    assert client.post(url, json=revoke, headers=_auth(cctx, "trader1")).status_code == 403
    r = client.post(url, json=revoke, headers=_auth(cctx, "supervisor1"))
    assert r.status_code == 200 and r.json()["revoked_on"] == "2025-06-02"
    assert client.post(url, json=revoke, headers=_auth(cctx, "officer1")).status_code == 409
    missing = client.post(
        "/api/v1/rulings/NOPE/revocation", json=revoke, headers=_auth(cctx, "officer1")
    )
    assert missing.status_code == 404
    bad = {**body, "commodity_code": "12"}
    assert (
        client.post("/api/v1/rulings", json=bad, headers=_auth(cctx, "officer1")).status_code == 422
    )


def test_rulings_are_on_the_ledger(cctx: Context) -> None:
    officer = _user(cctx, "officer1")
    ruling = csvc.issue(
        cctx,
        principal=officer,
        holder_eori="GB123456789000",
        goods_description=GOODS,
        commodity_code="4016999790",
        justification="GIR 1",
    )
    csvc.revoke(cctx, principal=_user(cctx, "officer2"), reference=ruling.reference, reason="x y")
    with pytest.raises(RulingAlreadyRevoked):
        csvc.revoke(cctx, principal=officer, reference=ruling.reference, reason="again")
    with pytest.raises(PermissionDenied):
        csvc.issue(
            cctx,
            principal=_user(cctx, "auditor1"),
            holder_eori="GB123456789000",
            goods_description=GOODS,
            commodity_code="4016999790",
            justification="GIR 1",
        )
    with cctx.uow() as uow:
        kinds = [e.kind for e in uow.ledger.for_subject("binding_ruling", ruling.reference)]
    assert kinds == ["classification.ruling_issued", "classification.ruling_revoked"]
    assert verify_ledger(cctx).ok


def _lodge(ctx: Context, doc: dict[str, Any]) -> int:
    outcome = dsvc.lodge(ctx, principal=_user(ctx, "trader1"), raw=doc)
    # Only this package's step: the others have their own tests.
    assess_step(ctx, [outcome.id])
    csvc.run(ctx, [outcome.id])
    return outcome.id


def test_ruling_conflict_is_flagged_without_changing_state(cctx: Context) -> None:
    trader = _user(cctx, "trader1")
    csvc.issue(
        cctx,
        principal=_user(cctx, "officer1"),
        holder_eori=trader.eori,
        goods_description=GOODS,
        commodity_code="4016999790",
        justification="GIR 1 and 6",
    )
    conflicting = _lodge(cctx, _ruled_declaration(cctx, "848490"))
    agreeing = _lodge(cctx, _ruled_declaration(cctx, "401699"))
    with cctx.sessions() as s:
        rows = {
            r.declaration_id: r
            for r in s.scalars(select(ItemFindingRow).where(ItemFindingRow.item == 1))
        }
        states = {r.id: (r.state, r.problems) for r in s.scalars(select(DeclarationRow))}
    assert rows[conflicting].ruling_conflict and not rows[agreeing].ruling_conflict
    assert rows[conflicting].ruling_conflicts[0]["ruled_code"] == "4016999790"
    assert rows[conflicting].fit_score is not None
    warnings = [p for p in states[conflicting][1] if p["code"] == csvc.RULING_PROBLEM]
    assert warnings and warnings[0]["severity"] == "warning"
    assert warnings[0]["pointer"] == "/items/0/commodity_code"
    assert not [p for p in states[agreeing][1] if p["code"] == csvc.RULING_PROBLEM]
    # The step stores findings only: running it again changes no state and keeps one row.
    before = states[conflicting][0]
    csvc.run(cctx, [conflicting])
    with cctx.sessions() as s:
        assert s.get(DeclarationRow, conflicting).state == before  # type: ignore[union-attr]
        n = len(
            list(
                s.scalars(
                    select(ItemFindingRow).where(
                        ItemFindingRow.declaration_id == conflicting, ItemFindingRow.item == 1
                    )
                )
            )
        )
        assert n == 1
        features = csvc.risk_features(s, [conflicting, agreeing])
    assert features[conflicting]["ruling_conflict"] and not features[agreeing]["ruling_conflict"]
    with cctx.uow() as uow:
        kinds = [e.kind for e in uow.ledger.for_subject("declaration", str(conflicting))]
    assert "classification.ruling_conflict" in kinds


def test_other_holders_and_revoked_rulings_are_not_flagged(cctx: Context) -> None:
    officer = _user(cctx, "officer1")
    other = csvc.issue(
        cctx,
        principal=officer,
        holder_eori=_user(cctx, "trader2").eori,
        goods_description=GOODS,
        commodity_code="4016999790",
        justification="GIR 1",
    )
    mine = csvc.issue(
        cctx,
        principal=officer,
        holder_eori=_user(cctx, "trader1").eori,
        goods_description=GOODS,
        commodity_code="4016999790",
        justification="GIR 1",
    )
    csvc.revoke(cctx, principal=officer, reference=mine.reference, reason="withdrawn")
    assert other.reference != mine.reference
    decl = _lodge(cctx, _ruled_declaration(cctx, "848490"))
    with cctx.sessions() as s:
        finding = s.scalars(
            select(ItemFindingRow).where(ItemFindingRow.declaration_id == decl)
        ).first()
    assert finding is not None and not finding.ruling_conflict


def test_declaration_view_shows_classification(client: TestClient, cctx: Context) -> None:
    decl = _lodge(cctx, _ruled_declaration(cctx, "848490"))
    with cctx.sessions() as s:
        mrn = s.get(DeclarationRow, decl).mrn  # type: ignore[union-attr]
    view = client.get(f"/api/v1/declarations/{mrn}", headers=_auth(cctx, "officer1")).json()
    found = view["extra"]["classification"]
    assert found is not None and found["items"][0]["item"] == 1
    assert 0.0 <= found["items"][0]["fit_score"] <= 1.0
    assert found["items"][0]["better_codes"]
