"""Declaration use cases: lodge (one or a batch), read, list, amend, invalidate."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from customhouse.access.models import Action, PermissionDenied, Principal
from customhouse.declarations import repository as repo
from customhouse.declarations.errors import (
    DeclarationRejected,
    IdempotencyKeyReused,
    NotAmendable,
)
from customhouse.declarations.intake import Prepared, prepare_document
from customhouse.declarations.lifecycle import AMENDABLE, State, check_transition
from customhouse.declarations.models import DeclarationType, Item
from customhouse.declarations.rules import RulesConfig, check_register, parse, party_refs, validate
from customhouse.declarations.summary import ItemSummary
from customhouse.declarations.tables import DeclarationRow
from customhouse.errors import Problem
from customhouse.identifiers import mrn as mrn_id
from customhouse.ledger.models import LedgerEvent, timestamp
from customhouse.services.context import Context
from customhouse.services.documents import document_cache
from customhouse.services.reference import operator_lookup, reference_snapshot
from customhouse.storage.bulk import table_of
from customhouse.storage.uow import UnitOfWork

# DE 12 01 position 17, the procedure identifier (UCC Annex B, abridged): A export, H import,
# J transit.
_PROCEDURE_LETTER = {
    DeclarationType.IMPORT: "H",
    DeclarationType.SPECIAL_FISCAL: "H",
    DeclarationType.EXPORT: "A",
    DeclarationType.TRANSIT_T1: "J",
    DeclarationType.TRANSIT_T2: "J",
}
SUBJECT = "declaration"


@dataclass(frozen=True)
class LodgeRequest:
    """One declaration to lodge: the JSON as sent and the key that makes a retry harmless."""

    raw: Any
    idempotency_key: str | None = None


@dataclass
class LodgeOutcome:
    id: int
    mrn: str | None
    lrn: str | None
    state: str
    problems: list[Problem] = field(default_factory=list)
    replayed: bool = False

    @property
    def accepted(self) -> bool:
        return self.mrn is not None


def lodge_batch(
    ctx: Context,
    *,
    principal: Principal,
    requests: Sequence[LodgeRequest],
    source: str = "api",
) -> list[LodgeOutcome]:
    """Prepare (read, parse, document rules) in this process, then store."""
    reference = reference_snapshot(ctx)
    prepared = [prepare_document(r.raw, reference, key=r.idempotency_key) for r in requests]
    return store_prepared(ctx, principal=principal, prepared=prepared, source=source)


def store_prepared(
    ctx: Context,
    *,
    principal: Principal,
    prepared: Sequence[Prepared],
    source: str = "api",
) -> list[LodgeOutcome]:
    """Check what needs the database and store many declarations in one transaction.

    A declaration whose idempotency key is already stored is not stored again: its earlier
    outcome is returned (``replayed``), or :class:`IdempotencyKeyReused` if the body differs.
    Accepted declarations get an MRN; every declaration gets its ledger events in the same
    transaction.
    """
    principal.require(Action.LODGE)
    config = RulesConfig(unknown_eori=ctx.settings.unknown_eori)
    now = ctx.clock.now()
    stamp = timestamp(now)
    outcomes: list[LodgeOutcome | None] = [None] * len(prepared)
    for p in prepared:
        _check_owner(principal, p)
    with ctx.uow() as uow:
        uow.lock()
        session = uow.session
        existing = repo.by_keys(session, [p.key for p in prepared if p.key])
        operators = operator_lookup(session, {r.eori for p in prepared for r in p.parties})
        taken = repo.accepted_lrns(session, [p.lrn for p in prepared if p.valid])
        fresh: list[Prepared] = []
        first_with_key: dict[str, int] = {}
        for i, p in enumerate(prepared):
            if p.key and p.key in existing:
                outcomes[i] = _replay(existing[p.key], p)
                continue
            if p.key and p.key in first_with_key:
                continue  # the same key twice in one batch: a retry of the first, filled below
            if p.key:
                first_with_key[p.key] = i
            if p.valid:
                p.problems.extend(check_register(p.parties, operators, p.at, config))
                if (p.declarant or "", p.lrn) in taken:
                    p.problems.append(
                        Problem(
                            "declaration.duplicate_lrn",
                            "/lrn",
                            f"LRN {p.lrn} was already used by {p.declarant}",
                        )
                    )
                if not p.has_errors:
                    taken.add((p.declarant or "", p.lrn))
            fresh.append(p)
        rows = [_row(p, stamp, source) for p in fresh]
        _assign_mrns(uow, ctx, rows, now)
        ids = repo.insert_declarations(session, rows)
        items: list[dict[str, Any]] = []
        for row_id, row, p in zip(ids, rows, fresh, strict=True):
            subject = str(row_id)
            uow.ledger.append(
                at=now,
                actor=principal.actor,
                kind="declaration.lodged",
                subject_type=SUBJECT,
                subject_id=subject,
                payload={
                    "lrn": row["lrn"],
                    "declarant": row["declarant_eori"],
                    "source": source,
                    "document": p.digest,
                },
            )
            if row["mrn"] is None:
                uow.ledger.append(
                    at=now,
                    actor="system",
                    kind="declaration.rejected",
                    subject_type=SUBJECT,
                    subject_id=subject,
                    payload={
                        "problems": sorted(
                            {x["code"] for x in row["problems"] if x["severity"] == "error"}
                        )
                    },
                )
                continue
            uow.ledger.append(
                at=now,
                actor="system",
                kind="declaration.accepted",
                subject_type=SUBJECT,
                subject_id=subject,
                payload={"mrn": row["mrn"], "version": 1},
            )
            items.extend(_item_rows(row_id, p.items))
        repo.insert_items(session, items)
        uow.commit()
    # Only after the commit: a rolled-back id may be given again to another declaration.
    cache = document_cache(ctx)
    for row_id, row, p in zip(ids, rows, fresh, strict=True):
        if row["mrn"] is not None:
            cache.remember(row_id, 1, p.document or p.document_json, p.analyses, p.summary)
    stored = iter(zip(ids, rows, fresh, strict=True))
    for i, p in enumerate(prepared):
        if outcomes[i] is None and (not p.key or first_with_key.get(p.key) == i):
            row_id, row, _ = next(stored)
            outcomes[i] = LodgeOutcome(row_id, row["mrn"], row["lrn"], row["state"], p.problems)
    for i, p in enumerate(prepared):
        if outcomes[i] is None and p.key:
            first = outcomes[first_with_key[p.key]]
            assert first is not None
            outcomes[i] = LodgeOutcome(
                first.id, first.mrn, first.lrn, first.state, first.problems, replayed=True
            )
    return [o for o in outcomes if o is not None]


def _check_owner(principal: Principal, p: Prepared) -> None:
    """A trader lodges only as declarant or representative; customs staff and system for anyone."""
    if not principal.is_trader:
        return
    if p.declarant is None and p.representative is None:
        p.declarant = principal.eori  # unreadable body: file it under the trader who sent it
        return
    if not principal.owns(p.declarant, p.representative):
        raise PermissionDenied(
            f"{principal.username} lodges for {principal.eori}, not for {p.declarant}",
            {"pointer": "/parties/declarant/eori"},
        )


def _replay(row: DeclarationRow, p: Prepared) -> LodgeOutcome:
    if row.request_digest != p.digest:
        raise IdempotencyKeyReused(
            "this Idempotency-Key was used with a different declaration",
            {"declaration_id": row.id},
        )
    return LodgeOutcome(
        row.id,
        row.mrn,
        row.lrn,
        row.state,
        [Problem(**x) for x in row.problems or []],
        replayed=True,
    )


def _row(p: Prepared, stamp: str, source: str) -> dict[str, Any]:
    rejected = p.has_errors
    return {
        "lrn": p.lrn,
        "declaration_type": p.declaration_type,
        "procedure": p.procedure,
        "office": p.office,
        "declaration_date": p.declaration_date,
        "invoice_currency": p.invoice_currency,
        "total_invoice_amount": Decimal(p.total_invoice_amount) if p.valid else Decimal(0),
        "document": p.document_json,
        "mrn": None,
        "declarant_eori": p.declarant,
        "representative_eori": p.representative,
        "importer_eori": p.importer,
        "exporter_eori": p.exporter,
        "state": State.REJECTED.value if rejected else State.ACCEPTED.value,
        "version": 1,
        "channel": None,
        "lodged_at": stamp,
        "accepted_at": None if rejected else stamp,
        "updated_at": stamp,
        "problems": [x.as_dict() for x in p.problems],
        "source": source,
        "idempotency_key": p.key,
        "request_digest": p.digest,
    }


def _assign_mrns(uow: UnitOfWork, ctx: Context, rows: list[dict[str, Any]], now: datetime) -> None:
    accepted = [row for row in rows if row["state"] == State.ACCEPTED.value]
    if not accepted:
        return
    country = ctx.settings.country
    first = repo.reserve_serials(uow.session, now.year, country, len(accepted))
    for offset, row in enumerate(accepted):
        letter = _PROCEDURE_LETTER[DeclarationType(row["declaration_type"])]
        row["mrn"] = mrn_id.make(now.year, country, f"{first + offset:012d}{letter}")


def _item_rows(declaration_id: int, items: Iterable[ItemSummary | Item]) -> list[dict[str, Any]]:
    """Rows of the items table, from a prepared declaration or a parsed document."""
    return [
        {
            "declaration_id": declaration_id,
            "sequence": item.sequence,
            "commodity_code": item.commodity_code,
            "origin": item.origin,
            "description": item.description,
        }
        for item in items
    ]


def lodge(
    ctx: Context,
    *,
    principal: Principal,
    raw: Any,
    idempotency_key: str | None = None,
    source: str = "api",
) -> LodgeOutcome:
    """Lodge one declaration; a rejection raises :class:`DeclarationRejected` with every problem.

    The rejected declaration is stored (and on the ledger) before the error is raised, so the
    trader and officers can see what was refused.
    """
    outcome = lodge_batch(
        ctx, principal=principal, requests=[LodgeRequest(raw, idempotency_key)], source=source
    )[0]
    if not outcome.accepted:
        raise DeclarationRejected(
            f"declaration rejected with {sum(p.severity == 'error' for p in outcome.problems)}"
            " error(s)",
            outcome.problems,
        )
    return outcome


# --- reading -------------------------------------------------------------------------------


@dataclass
class DeclarationView:
    id: int
    mrn: str | None
    lrn: str
    state: str
    version: int
    declarant_eori: str | None
    office: str
    declaration_type: str
    channel: str | None
    lodged_at: str
    accepted_at: str | None
    updated_at: str
    document: dict[str, Any]
    problems: list[dict[str, str]]
    history: list[LedgerEvent] = field(default_factory=list)
    versions: list[dict[str, Any]] = field(default_factory=list)


def _view(row: DeclarationRow) -> DeclarationView:
    return DeclarationView(
        id=row.id,
        mrn=row.mrn,
        lrn=row.lrn,
        state=row.state,
        version=row.version,
        declarant_eori=row.declarant_eori,
        office=row.office,
        declaration_type=row.declaration_type,
        channel=row.channel,
        lodged_at=row.lodged_at,
        accepted_at=row.accepted_at,
        updated_at=row.updated_at,
        document=row.document,
        problems=row.problems or [],
    )


# What a trader may read of its own declaration's history: states, versions, its own reasons and
# the duty, but not targeting (profiles, model reasons) or screening details, which would teach
# a smuggler how to pass.
TRADER_PAYLOAD_KEYS = frozenset(
    {
        "from",
        "mrn",
        "version",
        "lrn",
        "declarant",
        "source",
        "document",
        "problems",
        "reason",
        "because",
        "channel",
        "total",
        "totals",
        "duty",
        "excise",
        "vat",
        "currency",
    }
)


def _for_trader(event: LedgerEvent) -> LedgerEvent:
    kept = {k: v for k, v in event.payload.items() if k in TRADER_PAYLOAD_KEYS}
    if len(kept) == len(event.payload):
        return event
    return replace(event, payload={**kept, "redacted": True})


def _check_reader(principal: Principal, row: DeclarationRow, action: Action) -> None:
    principal.require(action)
    if principal.is_trader and not principal.owns(row.declarant_eori, row.representative_eori):
        # Same answer as for a missing MRN would leak existence; say forbidden, name nothing.
        raise PermissionDenied(
            f"{principal.username} may not see this declaration", {"action": action.value}
        )


def get_declaration(ctx: Context, *, principal: Principal, mrn: str) -> DeclarationView:
    with ctx.uow() as uow:
        row = repo.get_by_mrn(uow.session, mrn_id.compact(mrn))
        _check_reader(principal, row, Action.READ_DECLARATION)
        view = _view(row)
        history = uow.ledger.for_subject(SUBJECT, str(row.id))
        view.history = [_for_trader(e) for e in history] if principal.is_trader else history
        view.versions = [
            {
                "version": v.version,
                "created_at": v.created_at,
                "actor": v.actor,
                "reason": v.reason,
                "document": v.document,
            }
            for v in repo.versions(uow.session, row.id)
        ]
        view.versions.append(
            {
                "version": row.version,
                "created_at": row.updated_at,
                "actor": "",
                "reason": "current",
                "document": row.document,
            }
        )
        return view


@dataclass
class Page:
    total: int
    page: int
    page_size: int
    items: list[DeclarationView]


def list_declarations(
    ctx: Context,
    *,
    principal: Principal,
    filters: repo.DeclarationFilter,
    page: int = 1,
    page_size: int = 50,
) -> Page:
    principal.require(Action.LIST_DECLARATIONS)
    if principal.is_trader:
        if principal.eori is None:
            return Page(0, page, page_size, [])
        filters = repo.DeclarationFilter(**{**filters.__dict__, "owner_eori": principal.eori})
    with ctx.uow() as uow:
        total, rows = repo.search(
            uow.session, filters, offset=(page - 1) * page_size, limit=page_size
        )
        return Page(total, page, page_size, [_view(r) for r in rows])


# --- changing ------------------------------------------------------------------------------


_BATCHED = "declaration states"


class BatchedStates:
    """State changes of many declarations sent as one executemany when the unit of work
    commits: a pipeline step moves a thousand declarations, and the ORM would write each row
    on its own. The rows carry their new state in the session all the same (set as committed,
    so the ORM does not write them again); nothing in the step may read the states back from
    the database before the commit.
    """

    def __init__(self) -> None:
        self.states: dict[int, dict[str, Any]] = {}
        self.channels: dict[int, dict[str, Any]] = {}

    def write(self, session: Session) -> None:
        table = table_of(DeclarationRow)
        by_id = table.c.id == bindparam("b_id")
        state: dict[str, Any] = {"state": bindparam("state"), "updated_at": bindparam("updated_at")}
        channel: dict[str, Any] = {"channel": bindparam("channel")}
        # A row given a channel moves state too (routing): one statement writes both, rather
        # than a second pass over the same rows.
        both: list[dict[str, Any]] = []
        states_only: list[dict[str, Any]] = []
        for row_id, moved in self.states.items():
            routed = self.channels.pop(row_id, None)
            if routed is None:
                states_only.append(moved)
            else:
                both.append({**moved, "channel": routed["channel"]})
        for values, rows in (
            ({**state, **channel}, both),
            (state, states_only),
            (channel, list(self.channels.values())),
        ):
            if rows:
                session.execute(update(table).where(by_id).values(values), rows)
        self.states.clear()
        self.channels.clear()


def batch_states(uow: UnitOfWork) -> BatchedStates:
    """Send this unit of work's declaration state changes (and channels) in one statement."""
    batched = BatchedStates()
    uow.before_commit.append(batched.write)
    uow.batched[_BATCHED] = batched
    return batched


def set_channel(uow: UnitOfWork, row: DeclarationRow, channel: str | None) -> None:
    """A declaration's channel, written with its state where states are batched."""
    batched: BatchedStates | None = uow.batched.get(_BATCHED)
    if batched is None:
        row.channel = channel
        return
    set_committed_value(row, "channel", channel)
    batched.channels[row.id] = {"b_id": row.id, "channel": channel}


def transition(
    uow: UnitOfWork,
    row: DeclarationRow,
    target: State,
    *,
    at: datetime,
    actor: str,
    payload: dict[str, Any] | None = None,
) -> None:
    """Move a declaration to ``target`` or refuse (409); the ledger event is in the same txn."""
    check_transition(State(row.state), target)
    uow.lock()
    previous = row.state
    batched: BatchedStates | None = uow.batched.get(_BATCHED)
    if batched is None:
        row.state = target.value
        row.updated_at = timestamp(at)
    else:
        stamp = timestamp(at)
        set_committed_value(row, "state", target.value)
        set_committed_value(row, "updated_at", stamp)
        batched.states[row.id] = {"b_id": row.id, "state": target.value, "updated_at": stamp}
    uow.ledger.append(
        at=at,
        actor=actor,
        kind=f"declaration.{target.value}",
        subject_type=SUBJECT,
        subject_id=str(row.id),
        payload={"from": previous, "mrn": row.mrn, **(payload or {})},
    )


def amend(
    ctx: Context,
    *,
    principal: Principal,
    mrn: str,
    raw: Any,
    reason: str,
) -> DeclarationView:
    """A new version before release; every problem at once if the new version is wrong."""
    principal.require(Action.AMEND)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        row = repo.get_by_mrn(uow.session, mrn_id.compact(mrn), for_update=True)
        _check_reader(principal, row, Action.AMEND)
        if State(row.state) not in AMENDABLE:
            raise NotAmendable(
                f"a {row.state} declaration cannot be amended", {"mrn": row.mrn, "state": row.state}
            )
        doc, problems = (
            parse(raw)
            if isinstance(raw, dict)
            else (None, [Problem("schema.not_an_object", "/", "a declaration is a JSON object")])
        )
        if doc is not None:
            refs = party_refs(doc)
            declarant = next(
                (r.eori for r in refs if r.role == "declarant"), doc.parties.declarant.eori
            )
            problems.extend(validate(doc, reference_snapshot(ctx)))
            problems.extend(
                check_register(
                    refs,
                    operator_lookup(uow.session, {r.eori for r in refs}),
                    doc.declaration_date,
                    RulesConfig(unknown_eori=ctx.settings.unknown_eori),
                )
            )
            if doc.lrn != row.lrn or declarant != row.declarant_eori:
                problems.append(
                    Problem(
                        "amendment.identity_changed",
                        "/lrn",
                        "an amendment keeps the LRN and the declarant",
                    )
                )
        errors = [p for p in problems if p.severity == "error"]
        if doc is None or errors:
            raise DeclarationRejected(f"amendment rejected with {len(errors)} error(s)", problems)
        stamp = timestamp(now)
        repo.insert_versions(
            uow.session,
            [
                {
                    "declaration_id": row.id,
                    "version": row.version,
                    "created_at": row.updated_at,
                    "actor": principal.actor,
                    "reason": f"superseded: {reason}",
                    "document": row.document,
                }
            ],
        )
        row.version += 1
        row.document = doc.model_dump(mode="json", exclude_none=True)
        row.problems = [p.as_dict() for p in problems]
        row.total_invoice_amount = doc.total_invoice_amount
        row.invoice_currency = doc.invoice_currency
        row.procedure = doc.procedure
        row.office = doc.office
        row.declaration_date = doc.declaration_date.isoformat()
        repo.replace_items(uow.session, row.id, _item_rows(row.id, doc.items))
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="declaration.amended",
            subject_type=SUBJECT,
            subject_id=str(row.id),
            payload={"mrn": row.mrn, "version": row.version, "reason": reason},
        )
        if row.state != State.ACCEPTED.value:
            # Back to accepted: the pipeline assesses and routes the new version again.
            transition(
                uow,
                row,
                State.ACCEPTED,
                at=now,
                actor="system",
                payload={"because": "amended", "version": row.version},
            )
        row.channel = None
        row.updated_at = stamp
        uow.commit()
        declaration_id = row.id
    from customhouse.services.pipeline import run_after_acceptance

    run_after_acceptance(ctx, [declaration_id])
    return get_declaration(ctx, principal=principal, mrn=mrn)


def invalidate(ctx: Context, *, principal: Principal, mrn: str, reason: str) -> DeclarationView:
    principal.require(Action.INVALIDATE)
    if not reason.strip():
        raise DeclarationRejected(
            "a reason is required to invalidate a declaration",
            [Problem("invalidation.reason_missing", "/reason", "give the reason for invalidation")],
        )
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        row = repo.get_by_mrn(uow.session, mrn_id.compact(mrn), for_update=True)
        _check_reader(principal, row, Action.INVALIDATE)
        transition(
            uow, row, State.INVALIDATED, at=now, actor=principal.actor, payload={"reason": reason}
        )
        uow.commit()
    return get_declaration(ctx, principal=principal, mrn=mrn)
