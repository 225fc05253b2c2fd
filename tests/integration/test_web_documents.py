"""Files on a declaration, on SQLite and PostgreSQL: officers attach evidence (kept under its
SHA-256, listed, downloaded), traders answer the queries on their own declarations in words and
with a document; refusals for everyone else and a clear message for every bad file."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from customhouse.access.models import SYSTEM
from customhouse.api.app import create_app
from customhouse.controls.tables import DeclarationEvidenceRow, EvidenceRow
from customhouse.screening.tables import QueryReplyRow, ScreeningQueryRow
from customhouse.services import declarations as svc
from customhouse.services.context import Context
from customhouse.services.ledger import verify_ledger
from customhouse.services.screening import load_sanctions_list
from tests.integration.factories import owned_by
from tests.integration.test_api import _auth as auth
from tests.integration.test_assessment import import_doc, install
from tests.integration.test_controls import lodge, route, user
from tests.integration.test_screening import free_tariff, sanctions
from tests.integration.test_screening import lodge as lodge_and_screen
from tests.integration.test_web import csrf, sign_in, text

pytestmark = pytest.mark.integration

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"


@pytest.fixture
def client(ctx: Context) -> Iterator[TestClient]:
    with TestClient(create_app(ctx)) as c:
        yield c


def sign_out(client: TestClient) -> None:
    client.post("/logout", data={"csrf_token": csrf(client.get("/").text)})


def kinds(ctx: Context, mrn: str) -> list[str]:
    return [e.kind for e in svc.get_declaration(ctx, principal=SYSTEM, mrn=mrn).history]


def test_officer_attaches_lists_and_downloads_evidence(client: TestClient, ctx: Context) -> None:
    install(ctx)
    mrn, did = lodge(ctx, 1)
    route(ctx, [did], "red", ["profile X"])
    url = f"/declarations/{mrn}"
    sign_in(client, "officer1")
    page = client.get(url)
    assert "No evidence attached yet." in page.text and 'for="f-evidence-file"' in page.text
    token = csrf(page.text)

    r = client.post(
        f"{url}/evidence",
        data={"csrf_token": token, "note": "x-ray of pallet 2"},
        files={"file": ("C:\\scans\\xray.png", PNG, "application/octet-stream")},
        follow_redirects=False,
    )
    assert r.status_code == 303, text(r.text)[:800]
    digest = hashlib.sha256(PNG).hexdigest()
    page = client.get(url)
    body = text(page.text)
    assert "xray.png" in body and digest in body and "image/png" in body
    assert "x-ray of pallet 2" in body and "evidence.attached" in body
    got = client.get(f"/evidence/{digest}")
    assert got.status_code == 200 and got.content == PNG
    assert got.headers["content-type"] == "image/png"
    assert got.headers["content-disposition"] == "attachment; filename*=UTF-8''xray.png"
    assert "sandbox" in got.headers["content-security-policy"]
    # The same file again is stored once and listed once.
    client.post(f"{url}/evidence", data={"csrf_token": token}, files={"file": ("again.png", PNG)})
    with ctx.sessions() as session:
        assert session.scalars(select(EvidenceRow.sha256)).all() == [digest]
        assert len(session.scalars(select(DeclarationEvidenceRow.id)).all()) == 1

    # Bad files: each refused with a message next to the field, nothing stored, never a 500.
    for files, status, message in (
        ({"file": ("setup.exe", EXE)}, 422, "not a PDF, an image"),
        ({"file": ("empty.pdf", b"")}, 422, "The file is empty."),
        ({}, 422, "Choose a file to attach."),
    ):
        r = client.post(f"{url}/evidence", data={"csrf_token": token}, files=files)
        assert r.status_code == status, (files, text(r.text)[:500])
        assert message in r.text and 'id="f-evidence-file-error"' in r.text
        assert 'aria-invalid="true"' in r.text
    ctx.settings.max_evidence_bytes = 1000
    r = client.post(
        f"{url}/evidence", data={"csrf_token": token}, files={"file": ("big.txt", b"a" * 1500)}
    )
    assert r.status_code == 413 and "larger than 1000 bytes" in r.text
    r = client.post(f"{url}/evidence", data={"csrf_token": "forged"}, files={"file": ("a", PDF)})
    assert r.status_code == 403
    with ctx.sessions() as session:
        assert session.scalars(select(EvidenceRow.sha256)).all() == [digest]
    assert client.get("/evidence/" + "0" * 64).status_code == 404
    assert client.get("/evidence/not-a-digest").status_code == 404

    # Neither an analyst nor the trader attaches evidence; the trader does not download it.
    for username in ("analyst1", "trader1"):
        sign_out(client)
        sign_in(client, username)
        token = csrf(client.get("/").text)
        r = client.post(f"{url}/evidence", data={"csrf_token": token}, files={"file": ("a", PDF)})
        assert r.status_code == 403, username
    assert client.get(f"/evidence/{digest}").status_code == 403
    assert verify_ledger(ctx).ok


def test_evidence_over_the_api(client: TestClient, ctx: Context) -> None:
    install(ctx)
    mrn, did = lodge(ctx, 1)
    route(ctx, [did], "red", ["profile X"])
    body = {"filename": "lab.pdf", "content_base64": base64.b64encode(PDF).decode()}
    path = f"/api/v1/controls/declarations/{mrn}/evidence"
    r = client.post(path, json=body, headers=auth(ctx, "inspector1"))
    assert r.status_code == 201 and r.json()["media_type"] == "application/pdf"
    listed = client.get(path, headers=auth(ctx, "officer1")).json()
    assert [(x["filename"], x["sha256"]) for x in listed] == [
        ("lab.pdf", hashlib.sha256(PDF).hexdigest())
    ]
    assert client.post(path, json=body, headers=auth(ctx, "trader1")).status_code == 403
    bad = {"filename": "x.exe", "content_base64": base64.b64encode(EXE).decode()}
    r = client.post(path, json=bad, headers=auth(ctx, "inspector1"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "controls.BadEvidence"


@pytest.fixture
def queried(ctx: Context) -> tuple[str, int]:
    """trader1's citrus from Morocco, held by screening with a query: no phytosanitary
    certificate."""
    install(ctx, free_tariff())
    load_sanctions_list(ctx, principal=SYSTEM, sanctions_list=sanctions(), source="test")
    trader = user(ctx, "trader1")
    assert trader.eori
    doc = owned_by(import_doc(12, code="080510", origin="MA"), trader.eori)
    mrn, did = lodge_and_screen(ctx, doc)
    with ctx.sessions() as session:
        (query_id,) = session.scalars(
            select(ScreeningQueryRow.id).where(ScreeningQueryRow.declaration_id == did)
        ).all()
    return mrn, query_id


def test_trader_answers_a_query_with_a_document_and_the_officer_sees_it(
    client: TestClient, ctx: Context, queried: tuple[str, int]
) -> None:
    mrn, query_id = queried
    url = f"/declarations/{mrn}"
    answer = f"/queries/{query_id}/answer"
    # Another trader, and customs staff, may not answer as the declarant.
    for username in ("trader2", "officer1"):
        sign_in(client, username)
        token = csrf(client.get("/").text)
        r = client.post(answer, data={"csrf_token": token, "mrn": mrn, "text": "here it is"})
        assert r.status_code == 403, username
        sign_out(client)

    sign_in(client, "trader1")
    page = client.get(url)
    assert page.status_code == 200 and "Answer this query" in page.text
    assert f'for="f-answer-{query_id}"' in page.text and f'for="f-document-{query_id}"' in page.text
    token = csrf(page.text)
    empty = client.post(answer, data={"csrf_token": token, "mrn": mrn, "text": "  "})
    assert empty.status_code == 422 and "Write an answer or attach a document." in empty.text
    assert f'id="f-answer-{query_id}-error"' in empty.text
    bad = client.post(
        answer,
        data={"csrf_token": token, "mrn": mrn, "text": "see file"},
        files={"document": ("cert.exe", EXE)},
    )
    assert bad.status_code == 422 and "not a PDF, an image" in bad.text
    with ctx.sessions() as session:
        assert session.scalars(select(QueryReplyRow.id)).all() == []

    r = client.post(
        answer,
        data={"csrf_token": token, "mrn": mrn, "text": "Certificate PHYTO-MA-77 attached"},
        files={"document": ("phyto.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert r.status_code == 303, text(r.text)[:800]
    page = text(client.get(url).text)
    assert "Certificate PHYTO-MA-77 attached" in page and "answered" in page
    again = client.post(answer, data={"csrf_token": token, "mrn": mrn, "text": "twice"})
    assert again.status_code == 409
    assert "screening.query_answered" in kinds(ctx, mrn)
    # The trader downloads what it sent; another trader is refused as for a missing file.
    digest = hashlib.sha256(PDF).hexdigest()
    assert f'href="/evidence/{digest}"' in client.get(url).text
    assert client.get(f"/evidence/{digest}").content == PDF
    sign_out(client)
    sign_in(client, "trader2")
    assert client.get(f"/evidence/{digest}").status_code == 403
    assert client.get("/evidence/" + "1" * 64).status_code == 403
    sign_out(client)

    sign_in(client, "officer1")
    page = client.get(url)
    digest = hashlib.sha256(PDF).hexdigest()
    assert "Certificate PHYTO-MA-77 attached" in text(page.text)
    assert f'href="/evidence/{digest}"' in page.text  # in the answer and in the evidence list
    assert re.search(r"phyto\.pdf.*?trader", text(page.text))
    assert client.get(f"/evidence/{digest}").content == PDF
    assert verify_ledger(ctx).ok


def test_answers_over_the_api_with_refusals(
    client: TestClient, ctx: Context, queried: tuple[str, int]
) -> None:
    mrn, query_id = queried
    path = f"/api/v1/screening/queries/{query_id}/answer"
    body = {"text": "certificate to follow"}
    for username, status in (("officer1", 403), ("supervisor1", 403), ("trader2", 403)):
        r = client.post(path, json=body, headers=auth(ctx, username))
        assert r.status_code == status, username
    trader = auth(ctx, "trader1")
    r = client.post(path, json={"text": "x", "content_base64": "%%%"}, headers=trader)
    assert r.status_code == 422
    missing = client.post("/api/v1/screening/queries/999999/answer", json=body, headers=trader)
    assert missing.status_code == 404
    r = client.post(path, json=body, headers=trader)
    assert r.status_code == 200 and r.json()["status"] == "answered"
    assert r.json()["replies"][0]["text"] == "certificate to follow"
    assert client.post(path, json=body, headers=trader).status_code == 409
    seen = client.get(f"/api/v1/declarations/{mrn}/screening", headers=auth(ctx, "officer1"))
    assert seen.json()["queries"][0]["replies"][0]["replied_by"] == "trader1"


def test_a_form_over_the_body_limit_gets_a_page(client: TestClient, ctx: Context) -> None:
    install(ctx)
    mrn, did = lodge(ctx, 1)
    route(ctx, [did], "red", ["profile X"])
    sign_in(client, "officer1")
    token = csrf(client.get(f"/declarations/{mrn}").text)
    huge = b"%PDF-" + b"0" * ctx.settings.max_body_bytes
    r = client.post(
        f"/declarations/{mrn}/evidence", data={"csrf_token": token}, files={"file": ("a", huge)}
    )
    assert r.status_code == 413 and r.headers["content-type"].startswith("text/html")
    assert "too large" in r.text and f"{ctx.settings.max_body_bytes} bytes" in r.text
    api = client.post(f"/api/v1/controls/declarations/{mrn}/evidence", content=huge)
    assert api.status_code == 413 and api.json()["error"]["code"] == "customhouse.PayloadTooLarge"


def test_an_officer_asks_for_a_document_and_the_trader_answers(
    client: TestClient, ctx: Context
) -> None:
    install(ctx)
    trader = user(ctx, "trader1")
    assert trader.eori
    outcome = svc.lodge(ctx, principal=trader, raw=owned_by(import_doc(3), trader.eori))
    assert outcome.mrn
    mrn, url = outcome.mrn, f"/declarations/{outcome.mrn}"
    # Neither the trader nor an analyst raises a query.
    for username in ("trader1", "analyst1"):
        sign_in(client, username)
        token = csrf(client.get("/").text)
        r = client.post(
            f"{url}/queries", data={"csrf_token": token, "missing": "invoice", "reason": "x"}
        )
        assert r.status_code == 403, username
        sign_out(client)

    sign_in(client, "officer1")
    page = client.get(url)
    assert "Ask the declarant for a document" in page.text
    token = csrf(page.text)
    for bad in ({"missing": "", "reason": "why"}, {"missing": "invoice", "item": "77"}):
        r = client.post(f"{url}/queries", data={"csrf_token": token, "reason": "", **bad})
        assert r.status_code == 422, bad
    r = client.post(
        f"{url}/queries",
        data={
            "csrf_token": token,
            "missing": "commercial invoice",
            "reason": "the declared value looks low",
            "item": "1",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, text(r.text)[:500]
    assert "asked by officer1" in text(client.get(url).text)
    sign_out(client)

    sign_in(client, "trader1")
    page = client.get(url)
    assert "the declared value looks low" in text(page.text) and "Answer this query" in page.text
    (query_id,) = re.findall(r'action="/queries/(\d+)/answer"', page.text)
    r = client.post(
        f"/queries/{query_id}/answer",
        data={"csrf_token": csrf(page.text), "mrn": mrn, "text": "invoice INV-9 attached"},
        files={"document": ("invoice.pdf", PDF)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "invoice INV-9 attached" in text(client.get(url).text)
    assert kinds(ctx, mrn).count("screening.query") == 1
    api = client.post(
        f"/api/v1/declarations/{mrn}/queries",
        json={"missing": "packing list", "reason": "count"},
        headers=auth(ctx, "trader1"),
    )
    assert api.status_code == 403
    api = client.post(
        f"/api/v1/declarations/{mrn}/queries",
        json={"missing": "packing list", "reason": "count"},
        headers=auth(ctx, "inspector1"),
    )
    assert api.status_code == 201 and api.json()["asked_by"] == "inspector1"
    assert verify_ledger(ctx).ok
