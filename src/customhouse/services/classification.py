"""Classification use cases: suggestions, nomenclature search, binding rulings, the step.

The suggestion model is trained from the shipped texts once per process (``ctx.cached``) and
pickled under a cache directory keyed by a digest of its training data, so a new process loads
it in a fraction of a second instead of training it again.

The ``classify`` pipeline step runs after assessment: for each declared item it stores how well
the description fits the declared code and whether the holder of a binding ruling declares the
ruled goods under another code. It never changes a declaration's state: a ruling conflict adds a
warning problem to the declaration and a ledger event; risk reads the stored findings.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select

from customhouse.access.models import Action, Principal
from customhouse.classification import service as models
from customhouse.classification.consistency import (
    LOW_FIT,
    check_consistency_many,
)
from customhouse.classification.engine import SuggestionModel
from customhouse.classification.models import ConsistencyResult, SearchHit, SuggestionResult
from customhouse.classification.repository import RulingRepository
from customhouse.classification.rulings import (
    BindingRuling,
    check_item_against_rulings,
    issue_ruling,
)
from customhouse.classification.tables import BindingRulingRow, ItemFindingRow
from customhouse.declarations.lifecycle import State
from customhouse.declarations.models import DeclarationDocument
from customhouse.declarations.summary import DeclarationSummary, summarise
from customhouse.declarations.tables import DeclarationRow
from customhouse.errors import InvalidInput, Problem
from customhouse.ledger.models import timestamp
from customhouse.services.context import Context
from customhouse.services.declarations import SUBJECT
from customhouse.services.documents import document_cache, summaries_in_states
from customhouse.services.pipeline import Analyser, Step, register
from customhouse.storage.bulk import bulk_insert, table_of

STEP = "classify"
MODEL_KEY = "classification.model"
MAX_QUERY = 500  # characters of a description the suggestion API accepts
RULING_PROBLEM = "classification.RulingConflict"
LOW_FIT_PROBLEM = "classification.PoorFit"
# States the step looks at: everything after acceptance that is not finished or withdrawn.
_STATES = frozenset({State.ACCEPTED.value, State.ASSESSED.value, State.HELD.value})


def cache_dir(ctx: Context) -> Path:
    """Where trained models are kept between processes (settings, else the user's cache)."""
    configured = getattr(ctx.settings, "cache_dir", None)
    return Path(configured) if configured else default_cache_dir()


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/customhouse``, else ``~/.cache/customhouse``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "customhouse"


def model(ctx: Context) -> SuggestionModel:
    """The suggestion model, warmed once per process (from the disk cache when it is there)."""
    mode: models.EmbeddingsMode = getattr(ctx.settings, "classification_embeddings", "off")
    found: SuggestionModel = ctx.cached(
        MODEL_KEY,
        lambda: models.get_model(cache_dir=cache_dir(ctx), embeddings=models.use_embeddings(mode)),
    )
    return found


def _query(text: str) -> str:
    q = " ".join(text.split())
    if not q:
        raise InvalidInput(
            "a goods description is needed",
            [Problem("classification.EmptyQuery", "/q", "describe the goods")],
        )
    if len(q) > MAX_QUERY:
        raise InvalidInput(
            f"a goods description is at most {MAX_QUERY} characters",
            [Problem("classification.QueryTooLong", "/q", f"at most {MAX_QUERY} characters")],
        )
    return q


def suggest(ctx: Context, *, text: str, k: int = 5) -> SuggestionResult:
    """Likely HS6 codes for ``text`` with confidence and reasons, or what is missing (public)."""
    return model(ctx).suggest(_query(text), k=max(1, min(k, 20)))


def search(ctx: Context, *, text: str, limit: int = 10) -> list[SearchHit]:
    """Type-ahead over sections, chapters, headings and subheadings (public)."""
    return models.get_search().search(_query(text), limit=max(1, min(limit, 50)))


# --- binding rulings ------------------------------------------------------------------------


def _next_reference(session: Any, country: str, year: int) -> str:
    prefix = f"{country}BTI{year}"
    n = session.scalar(select(func.count()).where(BindingRulingRow.reference.like(f"{prefix}%")))
    return f"{prefix}{int(n or 0) + 1:06d}"


def issue(
    ctx: Context,
    *,
    principal: Principal,
    holder_eori: str,
    goods_description: str,
    commodity_code: str,
    justification: str,
    valid_to: date | None = None,
) -> BindingRuling:
    """An officer issues a binding ruling, valid three years from today unless told otherwise."""
    principal.require(Action.ISSUE_RULING)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        reference = _next_reference(uow.session, ctx.settings.country, now.year)
        ruling = issue_ruling(
            reference=reference,
            holder_eori=holder_eori,
            goods_description=goods_description,
            commodity_code=commodity_code,
            justification=justification,
            issued_on=now.date(),
            valid_to=valid_to,
        )
        RulingRepository(uow.session).add(ruling)
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="classification.ruling_issued",
            subject_type="binding_ruling",
            subject_id=ruling.reference,
            payload=ruling.as_dict(),
        )
        uow.commit()
    return ruling


def revoke(ctx: Context, *, principal: Principal, reference: str, reason: str) -> BindingRuling:
    """Revoke a ruling from today (officer or supervisor); revoking twice is a conflict."""
    principal.require(Action.REVOKE_RULING)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        repo = RulingRepository(uow.session)
        ruling = repo.get(reference).revoke(on=now.date(), reason=reason)
        repo.save_revocation(ruling)
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="classification.ruling_revoked",
            subject_type="binding_ruling",
            subject_id=ruling.reference,
            payload={"revoked_on": now.date().isoformat(), "reason": ruling.revocation_reason},
        )
        uow.commit()
    return ruling


def list_rulings(
    ctx: Context,
    *,
    principal: Principal,
    holder: str | None = None,
    text: str | None = None,
    limit: int = 50,
) -> list[BindingRuling]:
    """Rulings by holder and/or text; a declarant sees only its own."""
    principal.require(Action.READ_RULINGS)
    if principal.is_trader:
        if principal.eori is None:
            return []
        if holder and holder.strip().upper() != principal.eori.upper():
            return []
        holder = principal.eori
    limit = max(1, min(limit, 200))
    with ctx.sessions() as session:
        repo = RulingRepository(session)
        if text and text.strip():
            found = repo.search(text, limit=limit if not holder else 10_000)
            if holder:
                found = [r for r in found if r.holder_eori == holder.strip().upper()]
            return found[:limit]
        if holder:
            return repo.for_holder(holder)[:limit]
        rows = session.scalars(
            select(BindingRulingRow).order_by(BindingRulingRow.reference).limit(limit)
        )
        return [repo.get(r.reference) for r in rows]


# --- the pipeline step -----------------------------------------------------------------------


@dataclass(frozen=True)
class ItemFinding:
    item: int
    declared_code: str
    description: str
    fit_score: float | None
    low_fit: bool
    fit: dict[str, float]
    better_codes: list[dict[str, Any]]
    ruling_conflicts: list[dict[str, Any]]
    reasons: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "declared_code": self.declared_code,
            "description": self.description,
            "fit_score": self.fit_score,
            "low_fit": self.low_fit,
            "ruling_conflict": bool(self.ruling_conflicts),
            "fit": self.fit,
            "better_codes": self.better_codes,
            "ruling_conflicts": self.ruling_conflicts,
            "reasons": self.reasons,
        }


def fits(model_: SuggestionModel, summary: DeclarationSummary) -> list[ConsistencyResult]:
    """How well each item's description fits its declared code (pure; the costly part)."""
    return fits_many(model_, [summary])[0]


def fits_many(
    model_: SuggestionModel, summaries: Sequence[DeclarationSummary]
) -> list[list[ConsistencyResult]]:
    """:func:`fits` of many declarations, their descriptions scored together (one sparse
    product per chunk instead of one per item); brief: the better codes carry what
    :func:`examine` keeps, which is also all a preparing worker sends back."""
    checked = iter(
        check_consistency_many(
            model_,
            [(i.description, i.commodity_code) for d in summaries for i in d.items],
            brief=True,
        )
    )
    return [[next(checked) for _ in d.items] for d in summaries]


def examine(
    model_: SuggestionModel,
    summary: DeclarationSummary,
    rulings: Sequence[BindingRuling],
    fitted: Sequence[ConsistencyResult] | None = None,
) -> list[ItemFinding]:
    """Findings on every item of a declaration (pure: the model, the declaration's summary,
    the holders' rulings); ``fitted`` is :func:`fits` of it when it was made ahead."""
    return with_rulings(fitted_findings(model_, summary, fitted), summary, rulings)


def fitted_findings(
    model_: SuggestionModel,
    summary: DeclarationSummary,
    fitted: Sequence[ConsistencyResult] | None = None,
) -> list[ItemFinding]:
    """:func:`examine` without rulings: what a preparing worker makes ahead (it knows none)."""
    out = []
    for item, c in zip(summary.items, fitted or fits(model_, summary), strict=True):
        out.append(
            ItemFinding(
                item=item.sequence,
                declared_code=c.declared_code,
                description=item.description,
                fit_score=c.score,
                low_fit=c.score is not None and c.score < LOW_FIT,
                fit={str(k): round(v, 4) for k, v in c.fit.items()},
                better_codes=[
                    {
                        "code": s.code,
                        "confidence": round(s.confidence, 4),
                        "title": s.path[-1].description if s.path else "",
                    }
                    for s in c.better_codes
                ],
                ruling_conflicts=[],
                reasons=list(c.reasons),
            )
        )
    return out


def with_rulings(
    findings: list[ItemFinding], summary: DeclarationSummary, rulings: Sequence[BindingRuling]
) -> list[ItemFinding]:
    """The findings with each item's conflicts with the holders' binding rulings added."""
    if not rulings:
        return findings
    at = summary.declaration_date
    holders = summary.holders
    out = []
    for item, f in zip(summary.items, findings, strict=True):
        conflicts = [
            x
            for h in holders
            for x in check_item_against_rulings(
                holder_eori=h,
                description=item.description,
                declared_code=item.commodity_code,
                rulings=rulings,
                at=at,
            )
        ]
        if conflicts:
            f = replace(
                f,
                ruling_conflicts=[*f.ruling_conflicts, *(x.as_dict() for x in conflicts)],
                reasons=[*f.reasons, *(x.reason for x in conflicts)],
            )
        out.append(f)
    return out


def _problems(findings: Sequence[ItemFinding], summary: DeclarationSummary) -> list[Problem]:
    index = {item.sequence: i for i, item in enumerate(summary.items)}
    out = []
    for f in findings:
        for x in f.ruling_conflicts:
            out.append(
                Problem(
                    RULING_PROBLEM,
                    f"/items/{index.get(f.item, 0)}/commodity_code",
                    x["reason"],
                    "warning",
                )
            )
    return out


def run(ctx: Context, declaration_ids: list[int]) -> None:
    """The ``classify`` step: store findings per item; no declaration changes state."""
    with ctx.sessions() as session:
        loaded = summaries_in_states(ctx, session, declaration_ids, _STATES)
        if not loaded:
            return
        holders = sorted({h for _, _, d in loaded for h in d.holders})
        rulings: list[BindingRuling] = []
        if holders:
            repo = RulingRepository(session)
            has_any = session.scalar(
                select(func.count()).where(BindingRulingRow.holder_eori.in_(holders))
            )
            if has_any:
                rulings = [r for h in holders for r in repo.for_holder(h)]
    m = model(ctx)
    cache = document_cache(ctx)
    made: list[list[ItemFinding] | None] = [
        cache.analysis(i, v, STEP, _basis(m)) for i, v, _ in loaded
    ]
    # What the preparing worker did not make is fitted here, in one batch.
    missing = [n for n, f in enumerate(made) if f is None]
    fitted = dict(zip(missing, fits_many(m, [loaded[n][2] for n in missing]), strict=True))
    results = []
    for n, ((i, v, d), f) in enumerate(zip(loaded, made, strict=True)):
        findings = f if f is not None else fitted_findings(m, d, fitted[n])
        results.append((i, v, d, with_rulings(findings, d, rulings)))
    _store(ctx, results)


def _basis(model_: SuggestionModel) -> str:
    # The analyser's closure holds the model for as long as the workers live, so its id is not
    # given to another model meanwhile.
    return f"model@{id(model_)}"


def analyser(ctx: Context) -> Analyser:
    """The item findings without rulings, made by the preparing workers with the model they
    were forked with (the step adds the holders' rulings)."""
    m = model(ctx)

    def findings(docs: Sequence[DeclarationDocument]) -> list[list[ItemFinding]]:
        summaries = [summarise(d) for d in docs]
        return [
            fitted_findings(m, d, f)
            for d, f in zip(summaries, fits_many(m, summaries), strict=True)
        ]

    return Analyser(STEP, _basis(m), findings)


def _store(
    ctx: Context, results: list[tuple[int, int, DeclarationSummary, list[ItemFinding]]]
) -> None:
    now = ctx.clock.now()
    stamp = timestamp(now)
    with ctx.uow() as uow:
        uow.lock()
        session = uow.session
        ids = [r[0] for r in results]
        current = dict(
            session.execute(
                select(DeclarationRow.id, DeclarationRow.version).where(DeclarationRow.id.in_(ids))
            ).all()
        )
        # Only the version the findings were made on; a rerun replaces its own findings.
        results = [r for r in results if current.get(r[0]) == r[1]]
        stored = {
            (did, version)
            for start in range(0, len(results), 1000)
            for did, version in session.execute(
                select(ItemFindingRow.declaration_id, ItemFindingRow.declaration_version)
                .where(
                    ItemFindingRow.declaration_id.in_([r[0] for r in results[start : start + 1000]])
                )
                .distinct()
            )
        }
        for row_id, version, _, _ in results:
            if (row_id, version) in stored:
                session.execute(
                    delete(ItemFindingRow).where(
                        ItemFindingRow.declaration_id == row_id,
                        ItemFindingRow.declaration_version == version,
                    )
                )
        rows = [
            {
                "declaration_id": row_id,
                "declaration_version": version,
                "item": f.item,
                "declared_code": f.declared_code,
                "description": f.description,
                "fit_score": f.fit_score,
                "low_fit": f.low_fit,
                "ruling_conflict": bool(f.ruling_conflicts),
                "fit": f.fit,
                "better_codes": f.better_codes,
                "ruling_conflicts": f.ruling_conflicts,
                "reasons": f.reasons,
                "created_at": stamp,
            }
            for row_id, version, _, findings in results
            for f in findings
        ]
        bulk_insert(session, table_of(ItemFindingRow), rows)
        for row_id, version, summary, findings in results:
            problems = _problems(findings, summary)
            if not problems:
                continue
            row = session.get(DeclarationRow, row_id)
            assert row is not None
            kept = [p for p in row.problems or [] if p.get("code") != RULING_PROBLEM]
            row.problems = kept + [p.as_dict() for p in problems]
            uow.ledger.append(
                at=now,
                actor="system",
                kind="classification.ruling_conflict",
                subject_type=SUBJECT,
                subject_id=str(row_id),
                payload={
                    "version": version,
                    "conflicts": [
                        {"item": f.item, **x} for f in findings for x in f.ruling_conflicts
                    ],
                },
            )
        uow.commit()


def findings_for(ctx: Context, declaration_id: int) -> dict[str, Any] | None:
    """The stored findings on the declaration's current version (the officer's view, risk)."""
    with ctx.sessions() as session:
        version = session.scalar(
            select(DeclarationRow.version).where(DeclarationRow.id == declaration_id)
        )
        rows = list(
            session.scalars(
                select(ItemFindingRow)
                .where(
                    ItemFindingRow.declaration_id == declaration_id,
                    ItemFindingRow.declaration_version == version,
                )
                .order_by(ItemFindingRow.item)
            )
        )
    if not rows:
        return None
    scores = [r.fit_score for r in rows if r.fit_score is not None]
    return {
        "version": version,
        "min_fit_score": min(scores) if scores else None,
        "low_fit_items": [r.item for r in rows if r.low_fit],
        "ruling_conflict_items": [r.item for r in rows if r.ruling_conflict],
        "items": [
            {
                "item": r.item,
                "declared_code": r.declared_code,
                "fit_score": r.fit_score,
                "low_fit": r.low_fit,
                "ruling_conflict": r.ruling_conflict,
                "fit": r.fit,
                "better_codes": r.better_codes,
                "ruling_conflicts": r.ruling_conflicts,
                "reasons": r.reasons,
            }
            for r in rows
        ],
    }


def risk_features(session: Any, declaration_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Per declaration (current version): lowest fit score and ruling conflict, for risk."""
    out: dict[int, dict[str, Any]] = {}
    rows = session.execute(
        select(
            ItemFindingRow.declaration_id,
            ItemFindingRow.item,
            ItemFindingRow.fit_score,
            ItemFindingRow.ruling_conflict,
        )
        .join(
            DeclarationRow,
            (DeclarationRow.id == ItemFindingRow.declaration_id)
            & (DeclarationRow.version == ItemFindingRow.declaration_version),
        )
        .where(ItemFindingRow.declaration_id.in_(list(declaration_ids)))
    )
    for decl, item, score, conflict in rows:
        f = out.setdefault(decl, {"min_fit_score": None, "ruling_conflict": False, "items": {}})
        f["items"][item] = {"fit_score": score, "ruling_conflict": conflict}
        if score is not None and (f["min_fit_score"] is None or score < f["min_fit_score"]):
            f["min_fit_score"] = score
        f["ruling_conflict"] = f["ruling_conflict"] or bool(conflict)
    return out


def warm(ctx: Context) -> None:
    model(ctx)


register(Step(STEP, run, warm, analyser))
