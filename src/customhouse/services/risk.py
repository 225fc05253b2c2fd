"""Risk management: the ``risk`` pipeline step, profiles under four eyes, models per office.

The step takes the declarations of a batch that are ``assessed`` (screening leaves the clean
ones there), adapts each with its current assessment (duty at stake) to a
:class:`~customhouse.risk.models.RiskSubject`, runs the pure risk engine (profiles in force, the
office's active model, the office policy, capacity left today, a seeded RNG) and, in ONE unit of
work, stores every decision with its reasons, sets the channel and moves the declaration to
``selected`` with a ledger event that carries the channel and the reasons.

The selection RNG is seeded from a secret per-day seed (drawn once from the OS, stored in
``risk_day_seeds``) and the batch's declaration ids, so an auditor holding the seed can replay
every draw; the global ``random`` and the clock are never used inside engines.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import secrets
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import load_only

from customhouse.access.models import Action, Principal
from customhouse.declarations.lifecycle import State
from customhouse.declarations.models import DeclarationDocument
from customhouse.declarations.summary import DeclarationSummary, summarise
from customhouse.declarations.tables import DeclarationRow
from customhouse.risk.engine import select_channels
from customhouse.risk.errors import FourEyesViolation, IllegalProfileTransition
from customhouse.risk.model import RiskModel, train_model
from customhouse.risk.models import (
    ChannelDecision,
    ModelScore,
    ProfileHit,
    Reason,
    RiskSubject,
    TrainingExample,
)
from customhouse.risk.policy import OfficePolicy, capacity_for
from customhouse.risk.profiles import (
    ProfileStatus,
    SelectivityProfile,
    activate,
    profile_from_dict,
    profile_to_dict,
    retire,
    submit,
)
from customhouse.risk.repository import RiskRepository
from customhouse.risk.tables import RiskDecisionRow, RiskOfficePolicyRow
from customhouse.services.context import Context
from customhouse.services.declarations import SUBJECT, batch_states, set_channel, transition
from customhouse.services.documents import summaries_of
from customhouse.services.pipeline import Step, register
from customhouse.tariff.assessment_tables import AssessmentRow
from customhouse.traders.tables import AuthorisationRow

STEP = "risk"
PROFILE_SUBJECT = "risk_profile"
MODEL_SUBJECT = "risk_model"
AEO_KINDS = ("AEOC", "AEOS", "AEOF")
NO_MODEL = Reason(
    "policy",
    "policy.no_model",
    "no risk model is active at this office: profiles and the random sample only",
)


# --- adapting a declaration -------------------------------------------------------------------


def _digits(code: str) -> str:
    return "".join(ch for ch in code if ch.isdigit())


def subjects_for(
    declaration_id: int,
    summary: DeclarationSummary,
    assessment: AssessmentRow | None,
    *,
    aeo: bool = False,
) -> tuple[RiskSubject, list[RiskSubject]]:
    """The declaration's own subject (for the model) and one subject per item (for profiles).

    The declaration is described by its largest item (commodity code, origin), its total
    customs value and net mass, and the duty at stake from its current assessment.
    """
    values: dict[int, Decimal] = {}
    if assessment is not None:
        for info in assessment.items or []:
            try:
                values[int(info["item"])] = Decimal(str(info["customs_value"]))
            except (KeyError, ArithmeticError, TypeError, ValueError):
                continue
    common: dict[str, Any] = {
        "lodged_on": summary.declaration_date,
        "departure": summary.dispatch_country,
        "importer_id": summary.importer_eori,
        "declarant_id": summary.declarant_eori,
        "seller_id": summary.seller_id,
        "procedure": summary.procedure,
        "transport_mode": summary.transport_mode,
        "office": summary.office,
        "aeo": aeo,
        "attributes": {"declaration_type": summary.declaration_type},
    }
    currency = assessment.currency if assessment is not None else summary.invoice_currency
    items = []
    for item in summary.items:
        value = values.get(item.sequence, item.invoice_amount)
        items.append(
            RiskSubject(
                declaration_id=f"{declaration_id}:{item.sequence}",
                commodity_code=_digits(item.commodity_code),
                origin=item.origin,
                customs_value=value,
                net_mass=item.net_mass,
                currency=currency,
                **common,
            )
        )
    main = max(items, key=lambda s: (s.customs_value, -len(s.declaration_id)))
    total_value = sum((s.customs_value for s in items), Decimal(0))
    duty = assessment.total if assessment is not None else None
    rate = None
    if duty is not None and total_value > 0:
        rate = (duty / total_value * 100).quantize(Decimal("0.01"))
    whole = replace(
        main,
        declaration_id=str(declaration_id),
        customs_value=total_value,
        net_mass=sum((s.net_mass for s in items), Decimal(0)),
        duty_amount=duty,
        tax_rate=rate,
    )
    return whole, items


# --- the office policy --------------------------------------------------------------------------


def office_policy(ctx: Context, row: RiskOfficePolicyRow | None, office: str) -> OfficePolicy:
    """The office's stored policy, or the defaults with the settings' random rate."""
    if row is None:
        random_rate = float(getattr(ctx.settings, "random_inspection_rate", Decimal("0.01")))
        return OfficePolicy(office=office, random_rate=random_rate)
    return OfficePolicy(
        office=office,
        inspection_rate=row.inspection_rate,
        random_rate=row.random_rate,
        exploration_rate=row.exploration_rate,
        red_threshold=row.red_threshold,
        blue_threshold=row.blue_threshold,
        aeo_factor=row.aeo_factor,
    )


def set_office_policy(
    ctx: Context,
    *,
    principal: Principal,
    office: str,
    inspection_rate: float = 0.05,
    daily_capacity: int | None = None,
    random_rate: float = 0.01,
    exploration_rate: float = 0.002,
    red_threshold: float = 0.5,
    blue_threshold: float = 0.3,
    aeo_factor: float = 0.5,
) -> dict[str, Any]:
    """Set an office's inspection rate, daily capacity and sampling rates (on the ledger)."""
    principal.require(Action.MANAGE_RISK_MODELS)
    values: dict[str, Any] = {
        "inspection_rate": inspection_rate,
        "daily_capacity": daily_capacity,
        "random_rate": random_rate,
        "exploration_rate": exploration_rate,
        "red_threshold": red_threshold,
        "blue_threshold": blue_threshold,
        "aeo_factor": aeo_factor,
    }
    OfficePolicy(office=office, **{k: v for k, v in values.items() if k != "daily_capacity"})
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        RiskRepository(uow.session).set_office_policy(office, values, by=principal.actor, at=now)
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="risk.policy_set",
            subject_type="office",
            subject_id=office,
            payload={k: str(v) if v is not None else None for k, v in values.items()},
        )
        uow.commit()
    return {"office": office, **values}


# --- the pipeline step ------------------------------------------------------------------------


def _model(ctx: Context, repo: RiskRepository, version: str | None) -> RiskModel | None:
    if version is None:
        return None
    model: RiskModel = ctx.cached(f"risk.model.{version}", lambda: repo.load_model(version))
    return model


def _rng_seed(day_seed: str, office: str, ids: Sequence[int]) -> str:
    text = f"{day_seed}:{office}:" + ",".join(str(i) for i in sorted(ids))
    return hashlib.sha256(text.encode()).hexdigest()


def _aeo_holders(session: Any, eoris: set[str], at: dt.date) -> set[str]:
    if not eoris:
        return set()
    day = at.isoformat()
    rows = session.execute(
        select(AuthorisationRow.eori, AuthorisationRow.valid_from, AuthorisationRow.valid_to).where(
            AuthorisationRow.eori.in_(sorted(eoris)), AuthorisationRow.kind.in_(AEO_KINDS)
        )
    )
    return {e for e, start, end in rows if start <= day and (end is None or day < end)}


def run(ctx: Context, declaration_ids: list[int]) -> None:
    """The ``risk`` pipeline step: assessed declarations of the batch get a channel."""
    if not declaration_ids:
        return
    now = ctx.clock.now()
    day = now.date()
    with ctx.uow() as uow:
        uow.lock()
        batch_states(uow)
        session = uow.session
        repo = RiskRepository(session)
        rows: list[DeclarationRow] = []
        for start in range(0, len(declaration_ids), 1000):
            chunk = declaration_ids[start : start + 1000]
            rows += session.scalars(
                select(DeclarationRow)
                .options(
                    load_only(
                        DeclarationRow.id,
                        DeclarationRow.state,
                        DeclarationRow.version,
                        DeclarationRow.mrn,
                        DeclarationRow.office,
                        DeclarationRow.channel,
                        DeclarationRow.updated_at,
                    )
                )
                .where(DeclarationRow.id.in_(chunk), DeclarationRow.state == State.ASSESSED.value)
                .order_by(DeclarationRow.id)
            )
        if not rows:
            return
        versions = {r.id: r.version for r in rows}
        summaries = {
            i: d
            for i, v, d in summaries_of(ctx, session, versions, (State.ASSESSED.value,))
            if versions[i] == v
        }
        rows = [r for r in rows if r.id in summaries]
        ids = [r.id for r in rows]
        assessments: dict[int, AssessmentRow] = {}
        for start in range(0, len(ids), 1000):
            for a in session.scalars(
                select(AssessmentRow)
                .options(
                    load_only(
                        AssessmentRow.declaration_id,
                        AssessmentRow.currency,
                        AssessmentRow.total,
                        AssessmentRow.items,
                    )
                )
                .where(
                    AssessmentRow.declaration_id.in_(ids[start : start + 1000]),
                    AssessmentRow.status == "current",
                )
            ):
                assessments[a.declaration_id] = a
        # Each declaration's declarant and importer, once: the AEO look-up reads them all.
        traders = {i: {d.declarant_eori, d.importer_eori} - {""} for i, d in summaries.items()}
        aeo = _aeo_holders(session, set().union(*traders.values()), day)
        profiles = repo.profiles_in_force(day)
        day_seed = repo.day_seed(day, lambda: secrets.token_hex(16))
        by_office: dict[str, list[DeclarationRow]] = {}
        for r in rows:
            by_office.setdefault(r.office, []).append(r)
        subjects: dict[int, tuple[RiskSubject, list[RiskSubject]]] = {}
        for r in rows:
            aeo_holder = bool(traders[r.id] & aeo)
            subjects[r.id] = subjects_for(
                r.id, summaries[r.id], assessments.get(r.id), aeo=aeo_holder
            )
        active = repo.active_model_versions(by_office)
        models = {office: _model(ctx, repo, active.get(office)) for office in by_office}
        policies = repo.office_policies(by_office)
        # One scoring per model over every office it serves (the feature lookups and the
        # booster cost most per call, not per declaration); reasons come later, for few.
        by_model: dict[str, tuple[RiskModel, list[RiskSubject]]] = {}
        for office, group in by_office.items():
            if (m := models[office]) is not None:
                by_model.setdefault(m.version, (m, []))[1].extend(subjects[r.id][0] for r in group)
        scores = {
            s.declaration_id: s
            for m, scored in by_model.values()
            for s in m.score(scored, explain=False)
        }
        decision_rows: list[dict[str, Any]] = []
        hits: list[tuple[str, ProfileHit]] = []
        for office, group in sorted(by_office.items()):
            rows_made, office_hits = _route_office(
                ctx,
                uow,
                repo,
                office,
                policies.get(office),
                group,
                subjects,
                assessments,
                models[office],
                scores,
                profiles,
                day_seed,
                now,
            )
            decision_rows += rows_made
            hits += [(office, h) for h in office_hits]
        repo.record_office_hits(hits)
        repo.add_decisions(decision_rows)
        uow.commit()


def _route_office(
    ctx: Context,
    uow: Any,
    repo: RiskRepository,
    office: str,
    policy_row: RiskOfficePolicyRow | None,
    group: list[DeclarationRow],
    subjects: dict[int, tuple[RiskSubject, list[RiskSubject]]],
    assessments: dict[int, AssessmentRow],
    model: RiskModel | None,
    scores: dict[str, ModelScore],
    profiles: list[SelectivityProfile],
    day_seed: str,
    now: dt.datetime,
) -> tuple[list[dict[str, Any]], list[ProfileHit]]:
    """The office's decisions as rows to store, and the profile hits to count."""
    day = now.date()
    policy = office_policy(ctx, policy_row, office)
    seed = _rng_seed(day_seed, office, [r.id for r in group])
    rng = random.Random(int(seed, 16))
    capacity = capacity_for(len(group), policy.inspection_rate, rng)
    if policy_row is not None and policy_row.daily_capacity is not None:
        left = max(0, policy_row.daily_capacity - repo.inspections_on(office, day))
        capacity = min(capacity, left)
    whole = [subjects[r.id][0] for r in group]
    items = {subjects[r.id][0].declaration_id: subjects[r.id][1] for r in group}
    decisions = select_channels(
        whole,
        profiles=profiles,
        model=model,
        scores=scores,
        policy=policy,
        rng=rng,
        at=day,
        capacity=capacity,
        item_subjects=items,
        explain_blue=True,  # the post-clearance auditor is told why too
    )
    out: list[dict[str, Any]] = []
    for r, d in zip(group, decisions, strict=True):
        if model is None:
            d = replace(d, reasons=(*d.reasons, NO_MODEL))
        a = assessments.get(r.id)
        out.append(
            {
                "declaration_id": r.id,
                "declaration_version": r.version,
                "office": office,
                "day": day,
                "channel": d.channel.value,
                "reasons": [x.as_dict() for x in d.reasons],
                "profile_hits": [f"{h.profile_code}@{h.profile_version}" for h in d.profile_hits],
                "instructions": list(d.instructions),
                "model_version": model.version if model is not None else None,
                "mandatory": d.mandatory,
                "random_sample": d.random_sample,
                "exploration": d.exploration,
                "model_selected": d.model_selected,
                "probability": d.probability,
                "expected_revenue": d.expected_revenue,
                "currency": a.currency if a is not None else None,
                "seed": seed,
                "decided_at": now,
            }
        )
        set_channel(uow, r, d.channel.value)
        transition(uow, r, State.SELECTED, at=now, actor="system", payload=_payload(d, model))
    return out, [h for d in decisions for h in d.profile_hits]


def _payload(d: ChannelDecision, model: RiskModel | None) -> dict[str, Any]:
    # Ledger payloads hold text only (no floats), so their hashes survive every database.
    return {
        "channel": d.channel.value,
        "mandatory": d.mandatory,
        "random_sample": d.random_sample,
        "exploration": d.exploration,
        "model": model.version if model is not None else None,
        "probability": None if d.probability is None else f"{d.probability:.4f}",
        "profiles": [f"{h.profile_code}@{h.profile_version}" for h in d.profile_hits],
        "reasons": [{"source": x.source, "code": x.code, "message": x.message} for x in d.reasons],
    }


def warm(ctx: Context) -> None:
    """Every model active at some office, loaded once for the batches that follow."""
    with ctx.sessions() as session:
        repo = RiskRepository(session)
        for version in repo.active_versions():
            _model(ctx, repo, version)


register(Step(STEP, run, warm))


# --- reading decisions ------------------------------------------------------------------------


def _decision_dict(row: RiskDecisionRow) -> dict[str, Any]:
    return {
        "channel": row.channel,
        "declaration_version": row.declaration_version,
        "decided_at": row.decided_at.isoformat(),
        "mandatory": row.mandatory,
        "random_sample": row.random_sample,
        "exploration": row.exploration,
        "model_selected": row.model_selected,
        "model_version": row.model_version,
        "probability": row.probability,
        "expected_revenue": None if row.expected_revenue is None else f"{row.expected_revenue:.2f}",
        "currency": row.currency,
        "profiles": list(row.profile_hits or []),
        "instructions": list(row.instructions or []),
        "reasons": list(row.reasons or []),
    }


def current_decision(ctx: Context, declaration_id: int) -> dict[str, Any] | None:
    """The latest channel decision of a declaration with every reason (None before routing)."""
    with ctx.sessions() as session:
        row = RiskRepository(session).current_decision(declaration_id)
        return None if row is None else _decision_dict(row)


def risk_view(ctx: Context, *, principal: Principal, declaration_id: int) -> dict[str, Any] | None:
    """What an officer sees of the routing; None for traders (targeting is not shown to them)."""
    if not principal.may(Action.READ_RISK):
        return None
    return current_decision(ctx, declaration_id)


# --- profiles under four eyes -----------------------------------------------------------------


def _profile_out(p: SelectivityProfile) -> dict[str, Any]:
    return profile_to_dict(p)


def create_profile(ctx: Context, *, principal: Principal, data: dict[str, Any]) -> dict[str, Any]:
    """A new draft version of a profile (version = latest + 1), authored by ``principal``."""
    principal.require(Action.DRAFT_RISK_PROFILE)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        repo = RiskRepository(uow.session)
        code = str(data.get("code", ""))
        fields = {
            **data,
            "version": repo.next_version(code) if code else 1,
            "author": principal.username,
            "status": ProfileStatus.DRAFT.value,
            "approved_by": None,
            "approved_on": None,
        }
        fields.setdefault("valid_from", now.date().isoformat())
        profile = profile_from_dict(fields)
        repo.save_profile(profile, at=now)
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="risk.profile_drafted",
            subject_type=PROFILE_SUBJECT,
            subject_id=profile.code,
            payload={"version": profile.version, "profile": _profile_out(profile)},
        )
        uow.commit()
    return _profile_out(profile)


def submit_profile(
    ctx: Context, *, principal: Principal, code: str, version: int | None = None
) -> dict[str, Any]:
    """The author hands a draft over for a second person's approval."""
    principal.require(Action.DRAFT_RISK_PROFILE)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        repo = RiskRepository(uow.session)
        profile = repo.get_profile(code, version)
        if profile.author.casefold() != principal.username.casefold():
            raise IllegalProfileTransition(
                f"only the author {profile.author} submits profile {code} v{profile.version}",
                {"code": code, "version": profile.version},
            )
        profile = submit(profile)
        repo.save_profile(profile, at=now)
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="risk.profile_submitted",
            subject_type=PROFILE_SUBJECT,
            subject_id=code,
            payload={"version": profile.version},
        )
        uow.commit()
    return _profile_out(profile)


def approve_profile(
    ctx: Context, *, principal: Principal, code: str, version: int | None = None, note: str = ""
) -> dict[str, Any]:
    """A second risk analyst or a supervisor activates a submitted version; the earlier active
    version of the same profile is retired. The author approving is refused (409)."""
    principal.require(Action.APPROVE_RISK_PROFILE)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        repo = RiskRepository(uow.session)
        profile = repo.get_profile(code, version)
        if profile.status != ProfileStatus.SUBMITTED:
            raise IllegalProfileTransition(
                f"profile {code} v{profile.version} is {profile.status}: submit it first",
                {"code": code, "version": profile.version, "status": profile.status.value},
            )
        try:
            approved = activate(profile, approver=principal.username, at=now.date())
        except FourEyesViolation:
            repo.record_decision(
                code,
                profile.version,
                approver=principal.username,
                decision="refused",
                at=now,
                note="author may not approve",
            )
            raise
        for other in repo.all_profiles():
            if other.code == code and other.status == ProfileStatus.ACTIVE:
                repo.save_profile(retire(other), at=now)
        repo.save_profile(approved, at=now)
        repo.record_decision(
            code,
            approved.version,
            approver=principal.username,
            decision="approved",
            at=now,
            note=note,
        )
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="risk.profile_approved",
            subject_type=PROFILE_SUBJECT,
            subject_id=code,
            payload={"version": approved.version, "author": approved.author, "note": note},
        )
        uow.commit()
    return _profile_out(approved)


def list_profiles(ctx: Context, *, principal: Principal) -> list[dict[str, Any]]:
    """Every profile version with its hits, controls and findings per office (hit rate)."""
    principal.require(Action.READ_RISK)
    with ctx.sessions() as session:
        repo = RiskRepository(session)
        rates: dict[tuple[str, int], list[dict[str, Any]]] = {}
        for h in repo.hit_rates():
            rates.setdefault((h.code, h.version), []).append(
                {
                    "office": h.office,
                    "hits": h.hits,
                    "controlled": h.controlled,
                    "findings": h.findings,
                    "hit_rate": h.hit_rate,
                }
            )
        out = []
        for p in repo.all_profiles():
            stats = rates.get((p.code, p.version), [])
            controlled = sum(s["controlled"] for s in stats)
            findings = sum(s["findings"] for s in stats)
            out.append(
                {
                    **_profile_out(p),
                    "hits": sum(s["hits"] for s in stats),
                    "controlled": controlled,
                    "findings": findings,
                    "hit_rate": findings / controlled if controlled else None,
                    "by_office": stats,
                }
            )
        return out


# --- models ---------------------------------------------------------------------------------


def store_model(
    ctx: Context,
    *,
    principal: Principal,
    examples: Sequence[TrainingExample],
    version: str,
    source: str,
    office: str | None = None,
    activate_now: bool = False,
) -> dict[str, Any]:
    """Train on ``examples``, store the model with its card and metrics, activate it at
    ``office`` when asked; each step on the ledger."""
    principal.require(Action.MANAGE_RISK_MODELS)
    model = train_model(examples, version=version)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        repo = RiskRepository(uow.session)
        repo.add_model(model, trained_by=principal.actor, at=now, metrics={"source": source})
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="risk.model_trained",
            subject_type=MODEL_SUBJECT,
            subject_id=version,
            payload={"rows": len(examples), "source": source},
        )
        if activate_now:
            if not office:
                raise IllegalProfileTransition("activation needs an office", {"version": version})
            _activate(uow, repo, principal, version, office, now)
        uow.commit()
    return {"model": model.card.as_dict(), "office": office, "active": activate_now}


def _activate(
    uow: Any, repo: RiskRepository, principal: Principal, version: str, office: str, now: Any
) -> None:
    previous = repo.active_model_version(office)
    repo.activate_model(office, version, by=principal.actor, at=now)
    uow.ledger.append(
        at=now,
        actor=principal.actor,
        kind="risk.model_activated",
        subject_type=MODEL_SUBJECT,
        subject_id=version,
        payload={"office": office, "previous": previous},
    )


def activate_model(
    ctx: Context, *, principal: Principal, version: str, office: str
) -> dict[str, Any]:
    """Make ``version`` the one model in use at ``office`` (on the ledger)."""
    principal.require(Action.MANAGE_RISK_MODELS)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        _activate(uow, RiskRepository(uow.session), principal, version, office, now)
        uow.commit()
    return {"version": version, "office": office}


def list_models(ctx: Context, *, principal: Principal) -> list[dict[str, Any]]:
    """Every stored model with its training window, metrics and the offices using it."""
    principal.require(Action.READ_RISK)
    from customhouse.risk.tables import RiskActiveModelRow, RiskModelRow

    with ctx.sessions() as session:
        active: dict[int, list[str]] = {}
        for a in session.scalars(select(RiskActiveModelRow)):
            active.setdefault(a.model_id, []).append(a.office)
        return [
            {
                "version": m.version,
                "trained_rows": m.trained_rows,
                "window_from": m.window_from.isoformat() if m.window_from else None,
                "window_to": m.window_to.isoformat() if m.window_to else None,
                "metrics": m.metrics,
                "trained_by": m.trained_by,
                "created_at": m.created_at.isoformat(),
                "active_at": sorted(active.get(m.id, [])),
            }
            for m in session.scalars(select(RiskModelRow).order_by(RiskModelRow.id))
        ]


def examples_from_controls(ctx: Context) -> list[TrainingExample]:
    """Training examples from stored control results (``risk_labels``), one per declaration
    (its latest label), described as the pipeline described it."""
    with ctx.sessions() as session:
        repo = RiskRepository(session)
        latest = {label.declaration_id: label for label in repo.labels()}
        if not latest:
            return []
        ids = sorted(latest)
        out: list[TrainingExample] = []
        for start in range(0, len(ids), 1000):
            chunk = ids[start : start + 1000]
            assessments = {
                a.declaration_id: a
                for a in session.scalars(
                    select(AssessmentRow).where(
                        AssessmentRow.declaration_id.in_(chunk), AssessmentRow.status == "current"
                    )
                )
            }
            for row_id, document in session.execute(
                select(DeclarationRow.id, DeclarationRow.document).where(
                    DeclarationRow.id.in_(chunk)
                )
            ):
                doc = DeclarationDocument.model_validate(document)
                whole, _ = subjects_for(row_id, summarise(doc), assessments.get(row_id))
                label = latest[row_id]
                out.append(
                    TrainingExample(
                        subject=whole, finding=label.finding, revenue_at_stake=label.revenue
                    )
                )
        return out


def record_control_label(
    ctx: Context,
    *,
    principal: Principal,
    declaration_id: int,
    finding: bool,
    revenue: Decimal | None = None,
    currency: str | None = None,
) -> None:
    """Import one control result as a label (the controls service calls
    :meth:`RiskRepository.record_label` inside its own unit of work instead)."""
    principal.require(Action.MANAGE_RISK_MODELS)
    now = ctx.clock.now()
    with ctx.uow() as uow:
        uow.lock()
        RiskRepository(uow.session).record_label(
            declaration_id,
            finding=finding,
            revenue=revenue,
            currency=currency,
            at=now,
            source="import",
        )
        uow.ledger.append(
            at=now,
            actor=principal.actor,
            kind="risk.label_recorded",
            subject_type=SUBJECT,
            subject_id=str(declaration_id),
            payload={"finding": finding, "revenue": None if revenue is None else str(revenue)},
        )
        uow.commit()


# --- the demonstration set --------------------------------------------------------------------

DEMO_MODEL = "demo-kcs-sample"
DEMO_PROFILES: tuple[dict[str, Any], ...] = (
    {
        "code": "DEMO-TOBACCO",
        "name": "Cigarettes and cigars (excise fraud)",
        "criteria": {"commodity_prefixes": ["2402", "2403"]},
        "channel": "red",
        "priority": 10,
        "instructions": "Count the sticks; check the tax stamps against the declared quantity.",
    },
    {
        "code": "DEMO-LOW-UNIT-VALUE",
        "name": "Declared under 0.50 a kilogram (undervaluation)",
        "criteria": {"unit_value_max": "0.50"},
        "channel": "yellow",
        "priority": 5,
        "instructions": "Ask for the commercial invoice and the proof of payment.",
    },
)


def seed_demo(ctx: Context, *, offices: Sequence[str] | None = None) -> dict[str, Any]:
    """Profiles drafted by analyst1 and approved by analyst2, and a model trained on the KCS
    sample shipped with the package, active at ``offices`` (the demo offices by default).
    Running it again changes nothing."""
    from customhouse.access.models import Role
    from customhouse.demo.generator import OFFICES
    from customhouse.risk.loaders import demo_examples
    from customhouse.services.access import user_by_name

    # The demo analysts when the demo users exist; before they do, principals of the same
    # names (this runs as an administrator's set-up command, not over the API).
    author = user_by_name(ctx, "analyst1") or Principal(
        None, "analyst1", frozenset({Role.RISK_ANALYST})
    )
    approver = user_by_name(ctx, "analyst2") or Principal(
        None, "analyst2", frozenset({Role.RISK_ANALYST})
    )
    with ctx.sessions() as session:
        existing = {p.code for p in RiskRepository(session).all_profiles()}
        have_model = any(v == DEMO_MODEL for v, _ in RiskRepository(session).model_versions())
    seeded = []
    for data in DEMO_PROFILES:
        if data["code"] in existing:
            continue
        create_profile(ctx, principal=author, data={**data, "valid_from": "2020-01-01"})
        submit_profile(ctx, principal=author, code=data["code"])
        approve_profile(ctx, principal=approver, code=data["code"], note="demo set")
        seeded.append(data["code"])
    from customhouse.access.models import SYSTEM

    targets = list(offices or OFFICES)
    if not have_model:
        store_model(
            ctx,
            principal=SYSTEM,
            examples=demo_examples(),
            version=DEMO_MODEL,
            source="demo:kcs_sample.csv.gz",
        )
    with ctx.sessions() as session:
        repo = RiskRepository(session)
        missing = [o for o in targets if repo.active_model_version(o) is None]
    for office in missing:
        activate_model(ctx, principal=SYSTEM, version=DEMO_MODEL, office=office)
    return {"profiles": seeded, "model": DEMO_MODEL, "activated_at": missing}
