"""The HTTP API over the same services: statuses, problems, idempotency and role refusals."""

from __future__ import annotations

import copy
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from customhouse.access.models import SYSTEM
from customhouse.api.app import create_app
from customhouse.services.access import issue_token, user_by_name
from customhouse.services.context import Context
from tests.integration.factories import declaration, owned_by

pytestmark = pytest.mark.integration


@pytest.fixture
def client(ctx: Context) -> Iterator[TestClient]:
    with TestClient(create_app(ctx), raise_server_exceptions=False) as c:
        yield c


def _auth(ctx: Context, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(ctx, principal=SYSTEM, username=username)}"}


def _eori(ctx: Context, username: str) -> str:
    user = user_by_name(ctx, username)
    assert user is not None and user.eori is not None
    return user.eori


def test_lodge_read_and_list(client: TestClient, ctx: Context) -> None:
    headers = _auth(ctx, "trader1")
    doc = owned_by(declaration(), _eori(ctx, "trader1"))
    r = client.post("/api/v1/declarations", json=doc, headers=headers)
    assert r.status_code == 201, r.text
    mrn = r.json()["mrn"]
    assert r.headers["Location"] == f"/api/v1/declarations/{mrn}"
    got = client.get(f"/api/v1/declarations/{mrn}", headers=headers)
    assert got.status_code == 200
    body = got.json()
    assert body["document"]["lrn"] == doc["lrn"]
    assert [e["kind"] for e in body["history"]][:2] == [
        "declaration.lodged",
        "declaration.accepted",
    ]
    listed = client.get("/api/v1/declarations?page_size=5", headers=headers).json()
    assert listed["total"] == 1 and listed["items"][0]["mrn"] == mrn


def test_idempotency_key_header_makes_a_retry_harmless(client: TestClient, ctx: Context) -> None:
    headers = {**_auth(ctx, "trader1"), "Idempotency-Key": "abc-123"}
    doc = owned_by(declaration(), _eori(ctx, "trader1"))
    first = client.post("/api/v1/declarations", json=doc, headers=headers)
    second = client.post("/api/v1/declarations", json=doc, headers=headers)
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["mrn"] == second.json()["mrn"] and second.json()["replayed"]
    changed = copy.deepcopy(doc)
    changed["lrn"] = "CHANGED"
    third = client.post("/api/v1/declarations", json=changed, headers=headers)
    assert third.status_code == 409
    assert third.json()["error"]["code"] == "declarations.IdempotencyKeyReused"


def test_rejection_is_422_with_every_problem(client: TestClient, ctx: Context) -> None:
    doc = owned_by(declaration(), _eori(ctx, "trader1"))
    doc["invoice_currency"] = "XYZ"
    doc["items"][0]["origin"] = "QQ"
    r = client.post("/api/v1/declarations", json=doc, headers=_auth(ctx, "trader1"))
    assert r.status_code == 422
    problems = r.json()["error"]["details"]["problems"]
    assert {p["pointer"] for p in problems} >= {"/invoice_currency", "/items/0/origin"}
    assert all({"code", "pointer", "message"} <= set(p) for p in problems)


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[1, 2]",
        b'"a string"',
        b"null",
        b'{"lrn": 5}',
        b'{"lrn": "\\u00e9\\ud83d\\ude00"}',
        b'{"lrn": "\\ud800 lone surrogate"}',
    ],
)
def test_malformed_bodies_get_a_clear_error_not_a_500(
    client: TestClient, ctx: Context, body: bytes
) -> None:
    r = client.post(
        "/api/v1/declarations",
        content=body,
        headers={**_auth(ctx, "trader1"), "Content-Type": "application/json"},
    )
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"]["problems"]


def test_unicode_in_every_text_field_is_stored_as_sent(client: TestClient, ctx: Context) -> None:
    doc = owned_by(declaration(), _eori(ctx, "trader1"))
    doc["items"][0]["description"] = "Thé vert 緑茶 — чай 🍵"
    doc["parties"]["importer"]["name"] = "Société Générale d'Import ÆØÅ"
    r = client.post("/api/v1/declarations", json=doc, headers=_auth(ctx, "trader1"))
    assert r.status_code == 201, r.text
    got = client.get(f"/api/v1/declarations/{r.json()['mrn']}", headers=_auth(ctx, "trader1"))
    assert got.json()["document"]["items"][0]["description"] == "Thé vert 緑茶 — чай 🍵"


def test_huge_payload_is_refused_with_413(client: TestClient, ctx: Context) -> None:
    big = b'{"lrn": "' + b"x" * (ctx.settings.max_body_bytes + 10) + b'"}'
    r = client.post(
        "/api/v1/declarations",
        content=big,
        headers={**_auth(ctx, "trader1"), "Content-Type": "application/json"},
    )
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "customhouse.PayloadTooLarge"


def test_refusals(client: TestClient, ctx: Context) -> None:
    doc1 = owned_by(declaration(seed=1), _eori(ctx, "trader1"))
    mrn = client.post("/api/v1/declarations", json=doc1, headers=_auth(ctx, "trader1")).json()[
        "mrn"
    ]
    # No token, a bad token, a wrong scheme.
    assert client.get(f"/api/v1/declarations/{mrn}").status_code == 401
    bad = {"Authorization": "Bearer chk_nonsense"}
    assert client.get(f"/api/v1/declarations/{mrn}", headers=bad).status_code == 401
    basic = {"Authorization": "Basic dXNlcjpwdw=="}
    assert client.get(f"/api/v1/declarations/{mrn}", headers=basic).status_code == 401
    # Another trader can neither read nor change it, nor lodge in trader1's name.
    other = _auth(ctx, "trader2")
    assert client.get(f"/api/v1/declarations/{mrn}", headers=other).status_code == 403
    r = client.post(f"/api/v1/declarations/{mrn}/invalidation", json={"reason": "x"}, headers=other)
    assert r.status_code == 403
    assert client.post("/api/v1/declarations", json=doc1, headers=other).status_code == 403
    assert client.get("/api/v1/declarations", headers=other).json()["total"] == 0
    # An officer may read but not lodge; nobody but auditors and supervisors verifies the ledger.
    officer = _auth(ctx, "officer1")
    assert client.get(f"/api/v1/declarations/{mrn}", headers=officer).status_code == 200
    doc2 = declaration(seed=2)
    assert client.post("/api/v1/declarations", json=doc2, headers=officer).status_code == 403
    assert client.get("/api/v1/ledger/verify", headers=officer).status_code == 403
    assert client.get("/api/v1/ledger/verify", headers=_auth(ctx, "auditor1")).json()["ok"]


def test_amend_and_invalidate_over_http(client: TestClient, ctx: Context) -> None:
    headers = _auth(ctx, "trader1")
    doc = owned_by(declaration(), _eori(ctx, "trader1"))
    mrn = client.post("/api/v1/declarations", json=doc, headers=headers).json()["mrn"]
    doc["items"][0]["description"] = "amended text"
    r = client.post(
        f"/api/v1/declarations/{mrn}/amendments",
        json={"reason": "wrong description", "declaration": doc},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2
    missing_reason = client.post(
        f"/api/v1/declarations/{mrn}/amendments",
        json={"reason": " ", "declaration": doc},
        headers=headers,
    )
    assert missing_reason.status_code == 422
    r = client.post(
        f"/api/v1/declarations/{mrn}/invalidation", json={"reason": "x"}, headers=headers
    )
    assert r.status_code == 200 and r.json()["state"] == "invalidated"
    again = client.post(
        f"/api/v1/declarations/{mrn}/invalidation", json={"reason": "x"}, headers=headers
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "declarations.IllegalTransition"


def test_unknown_mrn_is_404_and_bad_query_is_422(client: TestClient, ctx: Context) -> None:
    headers = _auth(ctx, "officer1")
    assert client.get("/api/v1/declarations/25GB000000000001H9", headers=headers).status_code == 404
    assert client.get("/api/v1/declarations?page=0", headers=headers).status_code == 422
    assert client.get("/api/v1/declarations?page_size=9999", headers=headers).status_code == 422


def test_operator_register_over_http(client: TestClient, ctx: Context) -> None:
    eori = _eori(ctx, "trader1")
    got = client.get(f"/api/v1/operators/{eori}", headers=_auth(ctx, "officer1"))
    assert got.status_code == 200 and got.json()["eori"] == eori
    body = {"eori": "GB123456789012", "name": "New Co", "country": "GB"}
    assert (
        client.put(
            "/api/v1/operators/GB123456789012", json=body, headers=_auth(ctx, "trader1")
        ).status_code
        == 403
    )
    r = client.put("/api/v1/operators/GB123456789012", json=body, headers=_auth(ctx, "admin"))
    assert r.status_code == 200 and r.json()["name"] == "New Co"
    bad = client.put(
        "/api/v1/operators/XX12", json={**body, "eori": "XX12"}, headers=_auth(ctx, "admin")
    )
    assert bad.status_code in (400, 422)


def test_openapi_publishes_the_declaration_schema(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "DeclarationDocument" in spec["components"]["schemas"]
    assert "Item" in spec["components"]["schemas"]
