"""Enforcement use cases: seize goods, hand them over, run a case to a penalty, settlement or
appeal, find linked declarations, export seizures (nCEN). Waiving a penalty and closing a case
are made only through an approved :func:`customhouse.services.controls.request_approval`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from customhouse.access.models import Action, Principal
from customhouse.controls.errors import FourEyes
from customhouse.controls.tables import ApprovalRow, ControlFindingRow
from customhouse.declarations import repository as drepo
from customhouse.declarations.lifecycle import State
from customhouse.declarations.tables import DeclarationRow
from customhouse.enforcement import errors as e
from customhouse.enforcement.links import link_graph, linked
from customhouse.enforcement.models import (
    DEFAULT_SCHEDULE,
    PenaltySchedule,
    check_case_move,
    compute_penalty,
    ncen_record,
)
from customhouse.enforcement.tables import (
    CaseDeclarationRow,
    CaseRow,
    CustodyEventRow,
    PenaltyRow,
    SeizureRow,
)
from customhouse.identifiers import mrn as mrn_id
from customhouse.ledger.models import timestamp
from customhouse.services.context import Context
from customhouse.services.declarations import transition
from customhouse.storage.uow import UnitOfWork

CASE = "case"


def _case(uow: UnitOfWork, case_id: int) -> CaseRow:
    case = uow.session.get(CaseRow, case_id, with_for_update=True)
    if case is None:
        raise e.CaseNotFound(f"no case {case_id}", {"case": case_id})
    return case


def _move(
    uow: UnitOfWork, case: CaseRow, target: str, at: dt.datetime, actor: str, **info: Any
) -> None:
    check_case_move(case.state, target)
    previous, case.state = case.state, target
    if target == "closed":
        case.closed_at = timestamp(at)
    uow.ledger.append(
        at=at,
        actor=actor,
        kind=f"case.{target}",
        subject_type=CASE,
        subject_id=str(case.id),
        payload={"from": previous, "number": case.number, **info},
    )


def seize(
    ctx: Context,
    *,
    principal: Principal,
    mrn: str,
    offence: str,
    goods: Sequence[dict[str, Any]],
    custodian: str,
    location: str,
    detection: str = "physical_examination",
    legal_provision: str = "",
) -> dict[str, Any]:
    """Seize goods of a declaration under control or held, and open the offence case."""
    principal.require(Action.SEIZE)
    now = ctx.clock.now()
    stamp = timestamp(now)
    with ctx.uow() as uow:
        uow.lock()
        session = uow.session
        row = drepo.get_by_mrn(session, mrn_id.compact(mrn), for_update=True)
        evaded = session.scalar(
            select(func.coalesce(func.sum(ControlFindingRow.additional_due), 0)).where(
                ControlFindingRow.declaration_id == row.id
            )
        )
        number = (session.scalar(select(func.count()).select_from(CaseRow)) or 0) + 1
        case = CaseRow(
            number=f"CASE-{now.year}-{number:06d}",
            state="open",
            offence=offence,
            legal_provision=legal_provision,
            parties=[
                x for x in (row.declarant_eori, row.importer_eori, row.representative_eori) if x
            ],
            goods="; ".join(str(g.get("description", "")) for g in goods),
            evidence=[],
            duty_evaded=Decimal(evaded or 0),
            currency="USD",
            opened_by=principal.username,
            opened_at=stamp,
            closed_at=None,
        )
        session.add(case)
        session.flush()
        session.add(CaseDeclarationRow(case_id=case.id, declaration_id=row.id))
        seizure = SeizureRow(
            number=f"SZ-{now.year}-{case.id:06d}",
            declaration_id=row.id,
            case_id=case.id,
            office=row.office,
            offence=offence,
            goods=list(goods),
            detection=detection,
            custodian=custodian,
            location=location,
            seized_by=principal.username,
            seized_at=stamp,
        )
        session.add(seizure)
        session.flush()
        session.add(
            CustodyEventRow(
                seizure_id=seizure.id,
                seq=1,
                from_custodian=f"declarant {row.declarant_eori}",
                to_custodian=custodian,
                location=location,
                seal="",
                at=stamp,
                recorded_by=principal.username,
            )
        )
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="case.opened",
            subject_type=CASE,
            subject_id=str(case.id),
            payload={"number": case.number, "offence": offence, "declaration": row.id},
        )
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="seizure.made",
            subject_type="seizure",
            subject_id=str(seizure.id),
            payload={"number": seizure.number, "custodian": custodian, "location": location},
        )
        transition(
            uow,
            row,
            State.SEIZED,
            at=now,
            actor=principal.actor,
            payload={"seizure": seizure.number, "case": case.number},
        )
        out = {"seizure": seizure.id, "seizure_number": seizure.number, "case": case.id}
        uow.commit()
    return out


def hand_over(
    ctx: Context,
    *,
    principal: Principal,
    seizure_id: int,
    from_custodian: str,
    to_custodian: str,
    location: str,
    seal: str = "",
) -> int:
    """Record a hand-over; it must start from the current custodian (an unbroken chain)."""
    principal.require(Action.SEIZE)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        s = uow.session.get(SeizureRow, seizure_id, with_for_update=True)
        if s is None:
            raise e.SeizureNotFound(f"no seizure {seizure_id}")
        if s.custodian != from_custodian:
            raise e.CustodyBroken(
                f"the goods are with {s.custodian}, not {from_custodian}",
                {"custodian": s.custodian},
            )
        seq = (
            uow.session.scalar(
                select(func.max(CustodyEventRow.seq)).where(CustodyEventRow.seizure_id == s.id)
            )
            or 0
        ) + 1
        uow.session.add(
            CustodyEventRow(
                seizure_id=s.id,
                seq=seq,
                from_custodian=from_custodian,
                to_custodian=to_custodian,
                location=location,
                seal=seal,
                at=timestamp(now),
                recorded_by=principal.username,
            )
        )
        s.custodian, s.location = to_custodian, location
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="seizure.handed_over",
            subject_type="seizure",
            subject_id=str(s.id),
            payload={"seq": seq, "from": from_custodian, "to": to_custodian, "seal": seal},
        )
        uow.commit()
    return seq


def custody_chain(ctx: Context, *, principal: Principal, seizure_id: int) -> list[dict[str, Any]]:
    principal.require(Action.READ_ENFORCEMENT)
    with ctx.sessions() as session:
        return [
            {
                "seq": c.seq,
                "from": c.from_custodian,
                "to": c.to_custodian,
                "location": c.location,
                "seal": c.seal,
                "at": c.at,
                "by": c.recorded_by,
            }
            for c in session.scalars(
                select(CustodyEventRow)
                .where(CustodyEventRow.seizure_id == seizure_id)
                .order_by(CustodyEventRow.seq)
            )
        ]


def move_case(
    ctx: Context, *, principal: Principal, case_id: int, target: str, note: str = ""
) -> str:
    """Investigation, settlement, appeal ... (closing needs an approved ``close_case``)."""
    principal.require(Action.MANAGE_CASE)
    if target == "closed":
        raise FourEyes("closing a case needs a supervisor's approval: request 'close_case'")
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        case = _case(uow, case_id)
        _move(uow, case, target, now, principal.actor, note=note)
        state = case.state
        uow.commit()
    return state


def impose_penalty(
    ctx: Context,
    *,
    principal: Principal,
    case_id: int,
    factors: Sequence[str] = (),
    schedule: PenaltySchedule = DEFAULT_SCHEDULE,
) -> dict[str, Any]:
    """A penalty from the schedule on the duty evaded; the case moves to ``penalty``."""
    principal.require(Action.MANAGE_CASE)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        case = _case(uow, case_id)
        penalty = compute_penalty(Decimal(case.duty_evaded), schedule, factors)
        _move(uow, case, "penalty", now, principal.actor, amount=f"{penalty.amount:.2f}")
        row = PenaltyRow(
            case_id=case.id,
            amount=penalty.amount,
            currency=case.currency,
            status="imposed",
            explanation=list(penalty.explanation),
            imposed_by=principal.username,
            imposed_at=timestamp(now),
        )
        uow.session.add(row)
        uow.session.flush()
        out = {
            "penalty": row.id,
            "amount": f"{penalty.amount:.2f}",
            "explanation": list(penalty.explanation),
        }
        uow.commit()
    return out


def execute_waiver(
    ctx: Context, uow: UnitOfWork, a: ApprovalRow, now: dt.datetime, actor: str
) -> dict[str, Any]:
    """Run by an approved ``waive_penalty`` (subject: the case id)."""
    case = _case(uow, int(a.subject_id))
    waived = 0
    for p in uow.session.scalars(
        select(PenaltyRow).where(PenaltyRow.case_id == case.id, PenaltyRow.status == "imposed")
    ):
        p.status = "waived"
        waived += 1
    uow.ledger.append(
        at=now,
        actor=actor,
        kind="penalty.waived",
        subject_type=CASE,
        subject_id=str(case.id),
        payload={"reason": a.reason, "asked_by": a.requested_by, "penalties": waived},
    )
    return {"case": case.id, "waived": waived}


def execute_close(
    ctx: Context, uow: UnitOfWork, a: ApprovalRow, now: dt.datetime, actor: str
) -> dict[str, Any]:
    """Run by an approved ``close_case`` (subject: the case id)."""
    case = _case(uow, int(a.subject_id))
    _move(uow, case, "closed", now, actor, reason=a.reason, asked_by=a.requested_by)
    return {"case": case.id, "state": case.state}


def case_view(ctx: Context, *, principal: Principal, case_id: int) -> dict[str, Any]:
    principal.require(Action.READ_ENFORCEMENT)
    with ctx.uow() as uow:
        case = _case(uow, case_id)
        decls = list(
            uow.session.scalars(
                select(CaseDeclarationRow.declaration_id).where(
                    CaseDeclarationRow.case_id == case.id
                )
            )
        )
        penalties = [
            {"id": p.id, "amount": f"{p.amount:.2f}", "status": p.status, "why": p.explanation}
            for p in uow.session.scalars(select(PenaltyRow).where(PenaltyRow.case_id == case.id))
        ]
        return {
            "id": case.id,
            "number": case.number,
            "state": case.state,
            "offence": case.offence,
            "legal_provision": case.legal_provision,
            "parties": case.parties,
            "goods": case.goods,
            "duty_evaded": f"{case.duty_evaded:.2f}",
            "declarations": decls,
            "penalties": penalties,
        }


def case_links(
    ctx: Context, *, principal: Principal, case_id: int, window: int = 5000
) -> list[dict[str, Any]]:
    """Declarations linked to a case's declarations (shared party, address, container,
    means of transport) among the most recent ``window`` declarations."""
    principal.require(Action.READ_ENFORCEMENT)
    with ctx.sessions() as session:
        own = set(
            session.scalars(
                select(CaseDeclarationRow.declaration_id).where(
                    CaseDeclarationRow.case_id == case_id
                )
            )
        )
        if not own:
            raise e.CaseNotFound(f"case {case_id} has no declarations")
        docs: dict[int, Any] = {}
        for did, doc in session.execute(
            select(DeclarationRow.id, DeclarationRow.document)
            .where(DeclarationRow.mrn.is_not(None))
            .order_by(DeclarationRow.id.desc())
            .limit(window)
        ):
            docs[did] = doc
        for did in own - set(docs):
            row = session.get(DeclarationRow, did)
            if row is not None:
                docs[did] = row.document
        cases: dict[int, list[int]] = {}
        for cid, did in session.execute(
            select(CaseDeclarationRow.case_id, CaseDeclarationRow.declaration_id)
        ):
            cases.setdefault(did, []).append(cid)
    g = link_graph(docs)
    out: dict[int, dict[str, Any]] = {}
    for did in sorted(own):
        for hit in linked(g, did):
            if hit["declaration"] in own:
                continue
            entry = out.setdefault(
                hit["declaration"],
                {
                    "declaration": hit["declaration"],
                    "via": set(),
                    "cases": [c for c in cases.get(hit["declaration"], []) if c != case_id],
                },
            )
            entry["via"].update(hit["via"])
    return [{**v, "via": sorted(v["via"])} for _, v in sorted(out.items())]


def export_seizures(
    ctx: Context, *, principal: Principal, since: dt.date | None = None
) -> list[dict[str, Any]]:
    """Seizures as nCEN-style records."""
    principal.require(Action.READ_ENFORCEMENT)
    q = select(SeizureRow, DeclarationRow).join(
        DeclarationRow, DeclarationRow.id == SeizureRow.declaration_id
    )
    if since:
        q = q.where(SeizureRow.seized_at >= since.isoformat())
    with ctx.sessions() as session:
        out = []
        for s, d in session.execute(q.order_by(SeizureRow.id)):
            record = ncen_record(
                {
                    "number": s.number,
                    "seized_at": s.seized_at,
                    "office": s.office,
                    "offence": s.offence,
                    "detection": s.detection,
                    "goods": s.goods,
                },
                {**d.document, "mrn": d.mrn},
            )
            out.append(record)
        return out
