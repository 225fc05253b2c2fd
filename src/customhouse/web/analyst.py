"""Pages for risk analysts and supervisors: selectivity profiles (create, submit, approve) with
their hit rates, risk models with their metrics, and the dashboard (declarations by state,
release times). Charts are SVG drawn on the server."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from customhouse.access.models import Action
from customhouse.declarations.repository import DeclarationFilter
from customhouse.errors import DomainError, Forbidden, InvalidInput, Problem
from customhouse.services import controls as ctl
from customhouse.services import declarations as svc
from customhouse.services import enforcement as enf
from customhouse.services import risk as risk_svc
from customhouse.web import charts
from customhouse.web.core import CsrfChecked, PageRoute, SignedIn, _, get_ctx, render
from customhouse.web.criteria import (
    BLANK_ROWS,
    FIELDS,
    KEYS,
    MAX_ROWS,
    OPERATORS,
    Row,
    criteria_words,
    row_of,
    rows_to_criteria,
)
from customhouse.web.declarations import STATES

router = APIRouter(route_class=PageRoute, include_in_schema=False)

FormText = Annotated[str, Form(max_length=500)]
CHANNELS = ("red", "yellow", "blue", "green")


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, principal: SignedIn) -> HTMLResponse:
    principal.require(Action.LIST_DECLARATIONS)
    if principal.is_trader:
        raise Forbidden(_("The dashboard is for customs staff."))
    ctx = get_ctx(request)
    by_state = [
        (
            s,
            svc.list_declarations(
                ctx, principal=principal, filters=DeclarationFilter(state=s), page_size=1
            ).total,
        )
        for s in STATES
    ]
    values: dict[str, Any] = {
        "by_state": by_state,
        "state_chart": charts.bars(
            [(_(s.replace("_", " ")), n) for s, n in by_state], title=_("Declarations by state")
        ),
    }
    mix = [
        (
            c,
            svc.list_declarations(
                ctx, principal=principal, filters=DeclarationFilter(channel=c), page_size=1
            ).total,
        )
        for c in CHANNELS
    ]
    if any(n for _c, n in mix):
        values["mix"] = mix
        values["channel_chart"] = charts.bars(
            [(_(c), n) for c, n in mix], title=_("Declarations by channel")
        )
    if principal.may(Action.READ_CONTROLS):
        revenue = ctl.revenue_report(ctx, principal=principal)
        if revenue["days"]:
            values["revenue"] = revenue
            values["revenue_charts"] = revenue_charts(revenue)
        times = ctl.release_time_report(ctx, principal=principal)
        by_channel = times.get("by_channel", {})
        if by_channel:
            values["times"] = times
            values["time_chart"] = charts.grouped(
                [(ch, [s["median_minutes"], s["p90_minutes"]]) for ch, s in by_channel.items()],
                series=[_("median"), _("90th percentile")],
                title=_("Lodgement to release, minutes"),
            )
            values["mix_chart"] = charts.bars(
                [(_(ch), s["count"]) for ch, s in by_channel.items()],
                title=_("Released declarations by channel"),
            )
    if principal.may(Action.READ_ENFORCEMENT):
        seizures = [r["case"] for r in enf.export_seizures(ctx, principal=principal)]
        if seizures:
            offences = Counter(str(c.get("offence_type", "")) for c in seizures)
            values["seizures"] = seizures[-10:][::-1]
            values["seizure_chart"] = charts.bars(
                sorted(offences.items()), title=_("Seizures by offence")
            )
    return render(request, "dashboard.html", values)


REVENUE_DAYS = 14  # the chart's span; the table below it has every day


def revenue_charts(revenue: dict[str, Any]) -> list[Any]:
    """Per currency (the three largest), assessed and collected per day over the last days
    that have any."""
    currencies = sorted(
        revenue["by_currency"], key=lambda c: -revenue["by_currency"][c]["assessed"]
    )[:3]
    out = []
    for currency in currencies:
        days = [d for d in revenue["days"] if d["currency"] == currency][-REVENUE_DAYS:]
        out.append(
            charts.grouped(
                [(d["day"], [float(d["assessed"]), float(d["collected"])]) for d in days],
                series=[_("assessed"), _("collected")],
                title=_("Duties and taxes per day, {currency}").format(currency=currency),
            )
        )
    return out


def _model_view(m: dict[str, Any]) -> dict[str, Any]:
    """A stored model with its validation figures and, when it was kept, its curve."""
    metrics = m.get("metrics") or {}
    validation = {
        k: float(v)
        for k, v in (metrics.get("validation") or {}).items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    }
    points = [
        (float(p[0]), float(p[1]), float(p[2]))
        for p in metrics.get("validation_curve") or []
        if isinstance(p, list) and len(p) == 3
    ]
    view = {**m, "validation": validation, "curve_points": points, "curve": None}
    if points:
        view["curve"] = charts.curve(
            points,
            title=_("Model {version}: precision and recall on held-out declarations").format(
                version=m["version"]
            ),
            x_label=_("recall"),
            y_label=_("precision"),
        )
    return view


def _blank_form() -> dict[str, Any]:
    return {
        "code": "",
        "name": "",
        "channel": "red",
        "priority": "5",
        "instructions": "",
        "rows": [Row("origin", "in", ""), Row("commodity_code", "starts_with", "")],
    }


def _profiles_page(
    request: Request,
    principal: Any,
    *,
    form: dict[str, Any] | None = None,
    problems: list[Problem] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    ctx = get_ctx(request)
    profiles = risk_svc.list_profiles(ctx, principal=principal)
    rated = [
        (f"{p['code']} v{p['version']}", round(100 * p["hit_rate"], 1))
        for p in profiles
        if p["hit_rate"] is not None
    ]
    models = [_model_view(m) for m in risk_svc.list_models(ctx, principal=principal)]
    form = form or _blank_form()
    rows: list[Row] = list(form["rows"])[:MAX_ROWS]
    rows += [Row()] * min(BLANK_ROWS, MAX_ROWS - len(rows))
    row_errors: dict[tuple[int, str], str] = {}
    field_errors: dict[str, str] = {}
    for p in problems or []:
        at = row_of(p.pointer)
        if at is not None:
            row_errors.setdefault(at, p.message)
        else:
            field_errors.setdefault(p.pointer.strip("/"), p.message)
    return render(
        request,
        "risk.html",
        {
            "profiles": [{**p, "criteria_words": criteria_words(p["criteria"])} for p in profiles],
            "hit_chart": charts.bars(rated, title=_("Hit rate of controls, %"), unit="%")
            if rated
            else None,
            "models": models,
            "form": form,
            "rows": rows,
            "row_errors": row_errors,
            "field_errors": field_errors,
            "fields": {k: _(label) for k, (label, _ops) in FIELDS.items()},
            "operators": {k: _(v) for k, v in OPERATORS.items()},
            "problems": problems or [],
            "channels": CHANNELS,
        },
        status_code=status_code,
    )


@router.get("/risk", response_class=HTMLResponse)
def risk_page(request: Request, principal: SignedIn) -> HTMLResponse:
    principal.require(Action.READ_RISK)
    return _profiles_page(request, principal)


def _row_for_key(rows: list[Row], pointer: str) -> str:
    """A service problem at ``/criteria/<key>`` pointed at the row that set that key."""
    key = pointer.strip("/").split("/")[-1]
    if key in KEYS:
        name, op = KEYS[key]
        for i, row in enumerate(rows):
            if (row.field, row.operator) == (name, op):
                return f"/criteria/{i}/value"
    return "/criteria/0/field"


@router.post("/risk/profiles", dependencies=[CsrfChecked], response_class=HTMLResponse)
async def create_profile(request: Request, principal: SignedIn) -> Response:
    principal.require(Action.DRAFT_RISK_PROFILE)
    data = await request.form()

    def value(name: str, limit: int = 500) -> str:
        got = data.get(name)
        return got[:limit] if isinstance(got, str) else ""

    rows = [
        Row(value(f"field_{i}", 40), value(f"operator_{i}", 40), value(f"value_{i}", 2000))
        for i in range(MAX_ROWS)
    ]
    while rows and rows[-1].is_blank():
        rows.pop()
    code, name, channel = value("code", 100), value("name", 200), value("channel", 20)
    priority, instructions = value("priority", 20), value("instructions")
    form = {
        "code": code,
        "name": name,
        "channel": channel,
        "priority": priority,
        "instructions": instructions,
        "rows": rows,
    }
    criteria, problems = rows_to_criteria(rows)
    if not code.strip():
        problems.append(Problem("web.required", "/code", _("Give the profile a code.")))
    if channel not in CHANNELS:
        problems.append(Problem("web.channel", "/channel", _("Choose a channel.")))
    if not priority.strip().lstrip("-").isdigit() or len(priority.strip()) > 6:
        problems.append(Problem("web.priority", "/priority", _("Enter a whole number.")))
    if not problems:
        try:
            await run_in_threadpool(
                risk_svc.create_profile,
                get_ctx(request),
                principal=principal,
                data={
                    "code": code.strip(),
                    "name": name.strip() or code.strip(),
                    "criteria": criteria,
                    "channel": channel,
                    "priority": int(priority),
                    "instructions": instructions.strip(),
                },
            )
        except InvalidInput as exc:
            problems = [
                Problem(p.code, _row_for_key(rows, p.pointer), p.message)
                if p.pointer.startswith("/criteria")
                else p
                for p in exc.problems or [Problem("risk.invalid", "/code", exc.message)]
            ]
        except DomainError as exc:
            if isinstance(exc, Forbidden):
                raise
            problems = [Problem(exc.code, "/code", exc.message)]
        else:
            return RedirectResponse("/risk", status_code=303)
    return await run_in_threadpool(
        lambda: _profiles_page(request, principal, form=form, problems=problems, status_code=422)
    )


@router.post("/risk/profiles/{code}/submit", dependencies=[CsrfChecked])
def submit_profile(request: Request, principal: SignedIn, code: str) -> Response:
    risk_svc.submit_profile(get_ctx(request), principal=principal, code=code[:100])
    return RedirectResponse("/risk", status_code=303)


@router.post("/risk/profiles/{code}/approve", dependencies=[CsrfChecked])
def approve_profile(request: Request, principal: SignedIn, code: str) -> Response:
    risk_svc.approve_profile(get_ctx(request), principal=principal, code=code[:100])
    return RedirectResponse("/risk", status_code=303)
