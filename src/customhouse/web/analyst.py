"""Dashboards for customs staff: declarations by state, drawn server-side as SVG."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from customhouse.access.models import Action
from customhouse.declarations.repository import DeclarationFilter
from customhouse.errors import Forbidden
from customhouse.services import declarations as svc
from customhouse.web import charts
from customhouse.web.core import PageRoute, SignedIn, _, get_ctx, render
from customhouse.web.declarations import STATES

router = APIRouter(route_class=PageRoute, include_in_schema=False)


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
    return render(
        request,
        "dashboard.html",
        {
            "by_state": by_state,
            "state_chart": charts.bars(by_state, title=_("Declarations by state")),
        },
    )
