"""Officers' work after the risk channel: control tasks, allocation, findings, release.

The ``controls`` pipeline step takes declarations the risk step moved to ``selected`` with a
channel: green and blue are released at once when their duties are paid or guaranteed (blue
flagged for audit after clearance); yellow gets a documentary check and red a physical (and,
where the profile asks, scanner) examination, each allocated at random to an eligible officer
with the day's committed seed. Findings close tasks, may re-assess, and the last closed task
tries release. Changes that need a second pair of eyes go through :func:`request_approval`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, defer

from customhouse.access.models import Action, Principal, Role
from customhouse.access.tables import UserRow
from customhouse.audit.tables import AuditFlagRow
from customhouse.controls import allocation as alloc
from customhouse.controls import errors as e
from customhouse.controls.evidence import MEDIA_TYPES, safe_filename, sniff
from customhouse.controls.models import (
    BLOCKING_FINDINGS,
    Channel,
    Finding,
    FindingCode,
    ReleaseCheck,
    TaskPlan,
    TaskStatus,
    check_finding,
    decide_release,
    plan_tasks,
)
from customhouse.controls.tables import (
    AllocationRow,
    AllocationSeedRow,
    ApprovalRow,
    ControlFindingRow,
    ControlResultRow,
    ControlTaskRow,
    DeclarationEvidenceRow,
    DutyRosterRow,
    EvidenceRow,
    GuaranteeAccountRow,
    GuaranteeSettlementRow,
    HoldRow,
    OfficerConflictRow,
    PaymentRow,
    ReleaseNoteRow,
)
from customhouse.controls.timing import release_times
from customhouse.declarations import repository as drepo
from customhouse.declarations.lifecycle import State
from customhouse.declarations.models import DeclarationDocument
from customhouse.declarations.tables import DeclarationRow
from customhouse.errors import Problem
from customhouse.identifiers import mrn as mrn_id
from customhouse.ledger.models import timestamp
from customhouse.ledger.tables import LedgerEventRow
from customhouse.risk.repository import RiskRepository
from customhouse.services import assessment as assess_svc
from customhouse.services.context import Context
from customhouse.services.declarations import SUBJECT, batch_states, transition
from customhouse.services.pipeline import Step, register
from customhouse.storage.base import Base
from customhouse.storage.bulk import bulk_insert, table_of
from customhouse.storage.uow import UnitOfWork
from customhouse.tariff import assessment_repository as arepo
from customhouse.tariff.assessment_tables import AssessmentRow

STEP = "controls"
TASK = "control_task"
CENT = Decimal("0.01")


def _day(at: dt.datetime) -> str:
    return at.date().isoformat()


def _minutes(start: str, end: dt.datetime) -> float:
    return round((end - dt.datetime.fromisoformat(start)).total_seconds() / 60, 3)


# --- what the risk step said ------------------------------------------------------------------


def risk_reasons(session: Session, ids: Sequence[int]) -> dict[int, list[str]]:
    """The reasons and instructions of each declaration's latest risk decision.

    Read from the risk step's ``risk_decisions`` table when it exists, otherwise from the payload
    of the ``declaration.selected`` ledger event.
    """
    out: dict[int, list[str]] = {}
    if not ids:
        return out
    table = Base.metadata.tables.get("risk_decisions")
    if table is not None:
        latest = (
            select(func.max(table.c.id))
            .where(table.c.declaration_id.in_(ids))
            .group_by(table.c.declaration_id)
        )
        for did, reasons, instructions in session.execute(
            select(table.c.declaration_id, table.c.reasons, table.c.instructions).where(
                table.c.id.in_(latest)
            )
        ):
            out[did] = [_reason(x) for x in [*(instructions or []), *(reasons or [])]]
    missing = [i for i in ids if i not in out]
    if missing:
        for subject, payload in session.execute(
            select(LedgerEventRow.subject_id, LedgerEventRow.payload)
            .where(
                LedgerEventRow.kind == "declaration.selected",
                LedgerEventRow.subject_type == SUBJECT,
                LedgerEventRow.subject_id.in_([str(i) for i in missing]),
            )
            .order_by(LedgerEventRow.seq)
        ):
            data = json.loads(payload)
            reasons = data.get("reasons") or []
            out[int(subject)] = [_reason(r) for r in reasons]
    return out


def _reason(x: Any) -> str:
    """A risk reason as an instruction line: stored as text or as {source, code, message}."""
    if isinstance(x, dict):
        code = x.get("code")
        return f"{code}: {x.get('message', '')}" if code else str(x.get("message", ""))
    return str(x)


# --- amounts ----------------------------------------------------------------------------------


@dataclass
class Dues:
    due: Decimal
    currency: str
    paid: Decimal
    requirements: list[dict[str, Any]]


def _dues(session: Session, ids: Sequence[int]) -> dict[int, Dues]:
    out: dict[int, Dues] = {}
    for did, total, currency, requirements in session.execute(
        select(
            AssessmentRow.declaration_id,
            AssessmentRow.total,
            AssessmentRow.currency,
            AssessmentRow.requirements,
        ).where(AssessmentRow.declaration_id.in_(ids), AssessmentRow.status == arepo.CURRENT)
    ):
        out[did] = Dues(Decimal(total), currency, Decimal(0), list(requirements or []))
    for did, paid in session.execute(
        select(PaymentRow.declaration_id, func.sum(PaymentRow.amount))
        .where(PaymentRow.declaration_id.in_(ids))
        .group_by(PaymentRow.declaration_id)
    ):
        if did in out:
            out[did].paid = Decimal(paid)
    return out


def _accounts(session: Session, eoris: Iterable[str | None]) -> dict[tuple[str, str], Any]:
    wanted = {x for x in eoris if x}
    if not wanted:
        return {}
    return {
        (a.holder_eori, a.currency): a
        for a in session.scalars(
            select(GuaranteeAccountRow).where(GuaranteeAccountRow.holder_eori.in_(wanted))
        )
    }


def _missing_permits(
    row: DeclarationRow, requirements: list[dict[str, Any]], on: dt.date
) -> list[str]:
    if not requirements:
        return []
    doc = row.document
    docs = list(doc.get("documents", []))
    for item in doc.get("items", []):
        docs.extend(item.get("documents", []))
    missing = []
    for r in requirements:
        if r.get("prohibited"):
            missing.append(f"{r.get('description', '')}: prohibited")
            continue
        code = r.get("document")
        if not code:
            continue
        valid = [
            d
            for d in docs
            if d.get("type") == code
            and (d.get("valid_to") is None or dt.date.fromisoformat(d["valid_to"]) >= on)
        ]
        if not valid:
            missing.append(str(code))
    return missing


# --- the pipeline step ------------------------------------------------------------------------


class _Batch:
    """What one writing unit of work needs to route, allocate and release a batch."""

    def __init__(self, uow: UnitOfWork, ctx: Context, at: dt.datetime) -> None:
        self.uow = uow
        self.session = uow.session
        self.at = at
        self.stamp = timestamp(at)
        self.day = _day(at)
        self._next_task: int | None = None
        self._seed: str | None = None
        self._roster: DutyRoster | None = None
        self._on_duty: dict[tuple[str, str], list[str]] = {}
        self._conflicts: dict[str, set[str]] | None = None
        self.tasks: list[dict[str, Any]] = []
        self.allocations: list[dict[str, Any]] = []

    def next_task_id(self) -> int:
        if self._next_task is None:
            self._next_task = (
                self.session.scalar(select(func.coalesce(func.max(ControlTaskRow.id), 0))) or 0
            ) + 1
        self._next_task += 1
        return self._next_task - 1

    def seed(self) -> str:
        if self._seed is None:
            self._seed = _ensure_seed(self.uow, self.day, self.at)
        return self._seed

    def on_duty(self, office: str, role: str) -> list[str]:
        key = (office, role)
        if key not in self._on_duty:
            if self._roster is None:
                self._roster = DutyRoster.read(self.session, self.day)
            self._on_duty[key] = self._roster.on_duty(office, role)
        return self._on_duty[key]

    def conflicts(self) -> dict[str, set[str]]:
        if self._conflicts is None:
            self._conflicts = defaultdict(set)
            for user, eori in self.session.execute(
                select(OfficerConflictRow.username, OfficerConflictRow.eori)
            ):
                self._conflicts[user].add(eori)
        return self._conflicts

    def add_tasks(self, row: DeclarationRow, channel: str, plans: Sequence[TaskPlan]) -> None:
        parties = [
            row.declarant_eori,
            row.representative_eori,
            row.importer_eori,
            row.exporter_eori,
        ]
        for plan in plans:
            task_id = self.next_task_id()
            pool = alloc.eligible(self.on_duty(row.office, plan.role), self.conflicts(), parties)
            officer = alloc.pick(self.seed(), task_id, pool) if pool else None
            self.tasks.append(
                {
                    "id": task_id,
                    "declaration_id": row.id,
                    "kind": plan.kind.value,
                    "role": plan.role,
                    "office": row.office,
                    "channel": channel,
                    "status": (TaskStatus.ALLOCATED if officer else TaskStatus.QUEUED).value,
                    "deadline": plan.deadline.isoformat(),
                    "instructions": list(plan.instructions),
                    "checklist": list(plan.checklist),
                    "checklist_results": None,
                    "assigned_to": officer,
                    "created_at": self.stamp,
                    "closed_at": None,
                    "closed_by": None,
                    "outcome": None,
                }
            )
            payload: dict[str, Any] = {
                "declaration": row.id,
                "mrn": row.mrn,
                "kind": plan.kind.value,
                "office": row.office,
                "deadline": plan.deadline.isoformat(),
            }
            self.uow.ledger.append(
                at=self.at,
                actor="system",
                kind="control_task.created",
                subject_type=TASK,
                subject_id=str(task_id),
                payload=payload,
            )
            if officer:
                self.allocations.append(
                    {
                        "task_id": task_id,
                        "day": self.day,
                        "method": "random",
                        "officer": officer,
                        "pool": pool,
                        "pool_digest": alloc.pool_digest(pool),
                        "at": self.stamp,
                        "by": "system",
                        "reason": "",
                    }
                )
                self.uow.ledger.append(
                    at=self.at,
                    actor="system",
                    kind="control_task.allocated",
                    subject_type=TASK,
                    subject_id=str(task_id),
                    payload={
                        "day": self.day,
                        "officer": officer,
                        "pool_digest": alloc.pool_digest(pool),
                        "method": "random",
                    },
                )

    def flush(self) -> None:
        if self.tasks:
            self.session.execute(insert(ControlTaskRow), self.tasks)
        if self.allocations:
            self.session.execute(insert(AllocationRow), self.allocations)
        self.tasks, self.allocations = [], []


@dataclass(frozen=True)
class DutyRoster:
    """Who is on duty on a day: the roster's entries for it, or (with none for the day) the
    active staff, so a fresh installation still allocates. Read once for a batch of tasks."""

    rostered: tuple[tuple[str, str, str], ...]  # username, office, role
    staff: tuple[tuple[str, str | None, frozenset[str]], ...]  # username, office, roles

    @classmethod
    def read(cls, session: Session, day: str) -> DutyRoster:
        rostered = tuple(
            (n, o, r)
            for n, o, r in session.execute(
                select(DutyRosterRow.username, DutyRosterRow.office, DutyRosterRow.role).where(
                    DutyRosterRow.day == day
                )
            )
        )
        staff: tuple[tuple[str, str | None, frozenset[str]], ...] = ()
        if not rostered:
            staff = tuple(
                (n, o, frozenset(roles.split(",")))
                for n, o, roles in session.execute(
                    select(UserRow.username, UserRow.office, UserRow.roles).where(UserRow.active)
                )
            )
        return cls(rostered, staff)

    def on_duty(self, office: str, role: str) -> list[str]:
        if self.rostered:  # a roster exists for the day: only those on it are on duty
            return sorted(n for n, o, r in self.rostered if o == office and r == role)
        staff = [(n, o) for n, o, roles in self.staff if role in roles]
        # Staff of the office; an office with none borrows every officer of that role (a small
        # administration with one pool), which the pool digest on the ledger records.
        return sorted(n for n, o in staff if o == office) or sorted(n for n, _ in staff)


def run(ctx: Context, declaration_ids: list[int]) -> None:
    """The ``controls`` step over declarations of the batch that are ``selected``."""
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        batch_states(uow)
        session = uow.session
        rows: list[DeclarationRow] = []
        for start in range(0, len(declaration_ids), 1000):
            chunk = declaration_ids[start : start + 1000]
            rows.extend(
                session.scalars(
                    select(DeclarationRow)
                    # The document is read only where a permit must be checked (rare).
                    .options(defer(DeclarationRow.document), defer(DeclarationRow.problems))
                    .where(
                        DeclarationRow.id.in_(chunk),
                        DeclarationRow.state == State.SELECTED.value,
                        DeclarationRow.channel.is_not(None),
                    )
                )
            )
        if not rows:
            return
        route(uow, ctx, rows, now)
        uow.commit()


def route(uow: UnitOfWork, ctx: Context, rows: Sequence[DeclarationRow], now: dt.datetime) -> None:
    """Tasks for yellow and red, release (or a payment hold) for green and blue."""
    session = uow.session
    ids = [r.id for r in rows]
    # Only the channels that make tasks read their risk reasons (they become instructions).
    reasons = risk_reasons(
        session, [r.id for r in rows if r.channel in (Channel.YELLOW, Channel.RED)]
    )
    dues = _dues(session, ids)
    accounts = _accounts(session, (r.declarant_eori for r in rows))
    batch = _Batch(uow, ctx, now)
    notes: list[dict[str, Any]] = []
    payments: list[dict[str, Any]] = []
    planned = [
        (row, str(row.channel), plan_tasks(str(row.channel), reasons.get(row.id, []), now.date()))
        for row in rows
    ]
    # Who is on duty, read before the batch changes anything: a read after a change would
    # first flush every pending change, once per office and role.
    for office, role in sorted({(row.office, p.role) for row, _, plans in planned for p in plans}):
        batch.on_duty(office, role)
    if any(plans for _, _, plans in planned):
        batch.conflicts()
        batch.seed()
    for row, channel, plans in planned:
        if plans:
            batch.add_tasks(row, channel, plans)
            transition(
                uow,
                row,
                State.UNDER_CONTROL,
                at=now,
                actor="system",
                payload={"channel": channel, "tasks": [p.kind.value for p in plans]},
            )
            continue
        _try_release(
            uow,
            row,
            dues.get(row.id),
            accounts,
            now,
            "system",
            notes,
            tasks_open=0,
            payments=payments,
        )
    batch.flush()
    if notes:
        session.execute(insert(ReleaseNoteRow), notes)
    # One executemany: as ORM objects each payment would be its own INSERT ... RETURNING.
    bulk_insert(session, table_of(PaymentRow), payments)


def _try_release(
    uow: UnitOfWork,
    row: DeclarationRow,
    dues: Dues | None,
    accounts: dict[tuple[str, str], Any],
    now: dt.datetime,
    actor: str,
    notes: list[dict[str, Any]] | None,
    *,
    tasks_open: int,
    blocking: int = 0,
    payments: list[dict[str, Any]] | None = None,
) -> bool:
    """Release if the decision allows, else hold with the reasons; True when released.

    ``notes`` and ``payments``, where given, collect the release note and guarantee drawing
    rows for the caller to insert with its batch (else they are added here)."""
    d = dues or Dues(Decimal(0), "XXX", Decimal(0), [])
    account = accounts.get((row.declarant_eori or "", d.currency))
    available = Decimal(account.balance) if account is not None else Decimal(0)
    decision = decide_release(
        ReleaseCheck(
            open_tasks=tasks_open,
            blocking_findings=blocking,
            due=d.due,
            paid=d.paid,
            guarantee_available=available,
            missing_permits=tuple(_missing_permits(row, d.requirements, now.date())),
        )
    )
    stamp = timestamp(now)
    session = uow.session
    if not decision.release:
        kind = "finding" if blocking else ("payment" if tasks_open == 0 else "tasks")
        session.add(
            HoldRow(
                declaration_id=row.id,
                kind=kind,
                reason="; ".join(decision.reasons),
                at=stamp,
                lifted_at=None,
            )
        )
        if row.state != State.HELD.value:
            transition(
                uow,
                row,
                State.HELD,
                at=now,
                actor=actor,
                payload={"reason": "; ".join(decision.reasons), "hold": kind},
            )
        return False
    drawn = decision.draw_from_guarantee
    if drawn and account is not None:
        account.balance = Decimal(account.balance) - drawn
        payment = {
            "declaration_id": row.id,
            "amount": drawn,
            "currency": d.currency,
            "method": "guarantee",
            "account_id": account.id,
            "reference": f"deferment {account.id}",
            "at": stamp,
            "by": actor,
        }
        if payments is None:
            session.add(PaymentRow(**payment))
        else:
            payments.append(payment)
    pca = row.channel == Channel.BLUE
    note = {
        "declaration_id": row.id,
        "number": f"RN{row.mrn}",
        "mrn": row.mrn or "",
        "channel": row.channel or "",
        "office": row.office,
        "lodged_at": row.lodged_at,
        "released_at": stamp,
        "minutes": _minutes(row.lodged_at, now),
        "released_by": actor,
        "due": d.due,
        "paid": d.paid,
        "drawn": drawn,
        "currency": d.currency[:3],
        "post_clearance_audit": pca,
    }
    if notes is None:
        session.execute(insert(ReleaseNoteRow), [note])
    else:
        notes.append(note)
    if pca:
        session.add(
            AuditFlagRow(
                declaration_id=row.id,
                trader_eori=row.importer_eori or row.declarant_eori,
                reason=["blue channel: released for audit after clearance"],
                flagged_at=stamp,
            )
        )
    if row.state == State.HELD.value:
        for held in session.scalars(
            select(HoldRow).where(HoldRow.declaration_id == row.id, HoldRow.lifted_at.is_(None))
        ):
            held.lifted_at = stamp
    transition(
        uow,
        row,
        State.RELEASED,
        at=now,
        actor=actor,
        payload={
            "release_note": note["number"],
            "due": f"{d.due:.2f}",
            "drawn": f"{drawn:.2f}",
            "post_clearance_audit": pca,
        },
    )
    return True


register(Step(STEP, run))


# --- allocation seeds -------------------------------------------------------------------------


def _ensure_seed(uow: UnitOfWork, day: str, at: dt.datetime) -> str:
    row = uow.session.get(AllocationSeedRow, day)
    if row is not None:
        return row.seed
    # No commitment was published before the day: one is made now, before the first allocation,
    # and the ledger shows when.
    return _commit(uow, day, at, "system").seed


def _commit(uow: UnitOfWork, day: str, at: dt.datetime, actor: str) -> AllocationSeedRow:
    seed = alloc.new_seed()
    row = AllocationSeedRow(
        day=day,
        commitment=alloc.commitment(seed),
        seed=seed,
        committed_at=timestamp(at),
        revealed_at=None,
    )
    uow.session.add(row)
    uow.ledger.append(
        at=at,
        actor=actor,
        kind="allocation.committed",
        subject_type="allocation_day",
        subject_id=day,
        payload={"commitment": row.commitment},
    )
    return row


def commit_seed(ctx: Context, *, principal: Principal, day: dt.date) -> dict[str, Any]:
    """Draw and commit the seed of a coming day; only its SHA-256 is published."""
    principal.require(Action.MANAGE_ROSTER)
    now = ctx.clock.now()
    if day < now.date():
        raise e.SeedAlreadyCommitted(f"{day} is past: a seed is committed before its day")
    with ctx.uow() as uow:
        uow.lock()
        if uow.session.get(AllocationSeedRow, day.isoformat()) is not None:
            raise e.SeedAlreadyCommitted(f"the seed of {day} is already committed")
        row = _commit(uow, day.isoformat(), now, principal.actor)
        out = {"day": row.day, "commitment": row.commitment, "committed_at": row.committed_at}
        uow.commit()
    return out


def reveal_seed(ctx: Context, *, principal: Principal, day: dt.date) -> dict[str, Any]:
    """Publish a day's seed once the day is over."""
    principal.require(Action.MANAGE_ROSTER)
    now = ctx.clock.now()
    if day >= now.date():
        raise e.SeedNotRevealable(f"the seed of {day} is revealed only after the day")
    with ctx.uow() as uow:
        uow.lock()
        row = uow.session.get(AllocationSeedRow, day.isoformat())
        if row is None:
            raise e.SeedMissing(f"no seed was committed for {day}")
        if row.revealed_at is None:
            row.revealed_at = timestamp(now)
            uow.ledger.append(
                at=now,
                actor=principal.actor,
                kind="allocation.revealed",
                subject_type="allocation_day",
                subject_id=row.day,
                payload={"seed": row.seed, "commitment": row.commitment},
            )
        out = {"day": row.day, "seed": row.seed, "commitment": row.commitment}
        uow.commit()
    return out


def verify_allocations(ctx: Context, *, principal: Principal, day: dt.date) -> dict[str, Any]:
    """Re-derive every random allocation of a revealed day; list each that differs.

    Checked: the revealed seed against the commitment published on the ledger, each stored
    officer against SHA-256(seed, task) over its pool, the pool against the digest on the
    ledger, and the stored allocation against its ledger event.
    """
    principal.require(Action.VERIFY_ALLOCATION)
    key = day.isoformat()
    with ctx.sessions() as session:
        seed_row = session.get(AllocationSeedRow, key)
        if seed_row is None:
            raise e.SeedMissing(f"no seed was committed for {day}")
        if seed_row.revealed_at is None:
            raise e.SeedNotRevealable(f"the seed of {day} is not revealed yet")
        published = {
            json.loads(p)["commitment"]
            for p in session.scalars(
                select(LedgerEventRow.payload).where(
                    LedgerEventRow.kind == "allocation.committed",
                    LedgerEventRow.subject_id == key,
                )
            )
        }
        seed = seed_row.seed
        commitment_ok = published == {alloc.commitment(seed)}
        events: dict[int, dict[str, Any]] = {}
        for subject, payload in session.execute(
            select(LedgerEventRow.subject_id, LedgerEventRow.payload)
            .where(LedgerEventRow.kind == "control_task.allocated")
            .order_by(LedgerEventRow.seq)
        ):
            data = json.loads(payload)
            if data.get("day") == key and data.get("method") == "random":
                events[int(subject)] = data
        mismatches: list[dict[str, Any]] = []
        count = 0
        seen: set[int] = set()
        for a in session.scalars(
            select(AllocationRow)
            .where(AllocationRow.day == key, AllocationRow.method == "random")
            .order_by(AllocationRow.id)
        ):
            count += 1
            seen.add(a.task_id)
            expected = alloc.pick(seed, a.task_id, a.pool) if a.pool else None
            event = events.get(a.task_id, {})
            problems = []
            if expected != a.officer:
                problems.append(f"stored {a.officer}, the seed gives {expected}")
            if alloc.pool_digest(a.pool) != a.pool_digest or a.pool_digest != event.get(
                "pool_digest"
            ):
                problems.append("the eligible pool differs from the one on the ledger")
            if event.get("officer") != a.officer:
                problems.append(f"the ledger says {event.get('officer')}")
            if problems:
                mismatches.append({"task": a.task_id, "officer": a.officer, "problems": problems})
        mismatches.extend(
            {"task": t, "officer": ev.get("officer"), "problems": ["allocation row missing"]}
            for t, ev in events.items()
            if t not in seen
        )
    return {
        "day": key,
        "commitment": seed_row.commitment,
        "commitment_ok": commitment_ok,
        "allocations": count,
        "mismatches": mismatches,
        "ok": commitment_ok and not mismatches,
    }


# --- roster, conflicts, reassignment ----------------------------------------------------------


def set_roster(
    ctx: Context,
    *,
    principal: Principal,
    day: dt.date,
    office: str,
    entries: Sequence[tuple[str, str]],
) -> int:
    """Put (username, role) pairs on duty at an office for a day."""
    principal.require(Action.MANAGE_ROSTER)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        for username, role in entries:
            if role not in {r.value for r in Role}:
                raise e.ReasonRequired(
                    f"unknown role {role}", [Problem("controls.role", "/role", role)]
                )
            uow.session.add(
                DutyRosterRow(day=day.isoformat(), office=office, username=username, role=role)
            )
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="roster.set",
            subject_type="office",
            subject_id=office,
            payload={"day": day.isoformat(), "entries": [list(x) for x in entries]},
        )
        uow.commit()
    return len(entries)


def declare_conflict(
    ctx: Context, *, principal: Principal, username: str, eori: str, reason: str
) -> None:
    """An officer's link to an operator; that officer is never allocated its declarations."""
    if principal.username != username:
        principal.require(Action.MANAGE_ROSTER)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        uow.session.add(
            OfficerConflictRow(
                username=username, eori=eori, reason=reason, declared_at=timestamp(now)
            )
        )
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="officer.conflict_declared",
            subject_type="user",
            subject_id=username,
            payload={"eori": eori, "reason": reason},
        )
        uow.commit()


def _task(session: Session, task_id: int) -> ControlTaskRow:
    task = session.get(ControlTaskRow, task_id, with_for_update=True)
    if task is None:
        raise e.TaskNotFound(f"no control task {task_id}", {"task": task_id})
    return task


def reassign(
    ctx: Context, *, principal: Principal, task_id: int, officer: str, reason: str
) -> dict[str, Any]:
    """A supervisor moves a task to another officer, with a reason (never to themselves)."""
    principal.require(Action.REASSIGN_TASK)
    if not reason.strip():
        raise e.ReasonRequired(
            "a reassignment needs a reason", [Problem("controls.reason", "/reason", "required")]
        )
    if officer == principal.username:
        raise e.FourEyes("a supervisor may not assign a control task to themselves")
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        task = _task(uow.session, task_id)
        if task.status == TaskStatus.CLOSED:
            raise e.TaskClosed(f"control task {task_id} is closed")
        row = uow.session.get(DeclarationRow, task.declaration_id)
        assert row is not None
        conflicts: dict[str, set[str]] = defaultdict(set)
        for user, eori in uow.session.execute(
            select(OfficerConflictRow.username, OfficerConflictRow.eori).where(
                OfficerConflictRow.username == officer
            )
        ):
            conflicts[user].add(eori)
        parties = [row.declarant_eori, row.representative_eori, row.importer_eori]
        if not alloc.eligible([officer], conflicts, parties):
            raise e.NoEligibleOfficer(f"{officer} has a declared conflict with a party")
        previous = task.assigned_to
        task.assigned_to = officer
        task.status = TaskStatus.ALLOCATED.value
        uow.session.add(
            AllocationRow(
                task_id=task.id,
                day=_day(now),
                method="reassigned",
                officer=officer,
                pool=[officer],
                pool_digest=alloc.pool_digest([officer]),
                at=timestamp(now),
                by=principal.actor,
                reason=reason,
            )
        )
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="control_task.reassigned",
            subject_type=TASK,
            subject_id=str(task.id),
            payload={"from": previous, "to": officer, "reason": reason, "method": "reassigned"},
        )
        uow.commit()
    return {"task": task_id, "officer": officer, "previous": previous}


def allocate_queued(ctx: Context, *, principal: Principal, office: str | None = None) -> int:
    """Allocate tasks that found no officer on duty when they were made."""
    principal.require(Action.MANAGE_ROSTER)
    now = ctx.clock.now()
    done = 0
    with ctx.uow() as uow:
        uow.lock()
        batch = _Batch(uow, ctx, now)
        q = select(ControlTaskRow).where(ControlTaskRow.status == TaskStatus.QUEUED.value)
        if office:
            q = q.where(ControlTaskRow.office == office)
        for task in uow.session.scalars(q):
            row = uow.session.get(DeclarationRow, task.declaration_id)
            assert row is not None
            parties = [row.declarant_eori, row.representative_eori, row.importer_eori]
            pool = alloc.eligible(batch.on_duty(task.office, task.role), batch.conflicts(), parties)
            if not pool:
                continue
            officer = alloc.pick(batch.seed(), task.id, pool)
            task.assigned_to = officer
            task.status = TaskStatus.ALLOCATED.value
            batch.allocations.append(
                {
                    "task_id": task.id,
                    "day": batch.day,
                    "method": "random",
                    "officer": officer,
                    "pool": pool,
                    "pool_digest": alloc.pool_digest(pool),
                    "at": batch.stamp,
                    "by": "system",
                    "reason": "",
                }
            )
            uow.ledger.append(
                at=now,
                actor="system",
                kind="control_task.allocated",
                subject_type=TASK,
                subject_id=str(task.id),
                payload={
                    "day": batch.day,
                    "officer": officer,
                    "pool_digest": alloc.pool_digest(pool),
                    "method": "random",
                },
            )
            done += 1
        batch.flush()
        uow.commit()
    return done


# --- evidence ---------------------------------------------------------------------------------


def _keep(
    uow: UnitOfWork,
    principal: Principal,
    content: bytes,
    filename: str,
    media_type: str,
    now: dt.datetime,
) -> str:
    """Store ``content`` under its SHA-256 once (a second upload of it changes nothing)."""
    digest = hashlib.sha256(content).hexdigest()
    if uow.session.get(EvidenceRow, digest) is None:
        uow.session.add(
            EvidenceRow(
                sha256=digest,
                filename=filename,
                media_type=media_type,
                size=len(content),
                content=content,
                stored_at=timestamp(now),
                stored_by=principal.username,
            )
        )
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="evidence.stored",
            subject_type="evidence",
            subject_id=digest,
            payload={"filename": filename, "media_type": media_type, "size": len(content)},
        )
        uow.session.flush()
    return digest


def store_evidence(
    ctx: Context,
    *,
    principal: Principal,
    content: bytes,
    filename: str,
    media_type: str | None = None,
) -> str:
    """Keep a scan image, photo or lab report under its SHA-256 (stored once, never altered).

    Its type is judged from the bytes, as for :func:`attach_evidence`; a ``media_type`` the
    client claims must agree with them (a PNG sent as a PDF is refused, not stored as one)."""
    principal.require(Action.WORK_CONTROL_TASK)
    name, judged = checked_upload(ctx, content, filename)
    claimed = (media_type or "").split(";", 1)[0].strip().lower()
    if claimed and claimed != judged:
        raise e.BadEvidence(
            f"the file's bytes are {judged}, not the {claimed} it was sent as",
            [Problem("evidence.type_mismatch", "/media_type", f"{claimed} != {judged}")],
        )
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        digest = _keep(uow, principal, content, name, judged, now)
        uow.commit()
    return digest


def checked_upload(ctx: Context, content: bytes, filename: str) -> tuple[str, str]:
    """(safe file name, media type judged from the bytes) of an upload, or why it is refused."""
    limit = ctx.settings.max_evidence_bytes
    if len(content) > limit:
        raise e.EvidenceTooLarge(
            f"the file is larger than the limit of {limit} bytes",
            {"max_bytes": limit, "size": len(content)},
        )
    if not content:
        raise e.BadEvidence("the file is empty", [Problem("evidence.empty", "/file", "empty")])
    media_type = sniff(content)
    if media_type is None:
        raise e.BadEvidence(
            "the file is not a PDF, an image (JPEG, PNG, TIFF, GIF, WebP) or a text report",
            [Problem("evidence.type", "/file", ", ".join(MEDIA_TYPES))],
        )
    name = safe_filename(filename) or f"evidence.{media_type.rsplit('/', 1)[1]}"
    return name, media_type


def attach(
    uow: UnitOfWork,
    principal: Principal,
    row: DeclarationRow,
    *,
    content: bytes,
    filename: str,
    media_type: str,
    source: str,
    note: str,
    now: dt.datetime,
) -> str:
    """Store the content (once) and attach it to the declaration, each on the ledger."""
    digest = _keep(uow, principal, content, filename, media_type, now)
    already = uow.session.scalar(
        select(DeclarationEvidenceRow.id).where(
            DeclarationEvidenceRow.declaration_id == row.id,
            DeclarationEvidenceRow.sha256 == digest,
        )
    )
    if already is None:
        uow.session.add(
            DeclarationEvidenceRow(
                declaration_id=row.id,
                sha256=digest,
                source=source,
                note=note,
                attached_by=principal.username,
                attached_at=timestamp(now),
            )
        )
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="evidence.attached",
            subject_type=SUBJECT,
            subject_id=str(row.id),
            payload={"sha256": digest, "filename": filename, "source": source, "note": note},
        )
    return digest


def attach_evidence(
    ctx: Context,
    *,
    principal: Principal,
    mrn: str,
    content: bytes,
    filename: str,
    note: str = "",
) -> dict[str, Any]:
    """An officer or inspector attaches a scan image, photo or lab report to a declaration.

    The type is judged from the bytes, not from what the browser says; the content is kept
    under its SHA-256 and never altered."""
    principal.require(Action.WORK_CONTROL_TASK)
    name, media_type = checked_upload(ctx, content, filename)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        row = _declaration(uow.session, mrn)
        digest = attach(
            uow,
            principal,
            row,
            content=content,
            filename=name,
            media_type=media_type,
            source="officer",
            note=note.strip()[:500],
            now=now,
        )
        uow.commit()
    return {"mrn": row.mrn, "sha256": digest, "filename": name, "media_type": media_type}


def list_evidence(
    ctx: Context, *, principal: Principal, declaration_id: int
) -> list[dict[str, Any]]:
    """Evidence attached to a declaration, oldest first, with its SHA-256 (customs staff)."""
    principal.require(Action.READ_CONTROLS)
    with ctx.sessions() as session:
        rows = session.execute(
            select(
                DeclarationEvidenceRow,
                EvidenceRow.filename,
                EvidenceRow.media_type,
                EvidenceRow.size,
            )
            .join(EvidenceRow, EvidenceRow.sha256 == DeclarationEvidenceRow.sha256)
            .where(DeclarationEvidenceRow.declaration_id == declaration_id)
            .order_by(DeclarationEvidenceRow.id)
        ).all()
    return [
        {
            "sha256": link.sha256,
            "filename": filename,
            "media_type": media_type,
            "size": size,
            "source": link.source,
            "note": link.note,
            "attached_by": link.attached_by,
            "attached_at": link.attached_at,
        }
        for link, filename, media_type, size in rows
    ]


def read_evidence(ctx: Context, *, principal: Principal, sha256: str) -> tuple[EvidenceRow, bytes]:
    """The evidence and its content, refused if the content no longer matches its digest.

    Staff who read controls read any evidence. A trader reads only a document it sent in
    answer to a query on its own declaration (an officer's scans and lab reports stay closed
    to it); anything else, found or not, is refused alike.
    """
    with ctx.sessions() as session:
        if not principal.may(Action.READ_CONTROLS) and not (
            principal.is_trader and _sent_by_trader(session, principal, sha256)
        ):
            principal.require(Action.READ_CONTROLS)
        row = session.get(EvidenceRow, sha256)
        if row is None:
            raise e.EvidenceNotFound(f"no evidence {sha256}")
        content = bytes(row.content)
        if hashlib.sha256(content).hexdigest() != sha256:
            raise e.EvidenceCorrupted(f"evidence {sha256} was altered", {"sha256": sha256})
        session.expunge(row)
        return row, content


def _sent_by_trader(session: Session, principal: Principal, sha256: str) -> bool:
    """Whether ``sha256`` answers a query on a declaration ``principal`` declares or represents."""
    if principal.eori is None:
        return False
    found = session.scalar(
        select(DeclarationEvidenceRow.id)
        .join(DeclarationRow, DeclarationRow.id == DeclarationEvidenceRow.declaration_id)
        .where(
            DeclarationEvidenceRow.sha256 == sha256,
            DeclarationEvidenceRow.source == "trader",
            drepo.owned_by(principal.eori),
        )
        .limit(1)
    )
    return found is not None


# --- findings and closing tasks ---------------------------------------------------------------


def corrected_document(
    doc: dict[str, Any], corrections: dict[int, dict[str, str]]
) -> dict[str, Any]:
    """The declaration as the officer found it: corrected fields per item sequence."""
    out: dict[str, Any] = json.loads(json.dumps(doc))
    for item in out.get("items", []):
        for name, value in corrections.get(int(item["sequence"]), {}).items():
            item[name] = value
    if corrections:
        out["total_invoice_amount"] = str(
            sum((Decimal(str(i["invoice_amount"])) for i in out.get("items", [])), Decimal(0))
        )
    return out


def reassess(
    ctx: Context, uow: UnitOfWork, row: DeclarationRow, document: dict[str, Any], at: dt.datetime
) -> tuple[int, Decimal, Decimal]:
    """Assess a corrected document and make it the current assessment (the earlier one is
    superseded, as an amendment's would be); (assessment id, previous total, new total)."""
    session = uow.session
    previous = session.scalar(
        select(AssessmentRow.total).where(
            AssessmentRow.declaration_id == row.id, AssessmentRow.status == arepo.CURRENT
        )
    )
    tariff = assess_svc.active_tariff(ctx)
    rates = assess_svc.rates_for(ctx, tariff.profile)
    doc = DeclarationDocument.model_validate(document)
    prepared = assess_svc.prepare(row.id, row.version, doc, tariff, rates)
    outcome = assess_svc.run_engine(prepared, tariff, rates, {})
    if outcome.problems:
        raise e.BadFinding(
            "the corrected declaration cannot be assessed: " + outcome.problems[0].message,
            outcome.problems,
        )
    stamp = timestamp(at)
    arepo.supersede(session, [row.id], stamp)
    new_id = arepo.next_id(session)
    stored, lines = assess_svc._row(new_id, outcome, tariff, stamp)
    arepo.insert_assessments(session, [stored], lines)
    return new_id, Decimal(previous or 0), Decimal(stored["total"])


def close_task(
    ctx: Context,
    *,
    principal: Principal,
    task_id: int,
    findings: Sequence[Finding],
    checklist: dict[str, bool] | None = None,
) -> dict[str, Any]:
    """Record what the allocated officer checked and found, close the task, and when it was
    the last one, label the control for risk and try release."""
    principal.require(Action.WORK_CONTROL_TASK)
    now = ctx.clock.now()
    stamp = timestamp(now)
    findings = list(findings) or [Finding(FindingCode.NO_DISCREPANCY)]
    with ctx.uow() as uow:
        uow.lock()
        session = uow.session
        task = _task(session, task_id)
        if task.status == TaskStatus.CLOSED:
            raise e.TaskClosed(f"control task {task_id} is closed")
        if task.assigned_to != principal.username:
            raise e.NotAssigned(
                f"control task {task_id} is allocated to {task.assigned_to or 'nobody yet'}",
                {"task": task_id},
            )
        row = session.get(DeclarationRow, task.declaration_id, with_for_update=True)
        assert row is not None
        numbers = [int(i["sequence"]) for i in row.document.get("items", [])]
        problems = [p for f in findings for p in check_finding(f, numbers)]
        for f in findings:
            for digest in f.evidence:
                if session.get(EvidenceRow, digest) is None:
                    problems.append(f"evidence {digest} is not stored")
        if problems:
            raise e.BadFinding(
                "the findings cannot be recorded",
                [Problem("controls.finding", "/findings", p) for p in problems],
            )
        corrections: dict[int, dict[str, str]] = {}
        for f in findings:
            for number, fields in f.corrections.items():
                corrections.setdefault(number, {}).update(fields)
        additional = Decimal(0)
        assessment_id = None
        if corrections:
            assessment_id, before, after = reassess(
                ctx, uow, row, corrected_document(row.document, corrections), now
            )
            additional = (after - before).quantize(CENT)
        for f in findings:
            session.add(
                ControlFindingRow(
                    task_id=task.id,
                    declaration_id=row.id,
                    code=f.code.value,
                    corrections={str(k): v for k, v in f.corrections.items()},
                    note=f.note,
                    evidence=list(f.evidence),
                    recorded_by=principal.username,
                    recorded_at=stamp,
                    additional_due=additional if f.corrections else Decimal(0),
                    assessment_id=assessment_id if f.corrections else None,
                )
            )
        codes = sorted({f.code.value for f in findings})
        discrepancy = any(f.code != FindingCode.NO_DISCREPANCY for f in findings)
        task.status = TaskStatus.CLOSED.value
        task.closed_at = stamp
        task.closed_by = principal.username
        task.outcome = "discrepancy" if discrepancy else "no_discrepancy"
        task.checklist_results = checklist or {}
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="control_task.closed",
            subject_type=TASK,
            subject_id=str(task.id),
            payload={
                "declaration": row.id,
                "mrn": row.mrn,
                "findings": codes,
                "additional_due": f"{additional:.2f}",
                "assessment": assessment_id,
                "evidence": sorted({d for f in findings for d in f.evidence}),
            },
        )
        session.flush()
        open_tasks = session.scalar(
            select(func.count())
            .select_from(ControlTaskRow)
            .where(
                ControlTaskRow.declaration_id == row.id,
                ControlTaskRow.status != TaskStatus.CLOSED.value,
            )
        )
        released = False
        if not open_tasks:
            all_codes = set(
                session.scalars(
                    select(ControlFindingRow.code).where(ControlFindingRow.declaration_id == row.id)
                )
            )
            extra = session.scalar(
                select(func.coalesce(func.sum(ControlFindingRow.additional_due), 0)).where(
                    ControlFindingRow.declaration_id == row.id
                )
            )
            label(
                uow,
                row,
                finding=bool(all_codes - {FindingCode.NO_DISCREPANCY.value}),
                codes=sorted(all_codes),
                revenue=Decimal(extra or 0),
                at=now,
                source="control",
                currency=dues.currency if (dues := _dues(session, [row.id]).get(row.id)) else None,
            )
            blocking = sum(1 for c in all_codes if c in {b.value for b in BLOCKING_FINDINGS})
            # Goods an officer holds stay held: their release needs a second pair of eyes.
            released = not (_holds(session, row.id) - {"payment"}) and _try_release(
                uow,
                row,
                _dues(session, [row.id]).get(row.id),
                _accounts(session, [row.declarant_eori]),
                now,
                principal.actor,
                None,
                tasks_open=0,
                blocking=blocking,
            )
        result = {
            "task": task.id,
            "declaration": row.id,
            "mrn": row.mrn,
            "findings": codes,
            "additional_due": f"{additional:.2f}",
            "assessment": assessment_id,
            "open_tasks": open_tasks,
            "released": released,
            "state": row.state,
        }
        uow.commit()
    return result


def label(
    uow: UnitOfWork,
    row: DeclarationRow,
    *,
    finding: bool,
    codes: list[str],
    revenue: Decimal,
    at: dt.datetime,
    source: str,
    currency: str | None = None,
) -> None:
    """The control's outcome for risk (``risk_labels`` and the profiles' hit counts) and our
    own ``control_results`` (per channel and office, with the finding codes)."""
    stamp = timestamp(at)
    uow.session.add(
        ControlResultRow(
            declaration_id=row.id,
            channel=row.channel or "",
            office=row.office,
            finding=finding,
            codes=codes,
            revenue=revenue,
            source=source,
            closed_at=stamp,
        )
    )
    # The risk model's label, which also counts toward the hit rate of the profiles that hit.
    RiskRepository(uow.session).record_label(
        row.id,
        finding=finding,
        at=at,
        revenue=revenue,
        currency=currency,
        declaration_version=row.version,
        source=source,
    )
    uow.ledger.append(
        at=at,
        actor="system",
        kind="control.labelled",
        subject_type=SUBJECT,
        subject_id=str(row.id),
        payload={"finding": finding, "codes": codes, "revenue": f"{revenue:.2f}", "source": source},
    )


# --- payments, guarantees, release ------------------------------------------------------------


def _declaration(session: Session, mrn: str) -> DeclarationRow:
    return drepo.get_by_mrn(session, mrn_id.compact(mrn), for_update=True)


def record_payment(
    ctx: Context, *, principal: Principal, mrn: str, amount: Decimal, reference: str
) -> dict[str, Any]:
    """A payment against a declaration's duties; goods held only for payment are released."""
    principal.require(Action.RECORD_PAYMENT)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        session = uow.session
        row = _declaration(session, mrn)
        dues = _dues(session, [row.id]).get(row.id)
        currency = dues.currency if dues else "XXX"
        session.add(
            PaymentRow(
                declaration_id=row.id,
                amount=amount,
                currency=currency,
                method="payment",
                account_id=None,
                reference=reference,
                at=timestamp(now),
                by=principal.actor,
            )
        )
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="payment.recorded",
            subject_type=SUBJECT,
            subject_id=str(row.id),
            payload={"mrn": row.mrn, "amount": f"{amount:.2f}", "reference": reference},
        )
        session.flush()
        released = False
        if row.state == State.HELD.value and _holds(session, row.id) <= {"payment"}:
            released = _try_release(
                uow,
                row,
                _dues(session, [row.id]).get(row.id),
                _accounts(session, [row.declarant_eori]),
                now,
                principal.actor,
                None,
                tasks_open=0,
            )
        out = {"mrn": row.mrn, "state": row.state, "released": released}
        uow.commit()
    return out


def _holds(session: Session, declaration_id: int) -> set[str]:
    return set(
        session.scalars(
            select(HoldRow.kind).where(
                HoldRow.declaration_id == declaration_id, HoldRow.lifted_at.is_(None)
            )
        )
    )


def hold(ctx: Context, *, principal: Principal, mrn: str, reason: str) -> dict[str, Any]:
    """An officer holds goods (documents awaited, suspicion); releasing them needs four eyes."""
    principal.require(Action.RELEASE)
    if not reason.strip():
        raise e.ReasonRequired("a hold needs a reason", [Problem("controls.reason", "/reason", "")])
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        row = _declaration(uow.session, mrn)
        uow.session.add(
            HoldRow(
                declaration_id=row.id,
                kind="officer",
                reason=reason,
                at=timestamp(now),
                lifted_at=None,
            )
        )
        transition(
            uow,
            row,
            State.HELD,
            at=now,
            actor=principal.actor,
            payload={"reason": reason, "hold": "officer"},
        )
        uow.commit()
    return {"mrn": mrn, "state": State.HELD.value}


def release(ctx: Context, *, principal: Principal, mrn: str) -> dict[str, Any]:
    """Release goods whose tasks are closed; held goods other than for payment need
    :func:`request_approval` (``release_held``)."""
    principal.require(Action.RELEASE)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        row = _declaration(uow.session, mrn)
        if row.state == State.HELD.value and _holds(uow.session, row.id) - {"payment"}:
            raise e.FourEyes(
                "releasing held goods needs a supervisor's approval: request 'release_held'"
            )
        out = _release_now(uow, row, now, principal.actor)
        uow.commit()
    return out


def _release_now(
    uow: UnitOfWork, row: DeclarationRow, now: dt.datetime, actor: str
) -> dict[str, Any]:
    session = uow.session
    open_tasks = session.scalar(
        select(func.count())
        .select_from(ControlTaskRow)
        .where(ControlTaskRow.declaration_id == row.id, ControlTaskRow.status != "closed")
    )
    blocking = session.scalar(
        select(func.count())
        .select_from(ControlFindingRow)
        .where(
            ControlFindingRow.declaration_id == row.id,
            ControlFindingRow.code.in_([b.value for b in BLOCKING_FINDINGS]),
        )
    )
    d = _dues(session, [row.id]).get(row.id)
    account = _accounts(session, [row.declarant_eori])
    if open_tasks or blocking:
        raise e.ReleaseRefused(
            "goods cannot be released yet",
            {"open_tasks": open_tasks, "blocking_findings": blocking},
        )
    released = _try_release(uow, row, d, account, now, actor, None, tasks_open=0)
    return {"mrn": row.mrn, "state": row.state, "released": released}


# --- four eyes --------------------------------------------------------------------------------

APPROVABLE = ("change_channel", "release_held", "waive_penalty", "close_case")
Executor = Callable[[Context, UnitOfWork, ApprovalRow, dt.datetime, str], dict[str, Any]]


def request_approval(
    ctx: Context,
    *,
    principal: Principal,
    action: str,
    subject_id: str,
    reason: str,
    params: dict[str, Any] | None = None,
) -> int:
    """Ask for a change that a second user with the supervisor role must approve."""
    principal.require(Action.REQUEST_APPROVAL)
    if action not in APPROVABLE:
        raise e.BadFinding(f"{action} is not an approvable change", [])
    if not reason.strip():
        raise e.ReasonRequired("a reason is required", [Problem("controls.reason", "/reason", "")])
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        a = ApprovalRow(
            action=action,
            subject_type="case" if action in ("waive_penalty", "close_case") else SUBJECT,
            subject_id=subject_id,
            params=params or {},
            reason=reason,
            requested_by=principal.username,
            requested_at=timestamp(now),
            status="pending",
            decided_by=None,
            decided_at=None,
        )
        uow.session.add(a)
        uow.session.flush()
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="approval.requested",
            subject_type="approval",
            subject_id=str(a.id),
            payload={"action": action, "subject": subject_id, "reason": reason, "params": a.params},
        )
        approval_id = a.id
        uow.commit()
    return approval_id


def decide_approval(
    ctx: Context, *, principal: Principal, approval_id: int, approve: bool, note: str = ""
) -> dict[str, Any]:
    """A supervisor other than the requester approves (and the change is made) or refuses."""
    principal.require(Action.APPROVE)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        a = uow.session.get(ApprovalRow, approval_id, with_for_update=True)
        if a is None:
            raise e.ApprovalNotFound(f"no approval {approval_id}")
        if a.status != "pending":
            raise e.ApprovalDecided(f"approval {approval_id} is already {a.status}")
        if a.requested_by == principal.username:
            raise e.FourEyes("the second approval must come from another user")
        a.status = "approved" if approve else "refused"
        a.decided_by = principal.username
        a.decided_at = timestamp(now)
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind=f"approval.{a.status}",
            subject_type="approval",
            subject_id=str(a.id),
            payload={"action": a.action, "subject": a.subject_id, "note": note},
        )
        result: dict[str, Any] = {"approval": a.id, "status": a.status}
        if approve:
            result["result"] = _executors()[a.action](ctx, uow, a, now, principal.actor)
        uow.commit()
    return result


def _executors() -> dict[str, Executor]:
    from customhouse.services import enforcement

    return {
        "change_channel": _change_channel,
        "release_held": _release_held,
        "waive_penalty": enforcement.execute_waiver,
        "close_case": enforcement.execute_close,
    }


def _release_held(
    ctx: Context, uow: UnitOfWork, a: ApprovalRow, now: dt.datetime, actor: str
) -> dict[str, Any]:
    row = _declaration(uow.session, a.subject_id)
    for h in uow.session.scalars(
        select(HoldRow).where(
            HoldRow.declaration_id == row.id,
            HoldRow.lifted_at.is_(None),
            HoldRow.kind != "payment",
        )
    ):
        h.lifted_at = timestamp(now)
    return _release_now(uow, row, now, f"{actor} (approved {a.requested_by})")


def _change_channel(
    ctx: Context, uow: UnitOfWork, a: ApprovalRow, now: dt.datetime, actor: str
) -> dict[str, Any]:
    session = uow.session
    row = _declaration(session, a.subject_id)
    channel = Channel(str(a.params.get("channel")))
    previous = row.channel
    if row.state not in (State.SELECTED.value, State.UNDER_CONTROL.value):
        raise e.ReleaseRefused(f"the channel of a {row.state} declaration cannot change")
    for t in session.scalars(
        select(ControlTaskRow).where(
            ControlTaskRow.declaration_id == row.id, ControlTaskRow.status != "closed"
        )
    ):
        t.status, t.outcome, t.closed_at = "closed", "cancelled", timestamp(now)
    row.channel = channel.value
    uow.ledger.append(
        at=now,
        actor=actor,
        kind="declaration.channel_changed",
        subject_type=SUBJECT,
        subject_id=str(row.id),
        payload={
            "from": previous,
            "to": channel.value,
            "reason": a.reason,
            "asked_by": a.requested_by,
        },
    )
    plans = plan_tasks(channel, [f"channel changed: {a.reason}"], now.date())
    if plans:
        batch = _Batch(uow, ctx, now)
        batch.add_tasks(row, channel.value, plans)
        batch.flush()
        if row.state == State.SELECTED.value:
            transition(
                uow,
                row,
                State.UNDER_CONTROL,
                at=now,
                actor=actor,
                payload={"channel": channel.value},
            )
        return {"mrn": row.mrn, "channel": channel.value, "tasks": [p.kind.value for p in plans]}
    session.flush()
    released = _try_release(
        uow,
        row,
        _dues(session, [row.id]).get(row.id),
        _accounts(session, [row.declarant_eori]),
        now,
        actor,
        None,
        tasks_open=0,
    )
    return {"mrn": row.mrn, "channel": channel.value, "released": released}


# --- reading ----------------------------------------------------------------------------------


def task_view(t: ControlTaskRow) -> dict[str, Any]:
    return {
        "id": t.id,
        "declaration_id": t.declaration_id,
        "kind": t.kind,
        "office": t.office,
        "channel": t.channel,
        "status": t.status,
        "deadline": t.deadline,
        "instructions": t.instructions,
        "checklist": t.checklist,
        "assigned_to": t.assigned_to,
        "outcome": t.outcome,
    }


def list_tasks(
    ctx: Context,
    *,
    principal: Principal,
    office: str | None = None,
    status: str | None = None,
    mine: bool = False,
    declaration_id: int | None = None,
    channel: str | None = None,
) -> list[dict[str, Any]]:
    """The queue: an office's tasks, or the caller's own; optionally of one channel."""
    principal.require(Action.READ_CONTROLS)
    q = select(ControlTaskRow).order_by(ControlTaskRow.id)
    if office:
        q = q.where(ControlTaskRow.office == office)
    if channel:
        q = q.where(ControlTaskRow.channel == channel)
    if status:
        q = q.where(ControlTaskRow.status == status)
    if mine:
        q = q.where(ControlTaskRow.assigned_to == principal.username)
    if declaration_id is not None:
        q = q.where(ControlTaskRow.declaration_id == declaration_id)
    with ctx.sessions() as session:
        return [task_view(t) for t in session.scalars(q.limit(1000))]


def release_note(ctx: Context, *, principal: Principal, mrn: str) -> dict[str, Any]:
    principal.require(Action.READ_DECLARATION)
    with ctx.sessions() as session:
        row = drepo.get_by_mrn(session, mrn_id.compact(mrn))
        if principal.is_trader and not principal.owns(row.declarant_eori, row.representative_eori):
            raise e.NotAssigned("not your declaration")
        note = session.get(ReleaseNoteRow, row.id)
        if note is None:
            raise e.TaskNotFound(f"{mrn} has no release note", {"mrn": mrn})
        return {
            "number": note.number,
            "mrn": note.mrn,
            "channel": note.channel,
            "office": note.office,
            "lodged_at": note.lodged_at,
            "released_at": note.released_at,
            "minutes": note.minutes,
            "due": f"{note.due:.2f}",
            "paid": f"{note.paid:.2f}",
            "drawn_from_guarantee": f"{note.drawn:.2f}",
            "currency": note.currency,
            "post_clearance_audit": note.post_clearance_audit,
        }


def release_time_report(
    ctx: Context,
    *,
    principal: Principal,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> dict[str, Any]:
    """Lodgement to release, median and 90th percentile per channel and office (WCO TRS)."""
    principal.require(Action.READ_CONTROLS)
    q = select(ReleaseNoteRow.channel, ReleaseNoteRow.office, ReleaseNoteRow.minutes)
    if since:
        q = q.where(ReleaseNoteRow.released_at >= since.isoformat())
    if until:
        q = q.where(ReleaseNoteRow.released_at < until.isoformat())
    with ctx.sessions() as session:
        rows = [(c, o, float(m)) for c, o, m in session.execute(q)]
    return release_times(rows)


# Money set against duties in the revenue report; only what was drawn on a guarantee is owed.
MONEY_IN = ("payment", "recovery", "settled", "drawn_on_guarantee")


def revenue_report(
    ctx: Context,
    *,
    principal: Principal,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> dict[str, Any]:
    """Duties and taxes assessed (current assessments of declarations not invalidated) and
    collected, per day and currency.

    Collected is money received: payments against declarations, recoveries after audit, and
    settlements paid into deferment accounts. What releases drew on a guarantee or deferment
    account is shown apart (``drawn_on_guarantee``): owed by the holder until settled.
    """
    principal.require(Action.READ_CONTROLS)
    day_a = func.substr(AssessmentRow.created_at, 1, 10)
    assessed = (
        select(
            day_a,
            AssessmentRow.currency,
            func.sum(AssessmentRow.duty),
            func.sum(AssessmentRow.excise),
            func.sum(AssessmentRow.vat),
            func.sum(AssessmentRow.total),
            func.count(),
        )
        .join(DeclarationRow, DeclarationRow.id == AssessmentRow.declaration_id)
        .where(
            AssessmentRow.status == arepo.CURRENT,
            DeclarationRow.state.notin_((State.INVALIDATED.value, State.REJECTED.value)),
        )
        .group_by(day_a, AssessmentRow.currency)
    )
    day_p = func.substr(PaymentRow.at, 1, 10)
    paid = select(day_p, PaymentRow.currency, PaymentRow.method, func.sum(PaymentRow.amount))
    paid = paid.group_by(day_p, PaymentRow.currency, PaymentRow.method)
    day_s = func.substr(GuaranteeSettlementRow.at, 1, 10)
    settled = select(
        day_s, GuaranteeSettlementRow.currency, func.sum(GuaranteeSettlementRow.amount)
    ).group_by(day_s, GuaranteeSettlementRow.currency)
    if since:
        assessed = assessed.where(AssessmentRow.created_at >= since.isoformat())
        paid = paid.where(PaymentRow.at >= since.isoformat())
        settled = settled.where(GuaranteeSettlementRow.at >= since.isoformat())
    if until:
        assessed = assessed.where(AssessmentRow.created_at < until.isoformat())
        paid = paid.where(PaymentRow.at < until.isoformat())
        settled = settled.where(GuaranteeSettlementRow.at < until.isoformat())
    zero = Decimal("0.00")
    days: dict[tuple[str, str], dict[str, Any]] = {}

    def entry(day: str, currency: str) -> dict[str, Any]:
        return days.setdefault(
            (day, currency),
            {
                "day": day,
                "currency": currency,
                "declarations": 0,
                **dict.fromkeys(("duty", "excise", "vat", "assessed"), zero),
                **dict.fromkeys(MONEY_IN, zero),
            },
        )

    with ctx.sessions() as session:
        for day, currency, duty, excise, vat, total, count in session.execute(assessed):
            e_ = entry(day, currency)
            e_.update(
                duty=Decimal(duty or 0),
                excise=Decimal(excise or 0),
                vat=Decimal(vat or 0),
                assessed=Decimal(total or 0),
                declarations=int(count),
            )
        for day, currency, method, amount in session.execute(paid):
            key = "drawn_on_guarantee" if method == "guarantee" else method
            entry(day, currency)[key] = Decimal(amount or 0)
        for day, currency, amount in session.execute(settled):
            entry(day, currency)["settled"] = Decimal(amount or 0)
    rows = [days[k] for k in sorted(days)]
    totals: dict[str, dict[str, Any]] = {}
    for r in rows:
        r["collected"] = r["payment"] + r["recovery"] + r["settled"]
        t = totals.setdefault(r["currency"], {"declarations": 0})
        t["declarations"] += r["declarations"]
        for k in ("duty", "excise", "vat", "assessed", *MONEY_IN, "collected"):
            t[k] = t.get(k, zero) + r[k]
    for t in totals.values():
        # Drawn on guarantees in the period and not settled in it (negative: older draws settled).
        t["deferred_unsettled"] = t["drawn_on_guarantee"] - t["settled"]
    return {"days": rows, "by_currency": dict(sorted(totals.items()))}


def list_approvals(
    ctx: Context, *, principal: Principal, status: str | None = "pending", limit: int = 200
) -> list[dict[str, Any]]:
    """The supervisor's inbox: changes waiting for (or given) a second pair of eyes."""
    principal.require(Action.APPROVE)
    stmt = select(ApprovalRow).order_by(ApprovalRow.id.desc()).limit(max(1, min(limit, 1000)))
    if status:
        stmt = stmt.where(ApprovalRow.status == status)
    with ctx.sessions() as session:
        rows = list(session.scalars(stmt))
    return [
        {
            "id": a.id,
            "action": a.action,
            "subject_type": a.subject_type,
            "subject_id": a.subject_id,
            "params": a.params or {},
            "reason": a.reason,
            "requested_by": a.requested_by,
            "requested_at": a.requested_at,
            "status": a.status,
            "decided_by": a.decided_by,
            "decided_at": a.decided_at,
            # The requester may not decide it; the page shows why the button is missing.
            "own_request": a.requested_by == principal.username,
        }
        for a in rows
    ]
