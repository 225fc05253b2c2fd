"""Controls on SQLite and PostgreSQL: tasks from channels, verifiable allocation, findings that
re-assess, release with payments and guarantees, four eyes, labels for risk."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from customhouse.access.models import SYSTEM, PermissionDenied, Principal
from customhouse.controls import errors as ce
from customhouse.controls.allocation import commitment
from customhouse.controls.models import Finding, FindingCode
from customhouse.controls.tables import AllocationRow, ControlResultRow, EvidenceRow, PaymentRow
from customhouse.declarations.lifecycle import State
from customhouse.declarations.tables import DeclarationRow
from customhouse.services import audit as pca
from customhouse.services import controls as ctl
from customhouse.services import declarations as svc
from customhouse.services import guarantees as gtee
from customhouse.services.access import user_by_name
from customhouse.services.assessment import current_assessment
from customhouse.services.assessment import run as assess_step
from customhouse.services.context import Context, FixedClock
from customhouse.services.declarations import transition
from customhouse.services.ledger import verify_ledger
from customhouse.tariff.models import UK_PROFILE
from tests.integration.test_assessment import import_doc, install, small_tariff

pytestmark = pytest.mark.integration


def user(ctx: Context, name: str) -> Principal:
    p = user_by_name(ctx, name)
    assert p is not None
    return p


def lodge(ctx: Context, n: int, **kw: Any) -> tuple[str, int]:
    outcome = svc.lodge_batch(
        ctx, principal=SYSTEM, requests=[svc.LodgeRequest(import_doc(n, **kw))]
    )[0]
    assert outcome.mrn, outcome.problems
    assess_step(ctx, [outcome.id])
    return outcome.mrn, outcome.id


def route(ctx: Context, ids: list[int], channel: str, reasons: list[str]) -> None:
    """Stand-in for the risk step: assessed -> selected with a channel and reasons."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        for row in uow.session.scalars(select(DeclarationRow).where(DeclarationRow.id.in_(ids))):
            assert row.state == State.ASSESSED.value, row.state
            row.channel = channel
            transition(
                uow,
                row,
                State.SELECTED,
                at=now,
                actor="system",
                payload={"channel": channel, "reasons": reasons},
            )
        uow.commit()
    ctl.run(ctx, ids)


def state(ctx: Context, did: int) -> str:
    with ctx.sessions() as s:
        row = s.get(DeclarationRow, did)
        assert row is not None
        return row.state


def declarant(ctx: Context, did: int) -> str:
    with ctx.sessions() as s:
        row = s.get(DeclarationRow, did)
        assert row is not None and row.declarant_eori
        return row.declarant_eori


def account(ctx: Context, did: int, limit: str = "100000") -> int:
    return gtee.open_guarantee(
        ctx,
        principal=user(ctx, "supervisor1"),
        holder_eori=declarant(ctx, did),
        currency="USD",
        limit=Decimal(limit),
    )


def test_green_released_at_once_with_guarantee_drawn(ctx: Context) -> None:
    install(ctx)
    mrn, did = lodge(ctx, 1)
    account_id = account(ctx, did)
    route(ctx, [did], "green", [])
    assert state(ctx, did) == "released"
    note = ctl.release_note(ctx, principal=user(ctx, "officer1"), mrn=mrn)
    assert note["drawn_from_guarantee"] == "500.00" and note["channel"] == "green"
    # A payment into the deferment account restores the balance.
    balance = gtee.settle_guarantee(
        ctx,
        principal=user(ctx, "officer1"),
        account_id=account_id,
        amount=Decimal(500),
        reference="DD-1",
    )
    assert balance == Decimal("100000.00")


def test_green_without_guarantee_held_until_paid(ctx: Context) -> None:
    install(ctx)
    mrn, did = lodge(ctx, 2)
    route(ctx, [did], "blue", [])
    assert state(ctx, did) == "held"
    out = ctl.record_payment(
        ctx, principal=user(ctx, "officer1"), mrn=mrn, amount=Decimal(500), reference="P1"
    )
    assert out["released"] and state(ctx, did) == "released"
    note = ctl.release_note(ctx, principal=user(ctx, "officer1"), mrn=mrn)
    assert note["post_clearance_audit"] is True
    with pytest.raises(PermissionDenied):
        ctl.record_payment(
            ctx, principal=user(ctx, "trader1"), mrn=mrn, amount=Decimal(1), reference="x"
        )


def test_yellow_task_finding_reassesses_and_releases(ctx: Context) -> None:
    install(ctx)
    _mrn, did = lodge(ctx, 3)
    account(ctx, did)
    route(ctx, [did], "yellow", ["profile UV-1: unit value below median"])
    assert state(ctx, did) == "under_control"
    [task] = ctl.list_tasks(ctx, principal=user(ctx, "officer1"), declaration_id=did)
    assert task["kind"] == "documentary_check" and task["office"]
    assert task["instructions"] == ["profile UV-1: unit value below median"]
    assert task["checklist"] and task["deadline"] == "2025-06-03"
    officer = task["assigned_to"]
    assert officer in {"officer1", "officer2", "supervisor1"}
    other = user(ctx, "officer2" if officer != "officer2" else "officer1")
    with pytest.raises(ce.NotAssigned):
        ctl.close_task(ctx, principal=other, task_id=task["id"], findings=[])
    digest = ctl.store_evidence(
        ctx,
        principal=user(ctx, officer),
        content=b"%PDF-1.7 invoice",
        filename="inv.pdf",
        media_type="application/pdf",
    )
    out = ctl.close_task(
        ctx,
        principal=user(ctx, officer),
        task_id=task["id"],
        findings=[
            Finding(
                FindingCode.UNDERVALUATION,
                {1: {"invoice_amount": "20000.00"}},
                "second invoice found",
                (digest,),
            )
        ],
        checklist={"invoice matches declared value and currency": False},
    )
    assert out["additional_due"] == "500.00" and out["released"]
    assert current_assessment(ctx, did)["total"] == "1000.00"  # type: ignore[index]
    with ctx.sessions() as s:
        r = s.scalars(select(ControlResultRow).where(ControlResultRow.declaration_id == did)).one()
        assert r.finding and r.revenue == Decimal("500.00")
    # Evidence is verified on read; altered content is refused.
    _, content = ctl.read_evidence(ctx, principal=user(ctx, "officer1"), sha256=digest)
    assert content == b"%PDF-1.7 invoice"
    with ctx.sessions() as s:
        s.execute(update(EvidenceRow).values(content=b"%PDF forged"))
        s.commit()
    with pytest.raises(ce.EvidenceCorrupted):
        ctl.read_evidence(ctx, principal=user(ctx, "officer1"), sha256=digest)


def test_conflict_excludes_officer_and_reassign_needs_supervisor(ctx: Context) -> None:
    install(ctx)
    _mrn, did = lodge(ctx, 4)
    for name in ("officer1", "supervisor1"):
        ctl.declare_conflict(
            ctx, principal=user(ctx, name), username=name, eori=declarant(ctx, did), reason="x"
        )
    route(ctx, [did], "yellow", [])
    [task] = ctl.list_tasks(ctx, principal=user(ctx, "officer1"), declaration_id=did)
    assert task["assigned_to"] == "officer2"  # the only one without a link to the declarant
    with pytest.raises(PermissionDenied):
        ctl.reassign(
            ctx,
            principal=user(ctx, "officer2"),
            task_id=task["id"],
            officer="officer1",
            reason="x",
        )
    with pytest.raises(ce.ReasonRequired):
        ctl.reassign(
            ctx,
            principal=user(ctx, "supervisor1"),
            task_id=task["id"],
            officer="officer2",
            reason=" ",
        )
    with pytest.raises(ce.FourEyes):
        ctl.reassign(
            ctx,
            principal=user(ctx, "supervisor1"),
            task_id=task["id"],
            officer="supervisor1",
            reason="me",
        )
    with pytest.raises(ce.NoEligibleOfficer):
        ctl.reassign(
            ctx,
            principal=user(ctx, "supervisor1"),
            task_id=task["id"],
            officer="officer1",
            reason="workload",
        )


def test_allocation_commit_reveal_verify_detects_tampering(ctx: Context, clock: FixedClock) -> None:
    install(ctx)
    day = clock.at.date() + dt.timedelta(days=1)
    sup = user(ctx, "supervisor1")
    committed = ctl.commit_seed(ctx, principal=sup, day=day)
    with pytest.raises(ce.SeedAlreadyCommitted):
        ctl.commit_seed(ctx, principal=sup, day=day)
    with pytest.raises(PermissionDenied):
        ctl.commit_seed(ctx, principal=user(ctx, "officer1"), day=day + dt.timedelta(days=1))
    clock.at = clock.at + dt.timedelta(days=1)
    ids = [lodge(ctx, 10 + i)[1] for i in range(6)]
    with ctx.sessions() as s:
        office = s.get(DeclarationRow, ids[0]).office  # type: ignore[union-attr]
    ctl.set_roster(
        ctx,
        principal=sup,
        day=day,
        office=office,
        entries=[(f"inspector{i}", "inspector") for i in (1, 2, 3)],
    )
    route(ctx, ids, "red", ["scanner image first"])
    with pytest.raises(ce.SeedNotRevealable):
        ctl.reveal_seed(ctx, principal=sup, day=day)
    clock.at = clock.at + dt.timedelta(days=1)
    revealed = ctl.reveal_seed(ctx, principal=sup, day=day)
    assert commitment(revealed["seed"]) == committed["commitment"]
    report = ctl.verify_allocations(ctx, principal=user(ctx, "auditor1"), day=day)
    assert report["ok"] and report["allocations"] == 12, report  # scanner + physical each
    runner = CliRunner()
    from customhouse.cli.allocation import app

    env = {"CUSTOMHOUSE_DATABASE_URL": ctx.settings.database_url}
    ok = runner.invoke(app, ["verify", day.isoformat()], env=env)
    assert ok.exit_code == 0, ok.output
    with ctx.sessions() as s:
        a = s.scalars(select(AllocationRow).order_by(AllocationRow.id)).first()
        assert a is not None
        a.officer = "inspector9" if a.officer != "inspector9" else "inspector8"
        s.commit()
    report = ctl.verify_allocations(ctx, principal=user(ctx, "auditor1"), day=day)
    assert not report["ok"] and len(report["mismatches"]) == 1
    bad = runner.invoke(app, ["verify", day.isoformat()], env=env)
    assert bad.exit_code == 1 and "mismatches" in bad.output
    assert verify_ledger(ctx).ok


def test_four_eyes_channel_change_and_release_of_held_goods(ctx: Context) -> None:
    install(ctx)
    mrn, did = lodge(ctx, 20)
    account(ctx, did)
    route(ctx, [did], "red", [])
    officer, sup = user(ctx, "officer1"), user(ctx, "supervisor1")
    # The same person cannot ask and approve; a non-supervisor cannot approve.
    mine = ctl.request_approval(
        ctx,
        principal=sup,
        action="change_channel",
        subject_id=mrn,
        reason="AEO",
        params={"channel": "green"},
    )
    with pytest.raises(ce.FourEyes):
        ctl.decide_approval(ctx, principal=sup, approval_id=mine, approve=True)
    asked = ctl.request_approval(
        ctx,
        principal=officer,
        action="change_channel",
        subject_id=mrn,
        reason="trusted trader, documents seen",
        params={"channel": "green"},
    )
    with pytest.raises(PermissionDenied):
        ctl.decide_approval(ctx, principal=user(ctx, "officer2"), approval_id=asked, approve=True)
    out = ctl.decide_approval(ctx, principal=sup, approval_id=asked, approve=True)
    assert out["result"]["released"] and state(ctx, did) == "released"
    # Held by an officer: release only with a second user's approval.
    mrn2, did2 = lodge(ctx, 21)
    route(ctx, [did2], "yellow", [])
    ctl.hold(ctx, principal=officer, mrn=mrn2, reason="certificate awaited")
    with pytest.raises(ce.FourEyes):
        ctl.release(ctx, principal=officer, mrn=mrn2)
    [task] = ctl.list_tasks(ctx, principal=officer, declaration_id=did2)
    ctl.close_task(ctx, principal=user(ctx, task["assigned_to"]), task_id=task["id"], findings=[])
    ctl.record_payment(ctx, principal=officer, mrn=mrn2, amount=Decimal(500), reference="P")
    assert state(ctx, did2) == "held"  # still held by the officer
    req = ctl.request_approval(
        ctx, principal=officer, action="release_held", subject_id=mrn2, reason="certificate seen"
    )
    ctl.decide_approval(ctx, principal=sup, approval_id=req, approve=True)
    assert state(ctx, did2) == "released"
    report = ctl.release_time_report(ctx, principal=officer)
    assert set(report["by_channel"]) == {"green", "yellow"}
    assert verify_ledger(ctx).ok


def test_audit_recovery_is_in_the_currency_of_the_tariff(ctx: Context, clock: FixedClock) -> None:
    """A GBP tariff: the recovered difference is recorded as a GBP payment, not in dollars."""
    ctx.settings.tariff_profile = "uk"
    install(ctx, replace(small_tariff(), profile=UK_PROFILE))
    mrn, did = lodge(ctx, 3, currency="GBP")
    route(ctx, [did], "blue", [])
    ctl.record_payment(
        ctx, principal=user(ctx, "officer1"), mrn=mrn, amount=Decimal(500), reference="P3"
    )
    assert state(ctx, did) == "released"
    auditor = user(ctx, "auditor1")
    day = clock.now().date()
    with ctx.sessions() as s:
        row = s.get(DeclarationRow, did)
        assert row is not None
        importer = row.importer_eori or declarant(ctx, did)
    audit_id = pca.open_audit(
        ctx,
        principal=auditor,
        trader_eori=importer,
        period_from=day - dt.timedelta(days=1),
        period_to=day + dt.timedelta(days=1),
    )
    found = pca.record_audit_finding(
        ctx,
        principal=auditor,
        audit_id=audit_id,
        mrn=mrn,
        finding=Finding(FindingCode.UNDERVALUATION, {1: {"invoice_amount": "16000.00"}}, "x"),
    )
    assert Decimal(found["difference"]) > 0
    done = pca.recover(
        ctx,
        principal=auditor,
        finding_id=found["finding"],
        amount=Decimal(found["difference"]),
        reference="RECOVERY-GBP",
    )
    assert done["currency"] == "GBP" and done["outstanding"] == "0.00"
    with ctx.sessions() as s:
        methods = {
            (p.method, p.currency)
            for p in s.scalars(select(PaymentRow).where(PaymentRow.declaration_id == did))
        }
    assert methods == {("payment", "GBP"), ("recovery", "GBP")}
    assert verify_ledger(ctx).ok


def test_duty_roster_rules_read_once_for_a_batch(ctx: Context, clock: FixedClock) -> None:
    # No roster for the day: the active staff of the role at the office, or every officer of
    # the role where the office has none. A roster for the day: only those on it, at its office.
    install(ctx)
    day = clock.at.date()
    with ctx.sessions() as s:
        unrostered = ctl.DutyRoster.read(s, day.isoformat())
    inspectors = unrostered.on_duty("GB000060", "inspector")
    assert inspectors and all(n.startswith("inspector") for n in inspectors)
    assert unrostered.on_duty("XX999999", "inspector") == inspectors  # borrowed pool
    assert unrostered.on_duty("GB000060", "no-such-role") == []
    ctl.set_roster(
        ctx,
        principal=user(ctx, "supervisor1"),
        day=day,
        office="GB000060",
        entries=[("inspector2", "inspector")],
    )
    with ctx.sessions() as s:
        rostered = ctl.DutyRoster.read(s, day.isoformat())
    assert rostered.on_duty("GB000060", "inspector") == ["inspector2"]
    assert rostered.on_duty("XX999999", "inspector") == []  # not on the day's roster
    assert rostered.on_duty("GB000060", "officer") == []
