"""Enforcement and the controls API on SQLite and PostgreSQL: seizure and custody, case moves
(illegal ones 409), penalty, four eyes on waiver and closure, links, nCEN export; role checks
over HTTP both ways."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from customhouse.access.models import SYSTEM, PermissionDenied
from customhouse.api.app import create_app
from customhouse.controls import errors as ce
from customhouse.enforcement import errors as ee
from customhouse.services import controls as ctl
from customhouse.services import enforcement as enf
from customhouse.services.access import issue_token
from customhouse.services.context import Context
from customhouse.services.ledger import verify_ledger
from tests.integration.test_assessment import install
from tests.integration.test_controls import lodge, route, user

pytestmark = pytest.mark.integration


@pytest.fixture
def client(ctx: Context) -> Iterator[TestClient]:
    with TestClient(create_app(ctx), raise_server_exceptions=False) as c:
        yield c


def auth(ctx: Context, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(ctx, principal=SYSTEM, username=username)}"}


def seized(ctx: Context, n: int = 30) -> tuple[str, dict[str, Any]]:
    install(ctx)
    mrn, did = lodge(ctx, n)
    route(ctx, [did], "red", [])
    [task] = ctl.list_tasks(ctx, principal=user(ctx, "officer1"), declaration_id=did)
    inspector = user(ctx, task["assigned_to"])
    from customhouse.controls.models import Finding, FindingCode

    ctl.close_task(
        ctx,
        principal=inspector,
        task_id=task["id"],
        findings=[
            Finding(FindingCode.UNDERVALUATION, {1: {"invoice_amount": "30000.00"}}),
            Finding(FindingCode.IPR_INFRINGEMENT, {}, "fake logos"),
        ],
    )
    out = enf.seize(
        ctx,
        principal=inspector,
        mrn=mrn,
        offence="ipr_infringement",
        goods=[{"item": "1", "description": "bags", "quantity": "10", "unit": "NAR"}],
        custodian="office store",
        location="GBFXT",
    )
    return mrn, out


def test_case_lifecycle_penalty_and_four_eyes(ctx: Context) -> None:
    _, s = seized(ctx)
    inv, sup = user(ctx, "investigator1"), user(ctx, "supervisor1")
    case = s["case"]
    with pytest.raises(ee.IllegalCaseMove):
        enf.move_case(ctx, principal=inv, case_id=case, target="penalty")
    with pytest.raises(ce.FourEyes):
        enf.move_case(ctx, principal=inv, case_id=case, target="closed")
    with pytest.raises(PermissionDenied):
        enf.move_case(ctx, principal=user(ctx, "officer1"), case_id=case, target="investigation")
    enf.move_case(ctx, principal=inv, case_id=case, target="investigation")
    p = enf.impose_penalty(ctx, principal=inv, case_id=case, factors=["voluntary_disclosure"])
    assert p["amount"] == "500.00"  # 1000 evaded, -50%
    # Waiver: the investigator asks, only another user with the supervisor role approves.
    asked = ctl.request_approval(
        ctx, principal=inv, action="waive_penalty", subject_id=str(case), reason="hardship"
    )
    with pytest.raises(PermissionDenied):
        ctl.decide_approval(ctx, principal=inv, approval_id=asked, approve=True)
    ctl.decide_approval(ctx, principal=sup, approval_id=asked, approve=True)
    with pytest.raises(ce.ApprovalDecided):
        ctl.decide_approval(ctx, principal=sup, approval_id=asked, approve=True)
    view = enf.case_view(ctx, principal=inv, case_id=case)
    assert [x["status"] for x in view["penalties"]] == ["waived"]
    own = ctl.request_approval(
        ctx, principal=sup, action="close_case", subject_id=str(case), reason="done"
    )
    with pytest.raises(ce.FourEyes):
        ctl.decide_approval(ctx, principal=sup, approval_id=own, approve=True)
    asked = ctl.request_approval(
        ctx, principal=inv, action="close_case", subject_id=str(case), reason="done"
    )
    ctl.decide_approval(ctx, principal=sup, approval_id=asked, approve=True)
    assert enf.case_view(ctx, principal=inv, case_id=case)["state"] == "closed"
    with pytest.raises(ee.IllegalCaseMove):
        enf.move_case(ctx, principal=inv, case_id=case, target="appeal")
    assert verify_ledger(ctx).ok


def test_custody_chain_links_and_export(ctx: Context) -> None:
    _, s = seized(ctx)
    inspector = user(ctx, "inspector1")
    with pytest.raises(ee.CustodyBroken):
        enf.hand_over(
            ctx,
            principal=inspector,
            seizure_id=s["seizure"],
            from_custodian="someone else",
            to_custodian="lab",
            location="X",
        )
    enf.hand_over(
        ctx,
        principal=inspector,
        seizure_id=s["seizure"],
        from_custodian="office store",
        to_custodian="lab",
        location="GBLON",
        seal="S1",
    )
    chain = enf.custody_chain(ctx, principal=user(ctx, "investigator1"), seizure_id=s["seizure"])
    assert [c["to"] for c in chain] == ["office store", "lab"]
    # Another declaration by the same declarant is linked through the shared party.
    _, other = lodge(ctx, 31)
    links = enf.case_links(ctx, principal=user(ctx, "investigator1"), case_id=s["case"])
    hit = next(x for x in links if x["declaration"] == other)
    assert any(v.startswith("party:") for v in hit["via"])
    [record] = enf.export_seizures(ctx, principal=user(ctx, "investigator1"))
    assert record["case"]["reference"].startswith("SZ-") and record["goods"][0]["unit"] == "NAR"
    with pytest.raises(PermissionDenied):
        enf.export_seizures(ctx, principal=user(ctx, "trader1"))
    from customhouse.cli.main import app

    env = {"CUSTOMHOUSE_DATABASE_URL": ctx.settings.database_url}
    out = CliRunner().invoke(app, ["enforcement", "export-seizures"], env=env)
    assert out.exit_code == 0 and json.loads(out.stdout)[0]["case"]["offence_type"]
    out = CliRunner().invoke(app, ["controls", "tasks", "--status", "closed"], env=env)
    assert out.exit_code == 0 and json.loads(out.stdout)[0]["outcome"] == "discrepancy"
    bad = CliRunner().invoke(app, ["controls", "roster", "2025-06-03", "GB1", "x:pilot"], env=env)
    assert bad.exit_code == 1


def test_api_role_checks_both_ways(ctx: Context, client: TestClient) -> None:
    install(ctx)
    mrn, did = lodge(ctx, 40)
    route(ctx, [did], "yellow", [])
    trader, officer = auth(ctx, "trader1"), auth(ctx, "officer1")
    assert client.get("/api/v1/controls/tasks", headers=trader).status_code == 403
    assert client.get("/api/v1/controls/tasks").status_code == 401
    [task] = client.get("/api/v1/controls/tasks?status=allocated", headers=officer).json()
    body = {"findings": [{"code": "no_discrepancy"}], "checklist": {"invoice": True}}
    url = f"/api/v1/controls/tasks/{task['id']}/close"
    assert client.post(url, json=body, headers=trader).status_code == 403
    wrong = "officer2" if task["assigned_to"] != "officer2" else "officer1"
    assert client.post(url, json=body, headers=auth(ctx, wrong)).status_code == 403
    png = b"\x89PNG\r\n\x1a\n scan"

    def upload(content: bytes, media_type: str | None, headers: Any = None) -> Any:
        body = {"filename": "scan.png", "content_base64": base64.b64encode(content).decode()}
        if media_type:
            body["media_type"] = media_type
        return client.post(
            "/api/v1/controls/evidence",
            json=body,
            headers=headers or auth(ctx, task["assigned_to"]),
        )

    # The type is judged from the bytes: a claim they contradict, or bytes of no accepted
    # type, are refused with the reason; the trader may not store evidence at all.
    wrong_claim = upload(b"pH 7.1 lab report", "image/png")
    assert wrong_claim.status_code == 422
    problems = wrong_claim.json()["error"]["details"]["problems"]
    assert problems[0]["code"] == "evidence.type_mismatch"
    assert upload(b"MZ\x90\x00\x03", None).status_code == 422
    assert upload(png, "image/png", trader).status_code == 403
    ev = upload(png, "image/png")
    assert ev.status_code == 201 and len(ev.json()["sha256"]) == 64
    assert upload(png, None).json()["sha256"] == ev.json()["sha256"]
    r = client.post(url, json=body, headers=auth(ctx, task["assigned_to"]))
    assert r.status_code == 200 and r.json()["open_tasks"] == 0
    assert r.json()["state"] == "held"  # no guarantee: held until paid
    assert client.post(url, json=body, headers=auth(ctx, task["assigned_to"])).status_code == 409
    pay = {"amount": "500.00", "reference": "P-1"}
    path = f"/api/v1/controls/declarations/{mrn}/payments"
    assert client.post(path, json=pay, headers=trader).status_code == 403
    assert client.post(path, json=pay, headers=officer).json()["released"] is True
    note = client.get(f"/api/v1/controls/declarations/{mrn}/release-note", headers=officer)
    assert note.status_code == 200 and Decimal(note.json()["paid"]) == Decimal(500)
    times = client.get("/api/v1/controls/release-times", headers=officer)
    assert times.status_code == 200 and "yellow" in times.json()["by_channel"]
    assert client.get("/api/v1/controls/release-times", headers=trader).status_code == 403
    # Approvals: a supervisor cannot approve their own request; an officer cannot approve.
    ask = {"action": "release_held", "subject": mrn, "reason": "x"}
    a = client.post("/api/v1/controls/approvals", json=ask, headers=auth(ctx, "supervisor1"))
    assert a.status_code == 201
    decision = f"/api/v1/controls/approvals/{a.json()['approval']}/decision"
    assert client.post(decision, json={"approve": True}, headers=officer).status_code == 403
    own = client.post(decision, json={"approve": True}, headers=auth(ctx, "supervisor1"))
    assert own.status_code == 403 and own.json()["error"]["code"] == "controls.FourEyes"
    # Enforcement and audit routes refuse the wrong roles and answer the right ones.
    assert client.get("/api/v1/enforcement/seizures/export", headers=officer).status_code == 403
    ok = client.get("/api/v1/enforcement/seizures/export", headers=auth(ctx, "investigator1"))
    assert ok.status_code == 200 and ok.json() == []
    sel = "/api/v1/audit/selection?since=2025-01-01&until=2025-12-31"
    assert client.get(sel, headers=officer).status_code == 403
    ranked = client.get(sel, headers=auth(ctx, "auditor1"))
    assert ranked.status_code == 200 and ranked.json()[0]["reasons"]
