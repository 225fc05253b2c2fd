"""From lodgement to release through every channel, on the whole pipeline (assess, screen,
classify, risk, controls): one declaration to a seizure, a case and a penalty, one through a
post-clearance audit with recovery; the ledger verifies at the end."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from customhouse.access.models import SYSTEM
from customhouse.audit.tables import AuditFlagRow
from customhouse.controls.models import Finding, FindingCode
from customhouse.declarations.tables import DeclarationRow
from customhouse.services import audit as pca
from customhouse.services import controls as ctl
from customhouse.services import enforcement as enf
from customhouse.services import guarantees as gtee
from customhouse.services import risk as risk_svc
from customhouse.services.context import Context, FixedClock
from customhouse.services.declarations import LodgeRequest
from customhouse.services.ledger import verify_ledger
from customhouse.services.pipeline import process_batch
from tests.integration import conftest as _integration
from tests.integration.test_assessment import import_doc, install
from tests.integration.test_controls import user

pytestmark = pytest.mark.integration
# The integration fixtures: a migrated SQLite (and PostgreSQL) database with the demo users.
database_url = _integration.database_url
clock = _integration.clock
ctx = _integration.ctx

# Origins steer the risk profiles below: each channel gets one declaration or more.
PROFILES = (("E2E-RED", "BR", "red"), ("E2E-YELLOW", "IN", "yellow"), ("E2E-BLUE", "CA", "blue"))


def _profiles(ctx: Context, office: str) -> None:
    analyst, second = user(ctx, "analyst1"), user(ctx, "analyst2")
    risk_svc.set_office_policy(
        ctx,
        principal=user(ctx, "supervisor1"),
        office=office,
        inspection_rate=1.0,
        random_rate=0.0,
        exploration_rate=0.0,
    )
    for code, origin, channel in PROFILES:
        risk_svc.create_profile(
            ctx,
            principal=analyst,
            data={
                "code": code,
                "name": f"{channel} for goods from {origin}",
                "criteria": {"origins": [origin]},
                "channel": channel,
                "priority": 5,
                "instructions": f"{channel}: check goods from {origin}",
            },
        )
        risk_svc.submit_profile(ctx, principal=analyst, code=code)
        risk_svc.approve_profile(ctx, principal=second, code=code)


def _rows(ctx: Context, ids: list[int]) -> dict[int, DeclarationRow]:
    with ctx.sessions() as s:
        rows = {
            r.id: r for r in s.scalars(select(DeclarationRow).where(DeclarationRow.id.in_(ids)))
        }
        for r in rows.values():
            s.expunge(r)
        return rows


def _task(ctx: Context, did: int, kind: str | None = None) -> dict[str, Any]:
    tasks = ctl.list_tasks(ctx, principal=user(ctx, "officer1"), declaration_id=did)
    return next(t for t in tasks if kind is None or t["kind"] == kind)


def test_clearance_journey(ctx: Context, clock: FixedClock) -> None:
    install(ctx)
    docs = {
        "green": import_doc(1, origin="CN"),
        "yellow": import_doc(2, origin="IN"),
        "red": import_doc(3, origin="BR"),
        "blue": import_doc(4, origin="CA"),
        "seize": import_doc(5, origin="BR"),
        "audit": import_doc(6, origin="CN"),
    }
    office = docs["green"]["office"]
    _profiles(ctx, office)
    eori = docs["green"]["parties"]["declarant"]["eori"]
    gtee.open_guarantee(
        ctx,
        principal=user(ctx, "supervisor1"),
        holder_eori=eori,
        currency="USD",
        limit=Decimal(50000),
    )
    outcomes = process_batch(
        ctx, principal=SYSTEM, requests=[LodgeRequest(d) for d in docs.values()], source="e2e"
    )
    ids = dict(zip(docs, [o.id for o in outcomes], strict=True))
    mrns = dict(zip(docs, [o.mrn or "" for o in outcomes], strict=True))
    rows = _rows(ctx, list(ids.values()))
    assert {k: rows[ids[k]].channel for k in docs} == {
        "green": "green",
        "yellow": "yellow",
        "red": "red",
        "blue": "blue",
        "seize": "red",
        "audit": "green",
    }
    # Green and blue are released at once; blue is flagged for audit after clearance.
    assert rows[ids["green"]].state == rows[ids["blue"]].state == "released"
    with ctx.sessions() as s:
        assert s.get(AuditFlagRow, ids["blue"]) is not None

    clock.at += dt.timedelta(minutes=45)
    # Yellow: a documentary check with the profile's instructions; nothing found.
    task = _task(ctx, ids["yellow"])
    assert task["kind"] == "documentary_check"
    assert any("check goods from IN" in x for x in task["instructions"])
    out = ctl.close_task(
        ctx, principal=user(ctx, task["assigned_to"]), task_id=task["id"], findings=[]
    )
    assert out["released"]

    clock.at += dt.timedelta(hours=2)
    # Red: examined, misdescribed: corrected value re-assesses; the guarantee covers the rest.
    task = _task(ctx, ids["red"], "physical_examination")
    inspector = user(ctx, task["assigned_to"])
    photo = ctl.store_evidence(
        ctx,
        principal=inspector,
        content=b"\x89PNG\r\n\x1a\n goods",
        filename="goods.png",
        media_type="image/png",
    )
    out = ctl.close_task(
        ctx,
        principal=inspector,
        task_id=task["id"],
        findings=[
            Finding(
                FindingCode.UNDERVALUATION,
                {1: {"invoice_amount": "14000.00"}},
                "price list found in the container",
                (photo,),
            )
        ],
    )
    assert out["additional_due"] == "200.00" and out["released"]

    # The other red one: counterfeit goods, seized, a case, a penalty, closed with four eyes.
    task = _task(ctx, ids["seize"], "physical_examination")
    inspector = user(ctx, task["assigned_to"])
    out = ctl.close_task(
        ctx,
        principal=inspector,
        task_id=task["id"],
        findings=[
            Finding(
                FindingCode.IPR_INFRINGEMENT,
                {1: {"invoice_amount": "30000.00"}},
                "counterfeit trademarks",
            )
        ],
    )
    assert not out["released"] and out["state"] == "held"
    seized = enf.seize(
        ctx,
        principal=inspector,
        mrn=mrns["seize"],
        offence="ipr_infringement",
        goods=[
            {"item": 1, "description": "counterfeit tank car parts", "quantity": "1", "unit": "NAR"}
        ],
        custodian="office store",
        location=office,
    )
    enf.hand_over(
        ctx,
        principal=inspector,
        seizure_id=seized["seizure"],
        from_custodian="office store",
        to_custodian="bonded warehouse 7",
        location="GBFXT",
        seal="SEAL-0001",
    )
    assert (
        len(
            enf.custody_chain(
                ctx, principal=user(ctx, "investigator1"), seizure_id=seized["seizure"]
            )
        )
        == 2
    )
    investigator = user(ctx, "investigator1")
    case = seized["case"]
    enf.move_case(ctx, principal=investigator, case_id=case, target="investigation")
    penalty = enf.impose_penalty(ctx, principal=investigator, case_id=case, factors=["concealment"])
    assert penalty["amount"] == "1500.00"  # 100% of 1000 evaded, +50% concealment
    asked = ctl.request_approval(
        ctx,
        principal=investigator,
        action="close_case",
        subject_id=str(case),
        reason="penalty paid",
    )
    ctl.decide_approval(ctx, principal=user(ctx, "supervisor1"), approval_id=asked, approve=True)
    assert enf.case_view(ctx, principal=investigator, case_id=case)["state"] == "closed"
    [record] = enf.export_seizures(ctx, principal=investigator)
    assert record["case"]["offence_type"] == "ipr_infringement"

    # Every channel released but the seized one; release times per channel and office.
    rows = _rows(ctx, list(ids.values()))
    assert {k: rows[ids[k]].state for k in docs} == {
        "green": "released",
        "yellow": "released",
        "red": "released",
        "blue": "released",
        "seize": "seized",
        "audit": "released",
    }
    report = ctl.release_time_report(ctx, principal=user(ctx, "supervisor1"))
    assert report["by_channel"]["red"]["median_minutes"] == 165.0
    assert report["by_channel"]["green"]["median_minutes"] == 0.0
    assert office in report["by_office"]

    # A year later: audit of the trader, undervaluation found, difference recovered.
    clock.at += dt.timedelta(days=365)
    auditor = user(ctx, "auditor1")
    since, until = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    ranked = pca.audit_selection(ctx, principal=auditor, since=since, until=until)
    trader = rows[ids["audit"]].importer_eori or eori
    assert trader in {r["eori"] for r in ranked}
    audit_id = pca.open_audit(
        ctx, principal=auditor, trader_eori=trader, period_from=since, period_to=until
    )
    found = pca.record_audit_finding(
        ctx,
        principal=auditor,
        audit_id=audit_id,
        mrn=mrns["audit"],
        finding=Finding(
            FindingCode.UNDERVALUATION,
            {1: {"invoice_amount": "16000.00"}},
            "royalties not declared",
        ),
    )
    assert found["difference"] == "300.00"
    done = pca.recover(
        ctx,
        principal=auditor,
        finding_id=found["finding"],
        amount=Decimal(300),
        reference="RECOVERY-1",
    )
    assert done["outstanding"] == "0.00"
    assert pca.close_audit(ctx, principal=auditor, audit_id=audit_id)["recovered"] == "300.00"
    assert verify_ledger(ctx).ok
