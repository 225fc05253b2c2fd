"""Sign in and out with a signed session cookie (HTTP-only; Secure when configured)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from customhouse.access.errors import InvalidCredentials
from customhouse.services.access import authenticate_password
from customhouse.web.core import (
    SESSION_CSRF,
    SESSION_USER,
    CsrfChecked,
    MaybePrincipal,
    PageRoute,
    _,
    get_ctx,
    render,
    safe_next,
)

router = APIRouter(route_class=PageRoute, include_in_schema=False)

Field = Annotated[str, Form(max_length=200)]


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, principal: MaybePrincipal, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", {"next": safe_next(next[:500]), "username": ""})


@router.post("/login", dependencies=[CsrfChecked], response_class=HTMLResponse)
def login(
    request: Request,
    username: Field = "",
    password: Field = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    try:
        principal = authenticate_password(get_ctx(request), username.strip(), password)
    except InvalidCredentials:
        return render(
            request,
            "login.html",
            {
                "next": safe_next(next),
                "username": username,
                "failure": _("The user name or password is not right."),
            },
            status_code=401,
        )
    # A fresh session on sign-in: nothing from before carries over (no session fixation).
    request.session.clear()
    request.session[SESSION_USER] = principal.username
    target = safe_next(next)
    if target == "/":
        target = "/declarations"
    return RedirectResponse(target, status_code=303)


@router.post("/logout", dependencies=[CsrfChecked])
def logout(request: Request) -> Response:
    request.session.pop(SESSION_USER, None)
    request.session.pop(SESSION_CSRF, None)
    return RedirectResponse("/", status_code=303)
