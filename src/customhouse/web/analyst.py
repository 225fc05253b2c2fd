"""Pages for risk analysts and supervisors: selectivity profiles (create, submit, approve) with
their hit rates, risk models with their metrics, and the dashboard (declarations by state,
release times). Charts are SVG drawn on the server."""

from __future__ import annotations

import json
from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from customhouse.access.models import Action
from customhouse.declarations.repository import DeclarationFilter
from customhouse.errors import DomainError, Forbidden, InvalidInput, Problem
from customhouse.services import controls as ctl
from customhouse.services import declarations as svc
from customhouse.services import enforcement as enf
from customhouse.services import risk as risk_svc
from customhouse.web import charts
from customhouse.web.core import CsrfChecked, PageRoute, SignedIn, _, get_ctx, render
from customhouse.web.declarations import STATES

router = APIRouter(route_class=PageRoute, include_in_schema=False)

FormText = Annotated[str, Form(max_length=500)]
CHANNELS = ("red", "yellow", "blue", "green")
EXAMPLE_CRITERIA = '{"origins": ["BR"], "commodity_prefixes": ["6402"]}'


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


def _profiles_page(
    request: Request,
    principal: Any,
    *,
    form: dict[str, str] | None = None,
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
    models = risk_svc.list_models(ctx, principal=principal)
    model_charts = []
    for m in models:
        metrics = {
            k: float(v)
            for k, v in (m.get("metrics") or {}).items()
            if isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 1
        }
        if metrics:
            model_charts.append(
                charts.bars(
                    sorted(metrics.items()),
                    title=_("Model {version}: metrics").format(version=m["version"]),
                )
            )
    return render(
        request,
        "risk.html",
        {
            "profiles": profiles,
            "hit_chart": charts.bars(rated, title=_("Hit rate of controls, %"), unit="%")
            if rated
            else None,
            "models": models,
            "model_charts": model_charts,
            "form": form
            or {
                "code": "",
                "name": "",
                "channel": "red",
                "priority": "5",
                "instructions": "",
                "criteria": EXAMPLE_CRITERIA,
            },
            "problems": problems or [],
            "channels": CHANNELS,
        },
        status_code=status_code,
    )


@router.get("/risk", response_class=HTMLResponse)
def risk_page(request: Request, principal: SignedIn) -> HTMLResponse:
    principal.require(Action.READ_RISK)
    return _profiles_page(request, principal)


@router.post("/risk/profiles", dependencies=[CsrfChecked], response_class=HTMLResponse)
def create_profile(
    request: Request,
    principal: SignedIn,
    code: FormText = "",
    name: FormText = "",
    channel: FormText = "red",
    priority: FormText = "0",
    instructions: FormText = "",
    criteria: Annotated[str, Form(max_length=20_000)] = "{}",
) -> Response:
    principal.require(Action.DRAFT_RISK_PROFILE)
    form = {
        "code": code,
        "name": name,
        "channel": channel,
        "priority": priority,
        "instructions": instructions,
        "criteria": criteria,
    }
    problems: list[Problem] = []
    if not code.strip():
        problems.append(Problem("web.required", "/code", _("Give the profile a code.")))
    if channel not in CHANNELS:
        problems.append(Problem("web.channel", "/channel", _("Choose a channel.")))
    if not priority.strip().lstrip("-").isdigit() or len(priority.strip()) > 6:
        problems.append(Problem("web.priority", "/priority", _("Enter a whole number.")))
    try:
        parsed = json.loads(criteria)
        if not isinstance(parsed, dict):
            raise ValueError("not an object")
    except ValueError:
        parsed = {}
        problems.append(
            Problem(
                "web.criteria",
                "/criteria",
                _("Criteria are a JSON object, e.g. ") + EXAMPLE_CRITERIA,
            )
        )
    if not problems:
        try:
            risk_svc.create_profile(
                get_ctx(request),
                principal=principal,
                data={
                    "code": code.strip(),
                    "name": name.strip() or code.strip(),
                    "criteria": parsed,
                    "channel": channel,
                    "priority": int(priority),
                    "instructions": instructions.strip(),
                },
            )
        except InvalidInput as exc:
            problems = exc.problems or [Problem("risk.invalid", "/", exc.message)]
        except DomainError as exc:
            if isinstance(exc, Forbidden):
                raise
            problems = [Problem(exc.code, "/", exc.message)]
        else:
            return RedirectResponse("/risk", status_code=303)
    return _profiles_page(request, principal, form=form, problems=problems, status_code=422)


@router.post("/risk/profiles/{code}/submit", dependencies=[CsrfChecked])
def submit_profile(request: Request, principal: SignedIn, code: str) -> Response:
    risk_svc.submit_profile(get_ctx(request), principal=principal, code=code[:100])
    return RedirectResponse("/risk", status_code=303)


@router.post("/risk/profiles/{code}/approve", dependencies=[CsrfChecked])
def approve_profile(request: Request, principal: SignedIn, code: str) -> Response:
    risk_svc.approve_profile(get_ctx(request), principal=principal, code=code[:100])
    return RedirectResponse("/risk", status_code=303)
