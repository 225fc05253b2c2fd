"""The parts of the officer's pages that come from screening, risk and controls: each shows
what its service returns for the principal, and the actions the principal's role allows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from customhouse.access.models import Action, Principal
from customhouse.controls.models import FindingCode
from customhouse.declarations.lifecycle import State
from customhouse.declarations.tables import DeclarationRow
from customhouse.services import controls as ctl
from customhouse.services import risk as risk_svc
from customhouse.services import screening as scr
from customhouse.services.context import Context
from customhouse.services.declarations import DeclarationView
from customhouse.web.core import N_, _

FINDINGS = {
    FindingCode.NO_DISCREPANCY.value: N_("No discrepancy"),
    FindingCode.MISCLASSIFICATION.value: N_("Misclassification"),
    FindingCode.UNDERVALUATION.value: N_("Undervaluation"),
    FindingCode.WRONG_ORIGIN.value: N_("Wrong origin"),
    FindingCode.QUANTITY.value: N_("Wrong quantity"),
    FindingCode.PROHIBITED_RESTRICTED.value: N_("Prohibited or restricted goods"),
    FindingCode.IPR_INFRINGEMENT.value: N_("Infringes intellectual property"),
    FindingCode.UNDECLARED_GOODS.value: N_("Undeclared goods"),
}
VERDICTS = {
    "false_match": N_("False match"),
    "true_match": N_("True match"),
    "unsure": N_("Unsure"),
}


def mrns_of(ctx: Context, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    with ctx.sessions() as session:
        rows = session.execute(
            select(DeclarationRow.id, DeclarationRow.mrn).where(DeclarationRow.id.in_(ids))
        )
        return {i: m or "" for i, m in rows}


def task_queue(ctx: Context, principal: Principal) -> list[dict[str, Any]]:
    """The control tasks allocated to the principal and not yet closed."""
    if not principal.may(Action.WORK_CONTROL_TASK):
        return []
    tasks = [
        t for t in ctl.list_tasks(ctx, principal=principal, mine=True) if t["status"] != "closed"
    ]
    mrns = mrns_of(ctx, {t["declaration_id"] for t in tasks})
    return [{**t, "mrn": mrns.get(t["declaration_id"], ""), "due": t["deadline"]} for t in tasks]


def size_words(n: int) -> str:
    """A byte count for people.

    >>> size_words(900_000), size_words(12_000_000), size_words(512)
    ('878 KB', '11.4 MB', '512 bytes')
    """
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n // 1024} KB"
    return f"{n} bytes"


def declaration_extras(
    ctx: Context,
    principal: Principal,
    view: DeclarationView,
    *,
    evidence_error: str | None = None,
    answer_errors: dict[int, str] | None = None,
) -> dict[str, Any]:
    """Screening and its queries, the channel with its reasons, control tasks, evidence, and
    the role's actions; ``*_error`` are messages of a refused upload or answer to show again."""
    state = State(view.state)
    out: dict[str, Any] = {
        "sections": [],
        "actions": [],
        "max_upload": size_words(ctx.settings.max_evidence_bytes),
        "evidence_error": evidence_error,
        "answer_errors": answer_errors or {},
    }
    screening = scr.screening_summary(ctx, principal=principal, declaration_id=view.id)
    if screening is not None:
        out["screening"] = screening
        out["verdicts"] = {k: _(v) for k, v in VERDICTS.items()}
        out["may_judge"] = principal.may(Action.JUDGE_SCREENING_HIT)
        # A trader reads only its own declarations; the service checks ownership again.
        out["may_answer"] = principal.may(Action.ANSWER_QUERY) and principal.is_trader
        out["sections"].append({"template": "_screening.html"})
    routing = risk_svc.risk_view(ctx, principal=principal, declaration_id=view.id)
    if routing is not None:
        out["routing"] = routing
        out["sections"].append({"template": "_routing.html"})
    if principal.may(Action.READ_CONTROLS):
        tasks = ctl.list_tasks(ctx, principal=principal, declaration_id=view.id)
        if tasks:
            out["tasks"] = tasks
            out["findings"] = {k: _(v) for k, v in FINDINGS.items()}
            out["sections"].append({"template": "_tasks.html"})
        out["evidence"] = ctl.list_evidence(ctx, principal=principal, declaration_id=view.id)
        out["sections"].append({"template": "_evidence.html"})
    mrn = view.mrn or ""
    if principal.may(Action.RELEASE) and state in (
        State.SELECTED,
        State.UNDER_CONTROL,
        State.HELD,
        State.ASSESSED,
    ):
        if state is State.HELD:
            out["actions"].append(
                {
                    "id": "approval",
                    "url": f"/declarations/{mrn}/approvals",
                    "label": _("Ask a supervisor to release"),
                    "hidden": {"action": "release_held"},
                    "fields": [{"name": "reason", "label": _("Reason"), "required": True}],
                }
            )
        out["actions"].append(
            {"id": "release", "url": f"/declarations/{mrn}/release", "label": _("Release")}
        )
        if state is not State.HELD:
            out["actions"].append(
                {
                    "id": "hold",
                    "url": f"/declarations/{mrn}/hold",
                    "label": _("Hold"),
                    "danger": True,
                    "fields": [{"name": "reason", "label": _("Reason"), "required": True}],
                }
            )
    if principal.may(Action.RAISE_QUERY) and view.state in scr.QUERYABLE:
        out["actions"].append(
            {
                "id": "query",
                "url": f"/declarations/{mrn}/queries",
                "label": _("Ask the declarant for a document"),
                "fields": [
                    {"name": "missing", "label": _("Document needed"), "required": True},
                    {"name": "reason", "label": _("Why"), "required": True},
                    {"name": "item", "label": _("Item number (empty: the whole declaration)")},
                ],
            }
        )
    if principal.may(Action.SEIZE) and state in (State.UNDER_CONTROL, State.HELD):
        out["actions"].append(
            {
                "id": "seize",
                "url": f"/declarations/{mrn}/seize",
                "label": _("Seize the goods"),
                "danger": True,
                "fields": [
                    {"name": "offence", "label": _("Offence"), "required": True},
                    {"name": "custodian", "label": _("Custodian"), "required": True},
                    {"name": "location", "label": _("Where the goods are kept"), "required": True},
                ],
            }
        )
    return out
