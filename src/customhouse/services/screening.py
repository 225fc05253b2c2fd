"""Screening in the clearance pipeline: the ``screen`` step, hits and queries, judgements, reloads.

The step takes the declarations of a batch that are ``assessed`` (and not yet screened in their
current version), screens every party against the loaded lists and every item against the goods
controls with the pure engine, then in one unit of work stores the run, every hit and every query
with their ledger events, and holds what must be held:

- a party hit at or above ``Settings.screening_threshold`` that is not a remembered false match
  (same party key, same entry content) holds the declaration;
- goods under an embargo or a ban, or suspected of infringing a recorded right, hold it;
- a missing licence, permit or certificate holds it and puts a query to the declarant.

Clean declarations stay ``assessed`` for the risk step.

**No list loaded.** The run is stored with outcome ``not_screened`` and a note, and a
``screening.not_screened`` ledger event; the declaration is never recorded as clear. With
``Settings.screening_required`` (production: set ``CUSTOMHOUSE_SCREENING_REQUIRED=true``) it is
also held for manual screening; without it (the default, for development and tests) it goes on
to risk with the note, and the next pipeline run over it screens it once a list is loaded.

**The index.** Built once per set of list versions and kept in the context's cache under a key
made of the versions (a batch never rebuilds it). With ``Settings.screening_cache_dir`` set, the
built index is also pickled there, keyed by the database and the list versions, so a new process
(``customhouse screen name``) loads it in well under a second instead of rebuilding it.

Declarants see their declaration's queries and a neutral hold reason; the list entries, scores
and features are for customs staff (``Action.READ_SCREENING_HITS``).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import pickle
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, load_only

from customhouse.access.models import Action, Principal
from customhouse.declarations.lifecycle import State
from customhouse.declarations.models import DeclarationDocument
from customhouse.declarations.tables import DeclarationRow
from customhouse.errors import Problem
from customhouse.ledger.models import timestamp
from customhouse.screening.cites import load_cites
from customhouse.screening.declaration import (
    DeclarationScreening,
    HitRecord,
    parties_of,
    screen_declaration,
)
from customhouse.screening.engine import ScreeningIndex, rescreen
from customhouse.screening.errors import (
    BadQuery,
    EmptyAnswer,
    InvalidJudgement,
    NotQueryable,
    NotYourQuery,
    QueryAlreadyAnswered,
    UnknownHit,
    UnknownQuery,
)
from customhouse.screening.goods import GoodsControls, load_controls
from customhouse.screening.loaders import load_list
from customhouse.screening.models import (
    EntityType,
    ListDiff,
    ListKind,
    Party,
    PartyHit,
    PartyScreening,
    SanctionsList,
    Verdict,
    party_key,
)
from customhouse.screening.repository import load_lists, record_judgement, save_list
from customhouse.screening.tables import (
    QueryReplyRow,
    ScreeningHitRow,
    ScreeningJudgementRow,
    ScreeningListRow,
    ScreeningListVersionRow,
    ScreeningQueryRow,
    ScreeningRunRow,
)
from customhouse.services import controls as ctl
from customhouse.services import declarations as dsvc
from customhouse.services.context import Context
from customhouse.services.declarations import batch_states, transition
from customhouse.services.documents import document_cache, documents_of, versions_in_states
from customhouse.services.pipeline import Analyser, Step, register
from customhouse.storage.bulk import bulk_insert, table_of
from customhouse.storage.uow import UnitOfWork

T = TypeVar("T")
STEP = "screen"
SHIPPED_CONTROLS = Path(__file__).resolve().parent.parent / "data/screening/goods_controls.json"
SHIPPED_LISTS_DIR = SHIPPED_CONTROLS.parent / "lists"
# Dated snapshots (see data/screening/NOTICE.md) so a fresh install screens at all: the list
# name each loader gives, its kind, and its path under SHIPPED_LISTS_DIR.
SHIPPED_LISTS = (
    ("UN", ListKind.UN, "un/consolidated.xml.gz"),
    ("OFAC-SDN", ListKind.OFAC, "ofac"),
    ("US-CSL", ListKind.US_CSL, "us-csl/csl_names.csv.gz"),
)
# Runs that settle a declaration version: it is not screened again until amended.
DONE = ("clear", "held", "released")
# A declaration in one of these states can still be held when a reload raises a new hit (the
# goods are not released yet); a released one is only reported.
HOLDABLE = (State.ASSESSED.value, State.SELECTED.value, State.UNDER_CONTROL.value)
INDEX_FORMAT = "2"  # bump when ScreeningIndex changes shape: old pickles are ignored
SCREENED_PARTIES = 100_000  # party results kept per index (a few hundred bytes each)
_STATUS = {
    Verdict.TRUE_MATCH: "confirmed",
    Verdict.FALSE_MATCH: "dismissed",
    Verdict.UNSURE: "open",
}
_INDEX_KEY = "screening.index.current"


# --- the lists in force and their index -------------------------------------------------------


@dataclass(frozen=True)
class LoadedIndex:
    """The index over every stored list, with the versions it was built from."""

    stamp: str
    versions: dict[str, str]
    index: ScreeningIndex
    # Each party's result against this index: importers and brokers recur on most declarations.
    screened: dict[tuple[Party, float], PartyScreening] = field(default_factory=dict)


def list_versions(session: Session) -> tuple[str, dict[str, str]]:
    """A stamp that changes with every stored list version, and each list's current version."""
    versions = {
        name: version
        for name, version in session.execute(
            select(ScreeningListRow.name, ScreeningListRow.current_version)
        )
        if version
    }
    last = session.scalar(select(func.max(ScreeningListVersionRow.id)))
    raw = json.dumps([sorted(versions.items()), last])
    return hashlib.sha256(raw.encode()).hexdigest()[:16], versions


def _disk_path(cache_dir: Path, database_url: str, stamp: str) -> Path:
    db = hashlib.sha256(database_url.encode()).hexdigest()[:12]
    return cache_dir / f"screening-index-{INDEX_FORMAT}-{db}-{stamp}.pickle"


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """Creating a few million small objects triggers the cyclic collector again and again
    (loading the pickled index: 5-7 s with it, about 1 s without); nothing here makes cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_pickle(path: Path) -> ScreeningIndex | None:
    try:
        with path.open("rb") as f, _no_gc():
            index = pickle.load(f)  # our own cache file, written below
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    return index if isinstance(index, ScreeningIndex) else None


def _write_pickle(path: Path, index: ScreeningIndex) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(index, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # atomic: a concurrent reader sees the old file or the new one
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return
    prefix = path.name.rsplit("-", 1)[0]
    for old in path.parent.glob(f"{prefix}-*.pickle"):
        if old != path:
            with contextlib.suppress(OSError):
                old.unlink()


def screening_index(ctx: Context, *, cache_dir: Path | None = None) -> LoadedIndex | None:
    """The index over every stored list, or None when no list is loaded.

    Cached in the context under the list versions (one cheap query per call checks them) and,
    with ``cache_dir``, pickled on disk for the next process.
    """
    with ctx.sessions() as session:
        stamp, versions = list_versions(session)
    current: dict[str, str | None] = ctx.cached(_INDEX_KEY, lambda: {"key": None})
    if not versions:
        return None
    key = f"screening.index.{stamp}"
    if current["key"] not in (None, key):
        ctx.forget(current["key"])  # an older set of versions: let it go
    current["key"] = key

    def build() -> LoadedIndex:
        path = _disk_path(cache_dir, str(ctx.settings.database_url), stamp) if cache_dir else None
        index = _read_pickle(path) if path is not None and path.exists() else None
        if index is None:
            with ctx.sessions() as session, _no_gc():
                index = ScreeningIndex(load_lists(session))
            if path is not None:
                _write_pickle(path, index)
        return LoadedIndex(stamp, versions, index)

    loaded: LoadedIndex = ctx.cached(key, build)
    return loaded


def goods_controls(ctx: Context) -> GoodsControls:
    """The goods controls in force (the settings' file, or the shipped snapshot), cached."""

    def build() -> GoodsControls:
        cites_path = ctx.settings.screening_cites_path
        cites = load_cites(cites_path) if cites_path else None
        return load_controls(ctx.settings.screening_goods_controls or SHIPPED_CONTROLS, cites)

    controls: GoodsControls = ctx.cached("screening.goods_controls", build)
    return controls


# --- the pipeline step ------------------------------------------------------------------------


def _chunks(ids: Sequence[T], size: int = 1000) -> Iterable[list[T]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def _to_screen(ctx: Context, ids: Sequence[int]) -> dict[int, int]:
    """id -> version of those of ``ids`` assessed and not yet screened in that version."""
    with ctx.sessions() as session:
        assessed = versions_in_states(session, ids, (State.ASSESSED.value,))
        done: set[tuple[int, int]] = set()
        for chunk in _chunks(sorted(assessed)):
            done.update(
                (did, version)
                for did, version in session.execute(
                    select(ScreeningRunRow.declaration_id, ScreeningRunRow.declaration_version)
                    .where(ScreeningRunRow.declaration_id.in_(chunk))
                    .where(ScreeningRunRow.outcome.in_(DONE))
                )
            )
    return {i: v for i, v in sorted(assessed.items()) if (i, v) not in done}


def _documents(ctx: Context, versions: Mapping[int, int]) -> dict[int, DeclarationDocument]:
    """The documents of these declarations still assessed, at the versions given (one that
    moved on meanwhile is left out: it is screened in its new version)."""
    if not versions:
        return {}
    with ctx.sessions() as session:
        return {
            i: d
            for i, v, d in documents_of(ctx, session, versions, (State.ASSESSED.value,))
            if versions[i] == v
        }


def remembered_verdicts(
    session: Session, keys: Iterable[str]
) -> dict[tuple[str, str, str, str], Verdict]:
    """The newest verdict on every (party, entry content) pair judged for these parties."""
    out: dict[tuple[str, str, str, str], Verdict] = {}
    j = ScreeningJudgementRow
    for chunk in _chunks(sorted(set(keys)), 500):
        for key, list_name, entity, fingerprint, verdict in session.execute(
            select(j.party_key, j.list_name, j.entity_id, j.fingerprint, j.verdict)
            .where(j.party_key.in_(chunk))
            .order_by(j.judged_at, j.id)
        ):
            out[(key, list_name, entity, fingerprint)] = Verdict(verdict)
    return out


def run(ctx: Context, declaration_ids: list[int]) -> None:
    """The ``screen`` pipeline step over the batch's declarations that are ``assessed``."""
    todo = _to_screen(ctx, declaration_ids)
    if not todo:
        return
    loaded = screening_index(ctx, cache_dir=ctx.settings.screening_cache_dir)
    controls = goods_controls(ctx)
    threshold = float(ctx.settings.screening_threshold)
    now = ctx.clock.now()
    # The preparing worker screened most documents already (on the same lists and day); its
    # result stands unless a party has a remembered verdict, which only this process reads.
    cache, basis = document_cache(ctx), _basis(loaded)
    ahead: dict[int, DeclarationScreening] = {}
    for row_id, version in todo.items():
        made = cache.analysis(row_id, version, STEP, basis)
        if made is not None and made[0] == now.date():
            ahead[row_id] = made[1]
    # Documents are read only for what the worker did not screen.
    docs = _documents(ctx, {i: v for i, v in todo.items() if i not in ahead})
    keys = {k for s in ahead.values() for k in s.party_keys}
    keys.update(party_key(p) for doc in docs.values() for _, p in parties_of(doc))
    with ctx.sessions() as session:
        remembered = remembered_verdicts(session, keys)
    judged = {k for k, *_ in remembered}
    # A party an officer has judged since is screened again here, with the judgement.
    again = [i for i, s in ahead.items() if judged.intersection(s.party_keys)]
    for i in again:
        del ahead[i]
    docs.update(_documents(ctx, {i: todo[i] for i in again}))
    results = [
        (
            row_id,
            version,
            ahead[row_id]
            if row_id in ahead
            else screen_declaration(
                docs[row_id],
                index=loaded.index if loaded else None,
                controls=controls,
                threshold=threshold,
                at=now.date(),
                remembered=remembered,
                required=ctx.settings.screening_required,
                screened=loaded.screened if loaded else None,
            ),
        )
        for row_id, version in todo.items()
        if row_id in ahead or row_id in docs
    ]
    if loaded and len(loaded.screened) > SCREENED_PARTIES:
        loaded.screened.clear()  # bounded: the next batches fill it again with who recurs
    lists = loaded.versions if loaded else {}
    with ctx.uow() as uow:
        uow.lock()
        batch_states(uow)
        rows = _rows(uow.session, [r[0] for r in results])
        # Only what is still assessed in the version the engine saw.
        kept = [
            (row, result)
            for row_id, version, result in results
            if (row := rows.get(row_id)) is not None
            and row.state == State.ASSESSED.value
            and row.version == version
        ]
        _answer_by_amendment(uow.session, [row for row, _ in kept], now)
        # Runs with no hit and no query (nearly all) are inserted together; the rest are
        # recorded one by one with their hits and queries.
        plain = [(row, r) for row, r in kept if not (r.hits or r.queries)]
        # A clear run is named by nothing after it: one executemany, no ids read back (SQLite
        # returns ids in parameter order only one row per statement).
        bulk_insert(
            uow.session,
            table_of(ScreeningRunRow),
            [_run_values(row, r, lists, now) for row, r in plain if not (r.note or r.hold_reasons)],
        )
        named = [(row, r) for row, r in plain if r.note or r.hold_reasons]
        if named:
            run_ids = uow.session.scalars(
                insert(ScreeningRunRow).returning(ScreeningRunRow.id, sort_by_parameter_order=True),
                [_run_values(row, r, lists, now) for row, r in named],
            ).all()
            for (row, r), run_id in zip(named, run_ids, strict=True):
                _note_and_hold(uow, row, r, run_id, now)
        for row, result in kept:
            if result.hits or result.queries:
                record(uow, row, result, lists, now, answered=True)
        uow.commit()


def _answer_by_amendment(session: Session, rows: Sequence[DeclarationRow], now: datetime) -> None:
    """An amendment answers the queries of the versions before it (asked again if still
    missing)."""
    versions = {row.id: row.version for row in rows if row.version > 1}
    for chunk in _chunks(sorted(versions)):
        for q in session.scalars(
            select(ScreeningQueryRow).where(
                ScreeningQueryRow.declaration_id.in_(chunk), ScreeningQueryRow.status == "open"
            )
        ):
            version = versions[q.declaration_id]
            if q.declaration_version < version:
                q.status, q.answered_at, q.answer = "answered", now, f"amended (version {version})"


def _rows(session: Session, ids: Sequence[int]) -> dict[int, DeclarationRow]:
    out: dict[int, DeclarationRow] = {}
    for chunk in _chunks(ids):
        for r in session.scalars(
            select(DeclarationRow)
            .options(
                load_only(
                    DeclarationRow.id,
                    DeclarationRow.state,
                    DeclarationRow.version,
                    DeclarationRow.mrn,
                    DeclarationRow.updated_at,
                )
            )
            .where(DeclarationRow.id.in_(chunk))
        ):
            out[r.id] = r
    return out


def _run_values(
    row: DeclarationRow, result: DeclarationScreening, lists: dict[str, str], now: datetime
) -> dict[str, Any]:
    """The columns of one screening run (inserted in bulk, or as a row whose id is needed)."""
    return {
        "declaration_id": row.id,
        "declaration_version": row.version,
        "at": now,
        "outcome": result.outcome,
        "lists": dict(lists),
        "reasons": list(result.hold_reasons),
        "note": result.note,
    }


def _hit_row(row: DeclarationRow, h: HitRecord, now: datetime, note: str = "") -> ScreeningHitRow:
    return ScreeningHitRow(
        declaration_id=row.id,
        declaration_version=row.version,
        subject=h.subject,
        party_role=h.party_role,
        item_sequence=h.item_sequence,
        party_key=h.party_key,
        screened_name=h.screened_name,
        list_name=h.list_name,
        entity_id=h.entity_id,
        entity_name=h.entity_name,
        fingerprint=h.fingerprint,
        score=h.score,
        action=h.action,
        explanation=h.explanation,
        status=h.status,
        created_at=now,
        note=note,
    )


def _hit_event(uow: UnitOfWork, row: DeclarationRow, hit: ScreeningHitRow, now: datetime) -> None:
    # Filed under the hit, not the declaration: a declarant reading its declaration's history
    # must not learn which list entry its party resembles.
    uow.ledger.append(
        at=now,
        actor="system",
        kind="screening.hit",
        subject_type="screening_hit",
        subject_id=str(hit.id),
        payload={
            "declaration": row.id,
            "mrn": row.mrn,
            "version": row.version,
            "subject": hit.subject,
            "party_role": hit.party_role,
            "item": hit.item_sequence,
            "list": hit.list_name,
            "entity": hit.entity_id,
            "fingerprint": hit.fingerprint,
            "score": hit.score,
            "action": hit.action,
            "status": hit.status,
        },
    )


def record(
    uow: UnitOfWork,
    row: DeclarationRow,
    result: DeclarationScreening,
    lists: dict[str, str],
    now: datetime,
    *,
    answered: bool = False,
) -> ScreeningRunRow:
    """Store one declaration's screening (run, hits, queries, ledger events) and hold it if
    it must be held. The caller holds the unit of work and commits; ``answered`` when it has
    already closed the queries an amendment answers."""
    session = uow.session
    if not answered:
        _answer_by_amendment(session, [row], now)
    run_row = ScreeningRunRow(**_run_values(row, result, lists, now))
    hits = [_hit_row(row, h, now) for h in result.hits]
    queries = [
        ScreeningQueryRow(
            declaration_id=row.id,
            declaration_version=row.version,
            item_sequence=q.item_sequence,
            missing=q.missing,
            legal_base=q.legal_base,
            reason=q.reason,
            status="open",
            created_at=now,
            answer="",
        )
        for q in result.queries
    ]
    session.add(run_row)
    session.add_all([*hits, *queries])
    session.flush()
    for hit in hits:
        _hit_event(uow, row, hit, now)
    for q in queries:
        uow.ledger.append(
            at=now,
            actor="system",
            kind="screening.query",
            subject_type=dsvc.SUBJECT,
            subject_id=str(row.id),
            payload={
                "query": q.id,
                "item": q.item_sequence,
                "missing": q.missing,
                "legal_base": q.legal_base,
            },
        )
    _note_and_hold(uow, row, result, run_row.id, now)
    return run_row


def _note_and_hold(
    uow: UnitOfWork, row: DeclarationRow, result: DeclarationScreening, run_id: int, now: datetime
) -> None:
    if result.note:
        uow.ledger.append(
            at=now,
            actor="system",
            kind="screening.not_screened",
            subject_type=dsvc.SUBJECT,
            subject_id=str(row.id),
            payload={"run": run_id, "note": result.note},
        )
    if result.hold_reasons:
        transition(
            uow,
            row,
            State.HELD,
            at=now,
            actor="system",
            payload={
                "because": "screening",
                "screening_run": run_id,
                "reason": "; ".join(result.public_reasons),
            },
        )


def warm(ctx: Context) -> None:
    """The index over the stored lists (none when no list is stored) and the goods controls."""
    screening_index(ctx, cache_dir=ctx.settings.screening_cache_dir)
    goods_controls(ctx)


def _basis(loaded: LoadedIndex | None) -> str:
    return f"lists@{loaded.stamp}" if loaded is not None else "lists@none"


def analyser(ctx: Context) -> Analyser:
    """Each document screened by the preparing workers (parties against the index they were
    forked with, goods against the controls), with no remembered verdict and on the workers'
    day; the step takes the result when the lists, the day and the verdicts still agree."""
    loaded = screening_index(ctx, cache_dir=ctx.settings.screening_cache_dir)
    controls = goods_controls(ctx)
    threshold = float(ctx.settings.screening_threshold)
    required = ctx.settings.screening_required
    clock = ctx.clock
    seen: dict[tuple[Party, float], PartyScreening] = {}

    def analyse(docs: Sequence[DeclarationDocument]) -> list[Any]:
        if len(seen) > SCREENED_PARTIES:
            seen.clear()
        day = clock.now().date()
        return [
            (
                day,
                screen_declaration(
                    doc,
                    index=loaded.index if loaded else None,
                    controls=controls,
                    threshold=threshold,
                    at=day,
                    required=required,
                    screened=seen,
                ),
            )
            for doc in docs
        ]

    return Analyser(STEP, _basis(loaded), analyse)


register(Step(STEP, run, warm, analyser))


# --- reading ---------------------------------------------------------------------------------


def _hit_dict(h: ScreeningHitRow) -> dict[str, Any]:
    return {
        "id": h.id,
        "version": h.declaration_version,
        "subject": h.subject,
        "party_role": h.party_role,
        "item": h.item_sequence,
        "screened_name": h.screened_name,
        "list": h.list_name,
        "entity": h.entity_id,
        "entity_name": h.entity_name,
        "fingerprint": h.fingerprint,
        "score": h.score,
        "action": h.action,
        "status": h.status,
        "explanation": h.explanation,
        "created_at": h.created_at.isoformat(),
        "judged_by": h.judged_by,
        "judged_at": h.judged_at.isoformat() if h.judged_at else None,
        "note": h.note,
    }


def _reply_dict(r: QueryReplyRow) -> dict[str, Any]:
    return {
        "id": r.id,
        "text": r.text,
        "evidence": r.evidence_sha256,
        "replied_by": r.replied_by,
        "replied_at": r.replied_at.isoformat(),
    }


def _query_dict(q: ScreeningQueryRow, replies: Sequence[QueryReplyRow] = ()) -> dict[str, Any]:
    return {
        "id": q.id,
        "version": q.declaration_version,
        "item": q.item_sequence,
        "missing": q.missing,
        "legal_base": q.legal_base,
        "reason": q.reason,
        "status": q.status,
        "created_at": q.created_at.isoformat(),
        "answered_at": q.answered_at.isoformat() if q.answered_at else None,
        "answer": q.answer,
        "asked_by": q.asked_by,
        "replies": [_reply_dict(r) for r in replies],
    }


def screening_summary(
    ctx: Context, *, principal: Principal, declaration_id: int
) -> dict[str, Any] | None:
    """The latest screening of a declaration: outcome, note, queries and, for customs staff,
    every hit with its explanation. None when it was never screened. The caller has checked
    that ``principal`` may read the declaration."""
    with ctx.sessions() as session:
        run_row = session.scalars(
            select(ScreeningRunRow)
            .where(ScreeningRunRow.declaration_id == declaration_id)
            .order_by(ScreeningRunRow.id.desc())
            .limit(1)
        ).first()
        queries = session.scalars(
            select(ScreeningQueryRow)
            .where(ScreeningQueryRow.declaration_id == declaration_id)
            .order_by(ScreeningQueryRow.id)
        ).all()
        if run_row is None and not queries:
            return None
        replies: dict[int, list[QueryReplyRow]] = {}
        for r in session.scalars(
            select(QueryReplyRow)
            .where(QueryReplyRow.declaration_id == declaration_id)
            .order_by(QueryReplyRow.id)
        ):
            replies.setdefault(r.query_id, []).append(r)
        out: dict[str, Any] = {
            "outcome": run_row.outcome if run_row else None,
            "version": run_row.declaration_version if run_row else None,
            "at": run_row.at.isoformat() if run_row else None,
            "note": run_row.note if run_row else "",
            "queries": [_query_dict(q, replies.get(q.id, ())) for q in queries],
        }
        if principal.may(Action.READ_SCREENING_HITS):
            hits = session.scalars(
                select(ScreeningHitRow)
                .where(ScreeningHitRow.declaration_id == declaration_id)
                .order_by(ScreeningHitRow.id)
            ).all()
            out["lists"] = run_row.lists if run_row else {}
            out["reasons"] = run_row.reasons if run_row else []
            out["hits"] = [_hit_dict(h) for h in hits]
        return out


def declaration_screening(ctx: Context, *, principal: Principal, mrn: str) -> dict[str, Any]:
    """``GET /declarations/{mrn}/screening``: who may read the declaration may read this;
    only customs staff see the hits."""
    view = dsvc.get_declaration(ctx, principal=principal, mrn=mrn)
    summary = screening_summary(ctx, principal=principal, declaration_id=view.id)
    empty: dict[str, Any] = {"outcome": None, "version": None, "at": None, "note": ""}
    out = summary or {**empty, "queries": []}
    if summary is None and principal.may(Action.READ_SCREENING_HITS):
        out.update(lists={}, reasons=[], hits=[])
    return {"mrn": view.mrn, "state": view.state, **out}


# --- judging ---------------------------------------------------------------------------------


def _hold_lifted(session: Session, row: DeclarationRow) -> bool:
    """Held by screening in this version, and nothing that held it is left."""
    if row.state != State.HELD.value:
        return False
    latest = session.scalars(
        select(ScreeningRunRow)
        .where(ScreeningRunRow.declaration_id == row.id)
        .order_by(ScreeningRunRow.id.desc())
        .limit(1)
    ).first()
    if latest is None or latest.outcome != "held" or latest.declaration_version != row.version:
        return False
    if latest.note and not latest.lists:
        return False  # held for manual screening: no hit to judge away
    blocking = session.scalar(
        select(func.count(ScreeningHitRow.id)).where(
            ScreeningHitRow.declaration_id == row.id,
            ScreeningHitRow.declaration_version == row.version,
            ScreeningHitRow.action == "hold",
            ScreeningHitRow.status.in_(("open", "confirmed")),
        )
    )
    asked = session.scalar(
        select(func.count(ScreeningQueryRow.id)).where(
            ScreeningQueryRow.declaration_id == row.id,
            ScreeningQueryRow.declaration_version == row.version,
            ScreeningQueryRow.status == "open",
        )
    )
    return not blocking and not asked


def judge_hit(
    ctx: Context, *, principal: Principal, hit_id: int, verdict: str, note: str = ""
) -> dict[str, Any]:
    """An analyst's verdict on a party hit, remembered for the (party, entry content) pair.

    A false match that was the last reason for a screening hold releases the declaration back to
    ``assessed`` and the pipeline goes on with it (risk and what follows).
    """
    principal.require(Action.JUDGE_SCREENING_HIT)
    try:
        value = Verdict(verdict)
    except ValueError as exc:
        raise InvalidJudgement(f"unknown verdict {verdict!r}", {"verdict": verdict}) from exc
    now = ctx.clock.now()
    released: int | None = None
    with ctx.uow() as uow:
        uow.lock()
        session = uow.session
        hit = session.get(ScreeningHitRow, hit_id)
        if hit is None:
            raise UnknownHit(f"no screening hit {hit_id}", {"hit": hit_id})
        if hit.subject != "party":
            raise InvalidJudgement(
                "a goods hit is settled by the documents or an officer's decision, not judged",
                {"hit": hit_id},
            )
        record_judgement(
            session,
            party_key=hit.party_key,
            hit=PartyHit(
                hit.list_name,
                hit.entity_id,
                hit.entity_name,
                str(hit.explanation.get("matched_name", "")),
                hit.score or 0.0,
                (),
                hit.fingerprint,
            ),
            verdict=value,
            judged_by=principal.actor,
            at=now,
            note=note,
        )
        hit.status = _STATUS[value]
        hit.judged_by, hit.judged_at, hit.note = principal.actor, now, note
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="screening.hit_judged",
            subject_type="screening_hit",
            subject_id=str(hit.id),
            payload={
                "declaration": hit.declaration_id,
                "verdict": str(value),
                "list": hit.list_name,
                "entity": hit.entity_id,
                "fingerprint": hit.fingerprint,
                "note": note,
            },
        )
        row = session.get(DeclarationRow, hit.declaration_id)
        assert row is not None  # a foreign key
        if value is Verdict.FALSE_MATCH and _hold_lifted(session, row):
            latest = session.scalars(
                select(ScreeningRunRow)
                .where(ScreeningRunRow.declaration_id == row.id)
                .order_by(ScreeningRunRow.id.desc())
                .limit(1)
            ).one()
            latest.outcome = "released"
            transition(
                uow,
                row,
                State.ASSESSED,
                at=now,
                actor=principal.actor,
                payload={"because": "screening hold lifted", "screening_run": latest.id},
            )
            released = row.id
        out = {**_hit_dict(hit), "declaration_state": row.state, "mrn": row.mrn}
        uow.commit()
    if released is not None:
        from customhouse.services.pipeline import run_after_acceptance

        run_after_acceptance(ctx, [released])
        with ctx.sessions() as session:
            state = session.scalar(
                select(DeclarationRow.state).where(DeclarationRow.id == released)
            )
        out["declaration_state"] = state
    return out


# --- queries an officer raises ------------------------------------------------------------------

# States in which the goods are not yet released and a document can still be asked for.
QUERYABLE = (
    State.ACCEPTED.value,
    State.ASSESSED.value,
    State.SELECTED.value,
    State.UNDER_CONTROL.value,
    State.HELD.value,
)


def raise_query(
    ctx: Context,
    *,
    principal: Principal,
    mrn: str,
    missing: str,
    reason: str,
    legal_base: str = "",
    item: int = 0,
) -> dict[str, Any]:
    """An officer asks the declarant for a document (item 0: the whole declaration). The
    declarant sees it with the screening queries and answers it the same way. Holding the goods
    meanwhile is a separate decision (``controls.hold``)."""
    principal.require(Action.RAISE_QUERY)
    problems = [
        Problem("screening.required", f"/{name}", "required")
        for name, value in (("missing", missing), ("reason", reason))
        if not value.strip()
    ]
    if len(missing) > 500 or len(reason) > 2000 or len(legal_base) > 500:
        problems.append(Problem("screening.too_long", "/reason", "too long"))
    if problems:
        raise BadQuery("say which document is needed and why", problems)
    view = dsvc.get_declaration(ctx, principal=principal, mrn=mrn)
    numbers = {int(i.get("sequence", 0)) for i in view.document.get("items", [])}
    if item and item not in numbers:
        raise BadQuery(
            f"the declaration has no item {item}",
            [Problem("screening.item", "/item", f"one of {sorted(numbers)}")],
        )
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        row = uow.session.get(DeclarationRow, view.id)
        assert row is not None
        if row.state not in QUERYABLE:
            raise NotQueryable(
                f"a {row.state} declaration takes no new query", {"state": row.state}
            )
        query = ScreeningQueryRow(
            declaration_id=row.id,
            declaration_version=row.version,
            item_sequence=item,
            missing=missing.strip(),
            legal_base=legal_base.strip() or "asked by customs",
            reason=reason.strip(),
            status="open",
            created_at=now,
            answer="",
            asked_by=principal.username,
        )
        uow.session.add(query)
        uow.session.flush()
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="screening.query",
            subject_type=dsvc.SUBJECT,
            subject_id=str(row.id),
            payload={
                "query": query.id,
                "item": item,
                "missing": query.missing,
                "legal_base": query.legal_base,
                "asked_by": principal.username,
            },
        )
        out = {"mrn": row.mrn, **_query_dict(query)}
        uow.commit()
    return out


# --- the declarant's answers ------------------------------------------------------------------

MAX_ANSWER = 4000


def answer_query(
    ctx: Context,
    *,
    principal: Principal,
    query_id: int,
    text: str,
    document: tuple[bytes, str] | None = None,
) -> dict[str, Any]:
    """The declarant (or its representative) answers a query on its declaration: words and,
    optionally, a document (kept as evidence under its SHA-256 and attached to the
    declaration). The query is then ``answered``; an officer reads the answer and decides
    (lift the hold, release, or ask again). Reply, evidence and ledger events in one unit of
    work."""
    principal.require(Action.ANSWER_QUERY)
    words = text.strip()
    if not words and document is None:
        raise EmptyAnswer(
            "an answer needs words or a document",
            [Problem("screening.empty_answer", "/text", "write an answer or attach a document")],
        )
    if len(words) > MAX_ANSWER:
        raise EmptyAnswer(
            f"an answer is at most {MAX_ANSWER} characters",
            [Problem("screening.answer_too_long", "/text", f"at most {MAX_ANSWER} characters")],
        )
    upload = ctl.checked_upload(ctx, document[0], document[1]) if document else None
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        session = uow.session
        query = session.get(ScreeningQueryRow, query_id)
        if query is None:
            raise UnknownQuery(f"no query {query_id}", {"query": query_id})
        row = session.get(DeclarationRow, query.declaration_id)
        assert row is not None  # a foreign key
        if not principal.owns(row.declarant_eori, row.representative_eori):
            raise NotYourQuery("only the declarant or its representative answers this query")
        if query.status != "open":
            raise QueryAlreadyAnswered(
                f"query {query_id} is already {query.status}", {"query": query_id}
            )
        digest = None
        if document is not None and upload is not None:
            digest = ctl.attach(
                uow,
                principal,
                row,
                content=document[0],
                filename=upload[0],
                media_type=upload[1],
                source="trader",
                note=f"answer to query {query.id}: {query.missing}"[:500],
                now=now,
            )
        reply = QueryReplyRow(
            query_id=query.id,
            declaration_id=row.id,
            text=words,
            evidence_sha256=digest,
            replied_by=principal.username,
            replied_at=now,
        )
        session.add(reply)
        query.status, query.answered_at, query.answer = "answered", now, words
        session.flush()
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="screening.query_answered",
            subject_type=dsvc.SUBJECT,
            subject_id=str(row.id),
            payload={"query": query.id, "reply": reply.id, "text": words, "evidence": digest},
        )
        out = {"mrn": row.mrn, **_query_dict(query, [reply])}
        uow.commit()
    return out


# --- list reloads ------------------------------------------------------------------------------


def load_sanctions_list(
    ctx: Context,
    *,
    principal: Principal,
    sanctions_list: SanctionsList,
    source: str = "",
    recent_days: int | None = None,
) -> dict[str, Any]:
    """Store a list version (ledger ``screening.list_loaded``), then re-screen the parties of
    recent declarations against what it added or changed. New hits are stored, reported and,
    where the declaration can still be held, hold it."""
    principal.require(Action.MANAGE_SCREENING_LISTS)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        diff = save_list(uow.session, sanctions_list, now)
        summary: dict[str, Any] = {
            "list": sanctions_list.name,
            "kind": str(sanctions_list.kind),
            "version": sanctions_list.version,
            "entities": len(sanctions_list.entities),
            "added": len(diff.added),
            "changed": len(diff.changed),
            "removed": len(diff.removed),
            "source": source,
        }
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="screening.list_loaded",
            subject_type="screening_list",
            subject_id=sanctions_list.name,
            payload={**summary, "previous_version": diff.old_version},
        )
        uow.commit()
    days = ctx.settings.screening_recent_days if recent_days is None else recent_days
    summary["rescreen"] = rescreen_recent(
        ctx, sanctions_list=sanctions_list, diff=diff, since=now - timedelta(days=days), now=now
    )
    return summary


def load_shipped_lists(ctx: Context, *, principal: Principal) -> list[dict[str, Any]]:
    """Store each shipped list the store does not hold yet, through :func:`load_sanctions_list`.

    A list already held is kept, whatever its version: the same version would only add a
    ledger event on every ``make run``, and a list loaded from current files must not be
    replaced by the older snapshot (``load-list`` replaces lists on purpose).
    """
    principal.require(Action.MANAGE_SCREENING_LISTS)
    with ctx.sessions() as session:
        _, held = list_versions(session)
    out: list[dict[str, Any]] = []
    for name, kind, relative in SHIPPED_LISTS:
        if name in held:
            out.append({"list": name, "kind": str(kind), "version": held[name], "kept": True})
            continue
        path = SHIPPED_LISTS_DIR / relative
        sanctions_list = load_list(kind, path)
        summary = load_sanctions_list(
            ctx, principal=principal, sanctions_list=sanctions_list, source=f"shipped:{relative}"
        )
        out.append({**summary, "kept": False})
    return out


def listed_organisations(
    ctx: Context, *, list_name: str = "UN", count: int = 5
) -> list[tuple[str, str]]:
    """(name, country) of the first ``count`` organisations with a country on a stored list
    (the demo declares some of them, so that its screening has true hits); [] without it."""
    with ctx.sessions() as session:
        lists = load_lists(session, [list_name])
    found = [
        (e.name, e.countries[0])
        for sl in lists
        for e in sorted(sl.entities, key=lambda e: e.entity_id)
        if e.entity_type is EntityType.ORGANIZATION and e.countries
    ]
    return found[:count]


def rescreen_recent(
    ctx: Context,
    *,
    sanctions_list: SanctionsList,
    diff: ListDiff,
    since: datetime,
    now: datetime,
) -> dict[str, Any]:
    """Parties of declarations lodged since ``since`` against the reload's added and changed
    entries only; new hits stored (each with its ledger event) and returned."""
    report: dict[str, Any] = {"since": since.date().isoformat(), "declarations": 0, "hits": []}
    if not (diff.added or diff.changed):
        return report
    threshold = float(ctx.settings.screening_threshold)
    with ctx.sessions() as session:
        docs = [
            (row_id, DeclarationDocument.model_validate(document))
            for row_id, document in session.execute(
                select(DeclarationRow.id, DeclarationRow.document).where(
                    DeclarationRow.lodged_at >= timestamp(since),
                    DeclarationRow.mrn.is_not(None),
                    DeclarationRow.state.not_in(
                        (State.REJECTED.value, State.INVALIDATED.value, State.DRAFT.value)
                    ),
                )
            )
        ]
    report["declarations"] = len(docs)
    parties = {party_key(p): p for _, doc in docs for _, p in parties_of(doc)}
    found = {
        party_key(r.party): r for r in rescreen(parties.values(), sanctions_list, diff, threshold)
    }
    if not found:
        return report
    with ctx.sessions() as session:
        remembered = remembered_verdicts(session, found)
    with ctx.uow() as uow:
        uow.lock()
        session = uow.session
        rows = _rows(session, [row_id for row_id, _ in docs])
        for row_id, doc in docs:
            row = rows[row_id]
            new: list[HitRecord] = []
            for role, party in parties_of(doc):
                key = party_key(party)
                result = found.get(key)
                for h in result.hits if result else ():
                    if remembered.get((key, h.list_name, h.entity_id, h.fingerprint)) is (
                        Verdict.FALSE_MATCH
                    ) or _already_raised(session, row, key, h):
                        continue
                    new.append(
                        HitRecord(
                            subject="party",
                            list_name=h.list_name,
                            entity_id=h.entity_id,
                            entity_name=h.entity_name,
                            action="hold",
                            status="open",
                            explanation={
                                "matched_name": h.matched_name,
                                "features": [f.as_dict() for f in h.features],
                                "threshold": threshold,
                                "raised_by": f"{diff.list_name} {diff.new_version} reload",
                            },
                            party_role=role,
                            party_key=key,
                            screened_name=party.name,
                            fingerprint=h.fingerprint,
                            score=round(h.score, 4),
                        )
                    )
            if new:
                report["hits"].extend(_store_rescreen(uow, row, new, diff, now))
        uow.commit()
    return report


def _already_raised(session: Session, row: DeclarationRow, key: str, h: PartyHit) -> bool:
    return bool(
        session.scalar(
            select(func.count(ScreeningHitRow.id)).where(
                ScreeningHitRow.declaration_id == row.id,
                ScreeningHitRow.declaration_version == row.version,
                ScreeningHitRow.party_key == key,
                ScreeningHitRow.list_name == h.list_name,
                ScreeningHitRow.entity_id == h.entity_id,
                ScreeningHitRow.fingerprint == h.fingerprint,
            )
        )
    )


def _store_rescreen(
    uow: UnitOfWork, row: DeclarationRow, new: list[HitRecord], diff: ListDiff, now: datetime
) -> list[dict[str, Any]]:
    hold = row.state in HOLDABLE
    reasons = tuple(
        f"{h.party_role} {h.screened_name!r} matches {h.list_name} entry {h.entity_id}"
        f" {h.entity_name!r} (score {h.score:.2f}) after the {diff.list_name} reload"
        for h in new
    )
    if hold:
        public = tuple(
            dict.fromkeys(f"{h.party_role}: party screening needs a review" for h in new)
        )
        record(
            uow,
            row,
            DeclarationScreening(hits=tuple(new), hold_reasons=reasons, public_reasons=public),
            {diff.list_name: diff.new_version},
            now,
        )
        stored = uow.session.scalars(
            select(ScreeningHitRow)
            .where(ScreeningHitRow.declaration_id == row.id)
            .order_by(ScreeningHitRow.id.desc())
            .limit(len(new))
        ).all()
    else:
        # Too late to hold (released, under control ...): stored and reported for an officer.
        stored = [_hit_row(row, h, now, note="raised by a list reload") for h in new]
        uow.session.add_all(stored)
        uow.session.flush()
        for hit in stored:
            _hit_event(uow, row, hit, now)
    return [
        {
            "mrn": row.mrn,
            "state": row.state,
            "held": hold,
            "hit": h.id,
            "party_role": h.party_role,
            "name": h.screened_name,
            "list": h.list_name,
            "entity": h.entity_id,
            "score": h.score,
        }
        for h in sorted(stored, key=lambda x: x.id)
    ]
