"""Post-clearance audit: select traders, audit a period, reassess released declarations within
the limitation period, recover the difference."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from customhouse.access.models import Action, Principal
from customhouse.audit import errors as e
from customhouse.audit.models import TraderActivity, select_traders, within_limitation
from customhouse.audit.tables import AuditCaseRow, AuditFindingRow, AuditFlagRow
from customhouse.controls.errors import BadFinding
from customhouse.controls.models import Finding, FindingCode, check_finding
from customhouse.controls.tables import ControlResultRow, PaymentRow, ReleaseNoteRow
from customhouse.declarations import repository as drepo
from customhouse.declarations.tables import DeclarationRow
from customhouse.errors import Problem
from customhouse.identifiers import mrn as mrn_id
from customhouse.ledger.models import timestamp
from customhouse.services.context import Context
from customhouse.services.controls import corrected_document, label, reassess
from customhouse.tariff.assessment_tables import AssessmentRow

AUDIT = "audit"
LIMITATION_YEARS = 3  # UCC Art. 103(1)


def _trader(row: DeclarationRow) -> str:
    return row.importer_eori or row.declarant_eori or ""


def audit_selection(
    ctx: Context, *, principal: Principal, since: dt.date, until: dt.date, top: int = 10
) -> list[dict[str, Any]]:
    """Traders ranked for audit by risk and volume over released declarations of a period."""
    principal.require(Action.POST_CLEARANCE_AUDIT)
    acts: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"released": 0, "duty": Decimal(0), "controlled": 0, "findings": 0, "flagged": 0}
    )
    with ctx.sessions() as session:
        for imp, dec, due in session.execute(
            select(DeclarationRow.importer_eori, DeclarationRow.declarant_eori, ReleaseNoteRow.due)
            .join(ReleaseNoteRow, ReleaseNoteRow.declaration_id == DeclarationRow.id)
            .where(
                ReleaseNoteRow.released_at >= since.isoformat(),
                ReleaseNoteRow.released_at < (until + dt.timedelta(days=1)).isoformat(),
            )
        ):
            a = acts[imp or dec or ""]
            a["released"] += 1
            a["duty"] += Decimal(due)
        for imp, dec, finding in session.execute(
            select(
                DeclarationRow.importer_eori,
                DeclarationRow.declarant_eori,
                ControlResultRow.finding,
            ).join(ControlResultRow, ControlResultRow.declaration_id == DeclarationRow.id)
        ):
            a = acts[imp or dec or ""]
            a["controlled"] += 1
            a["findings"] += int(bool(finding))
        for eori, n in session.execute(
            select(AuditFlagRow.trader_eori, func.count()).group_by(AuditFlagRow.trader_eori)
        ):
            acts[eori or ""]["flagged"] += n
    activity = [TraderActivity(k, **v) for k, v in acts.items() if k and v["released"]]
    return [
        {"eori": c.eori, "score": c.score, "reasons": list(c.reasons)}
        for c in select_traders(activity, top)
    ]


def open_audit(
    ctx: Context,
    *,
    principal: Principal,
    trader_eori: str,
    period_from: dt.date,
    period_to: dt.date,
    selection: list[str] | None = None,
) -> int:
    principal.require(Action.POST_CLEARANCE_AUDIT)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        row = AuditCaseRow(
            trader_eori=trader_eori,
            period_from=period_from.isoformat(),
            period_to=period_to.isoformat(),
            state="open",
            selection=selection or [],
            opened_by=principal.username,
            opened_at=timestamp(now),
            closed_at=None,
        )
        uow.session.add(row)
        uow.session.flush()
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="audit.opened",
            subject_type=AUDIT,
            subject_id=str(row.id),
            payload={"trader": trader_eori, "from": row.period_from, "to": row.period_to},
        )
        audit_id = row.id
        uow.commit()
    return audit_id


def record_audit_finding(
    ctx: Context,
    *,
    principal: Principal,
    audit_id: int,
    mrn: str,
    finding: Finding,
    limitation_years: int = LIMITATION_YEARS,
) -> dict[str, Any]:
    """Reassess a released declaration of the audited trader and period; the difference is
    owed (refused once the limitation period has run)."""
    principal.require(Action.POST_CLEARANCE_AUDIT)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        session = uow.session
        audit = session.get(AuditCaseRow, audit_id, with_for_update=True)
        if audit is None:
            raise e.AuditNotFound(f"no audit {audit_id}")
        if audit.state != "open":
            raise e.AuditClosed(f"audit {audit_id} is closed")
        row = drepo.get_by_mrn(session, mrn_id.compact(mrn), for_update=True)
        note = session.get(ReleaseNoteRow, row.id)
        if note is None or _trader(row) != audit.trader_eori:
            raise e.OutsideAudit(f"{mrn} is not a released declaration of {audit.trader_eori}")
        released_on = dt.datetime.fromisoformat(note.released_at).date()
        if not audit.period_from <= released_on.isoformat() <= audit.period_to:
            raise e.OutsideAudit(f"{mrn} was released outside the audited period")
        if not within_limitation(released_on, now.date(), limitation_years):
            raise e.LimitationExpired(
                f"the debt of {mrn} can no longer be notified ({limitation_years} years)",
                {"released_on": released_on.isoformat()},
            )
        numbers = [int(i["sequence"]) for i in row.document.get("items", [])]
        problems = check_finding(finding, numbers)
        if problems or not finding.corrections:
            raise BadFinding(
                "an audit finding corrects item data",
                [Problem("audit.finding", "/corrections", p) for p in problems or ["none"]],
            )
        assessment_id, before, after = reassess(
            ctx, uow, row, corrected_document(row.document, finding.corrections), now
        )
        difference = (after - before).quantize(Decimal("0.01"))
        f = AuditFindingRow(
            audit_id=audit.id,
            declaration_id=row.id,
            code=finding.code.value,
            corrections={str(k): v for k, v in finding.corrections.items()},
            note=finding.note,
            previous_total=before,
            new_total=after,
            difference=difference,
            recovered=Decimal(0),
            assessment_id=assessment_id,
            recorded_by=principal.username,
            recorded_at=timestamp(now),
        )
        session.add(f)
        session.flush()
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="audit.finding",
            subject_type=AUDIT,
            subject_id=str(audit.id),
            payload={
                "declaration": row.id,
                "mrn": row.mrn,
                "code": finding.code.value,
                "difference": f"{difference:.2f}",
                "assessment": assessment_id,
            },
        )
        label(
            uow,
            row,
            finding=finding.code != FindingCode.NO_DISCREPANCY,
            codes=[finding.code.value],
            revenue=difference,
            at=now,
            source="audit",
        )
        out = {
            "finding": f.id,
            "mrn": row.mrn,
            "previous_total": f"{before:.2f}",
            "new_total": f"{after:.2f}",
            "difference": f"{difference:.2f}",
        }
        uow.commit()
    return out


def recover(
    ctx: Context, *, principal: Principal, finding_id: int, amount: Decimal, reference: str
) -> dict[str, Any]:
    """Record money recovered on an audit finding (never more than the difference)."""
    principal.require(Action.POST_CLEARANCE_AUDIT)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        f = uow.session.get(AuditFindingRow, finding_id, with_for_update=True)
        if f is None:
            raise e.AuditNotFound(f"no audit finding {finding_id}")
        outstanding = Decimal(f.difference) - Decimal(f.recovered)
        if amount <= 0 or amount > outstanding:
            raise BadFinding(
                f"recovery must be between 0 and the outstanding {outstanding:.2f}",
                [Problem("audit.recovery", "/amount", "out of range")],
            )
        f.recovered = Decimal(f.recovered) + amount
        # The difference is in the currency of the reassessment that found it (the tariff's).
        currency = uow.session.scalar(
            select(AssessmentRow.currency).where(AssessmentRow.id == f.assessment_id)
        )
        if currency is None:
            raise e.AuditNotFound(f"audit finding {finding_id} has no assessment")
        uow.session.add(
            PaymentRow(
                declaration_id=f.declaration_id,
                amount=amount,
                currency=currency,
                method="recovery",
                account_id=None,
                reference=reference,
                at=timestamp(now),
                by=principal.actor,
            )
        )
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="audit.recovered",
            subject_type=AUDIT,
            subject_id=str(f.audit_id),
            payload={
                "finding": f.id,
                "amount": f"{amount:.2f}",
                "currency": currency,
                "reference": reference,
            },
        )
        out = {
            "finding": f.id,
            "currency": currency,
            "recovered": f"{f.recovered:.2f}",
            "outstanding": f"{Decimal(f.difference) - Decimal(f.recovered):.2f}",
        }
        uow.commit()
    return out


def close_audit(ctx: Context, *, principal: Principal, audit_id: int) -> dict[str, Any]:
    principal.require(Action.POST_CLEARANCE_AUDIT)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        audit = uow.session.get(AuditCaseRow, audit_id, with_for_update=True)
        if audit is None:
            raise e.AuditNotFound(f"no audit {audit_id}")
        if audit.state != "open":
            raise e.AuditClosed(f"audit {audit_id} is closed")
        totals = uow.session.execute(
            select(
                func.coalesce(func.sum(AuditFindingRow.difference), 0),
                func.coalesce(func.sum(AuditFindingRow.recovered), 0),
            ).where(AuditFindingRow.audit_id == audit.id)
        ).one()
        audit.state, audit.closed_at = "closed", timestamp(now)
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="audit.closed",
            subject_type=AUDIT,
            subject_id=str(audit.id),
            payload={
                "assessed": f"{Decimal(totals[0]):.2f}",
                "recovered": f"{Decimal(totals[1]):.2f}",
            },
        )
        uow.commit()
    return {
        "audit": audit_id,
        "assessed": f"{Decimal(totals[0]):.2f}",
        "recovered": f"{Decimal(totals[1]):.2f}",
    }
