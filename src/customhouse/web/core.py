"""What every page needs: templates, the language, the signed-in principal, CSRF, and errors
shown as pages (never as JSON, never as a 500)."""

from __future__ import annotations

import contextvars
import secrets
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.types import ASGIApp, Receive, Scope, Send

from customhouse.access.models import Action, Principal
from customhouse.api.errors import status_for
from customhouse.errors import DomainError, Forbidden, Unauthenticated
from customhouse.services.access import user_by_name
from customhouse.services.context import Context
from customhouse.web import i18n

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
SESSION_USER = "user"
SESSION_CSRF = "csrf"
CSRF_FIELD = "csrf_token"

# Scripts, styles and forms only from this site; no framing.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}

_language: contextvars.ContextVar[str] = contextvars.ContextVar("language", default=i18n.DEFAULT)


def gettext(message: str) -> str:
    """``message`` in the language of the request being served."""
    return i18n.translations(_language.get()).ugettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return i18n.translations(_language.get()).ungettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:
    """Mark a message for the catalogue; translated later, where it is shown."""
    return message


env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]


class CsrfError(Forbidden):
    code = "web.CsrfTokenInvalid"


def get_ctx(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


class LanguageMiddleware:
    """Sets the request's language before anything runs, so every thread the request uses
    (FastAPI runs sync code in a pool, each call in a copy of this context) sees it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            header = dict(scope.get("headers") or []).get(b"accept-language", b"")
            lang = i18n.negotiate(header.decode("latin-1")[:500], i18n.available())
            token = _language.set(lang)
            try:
                await self.app(scope, receive, send)
            finally:
                _language.reset(token)
            return
        await self.app(scope, receive, send)


def session_principal(request: Request) -> Principal | None:
    """The principal of the signed session (looked up afresh: a removed user is signed out)."""
    username = request.session.get(SESSION_USER)
    if not isinstance(username, str):
        return None
    principal = user_by_name(get_ctx(request), username)
    if principal is None:
        request.session.pop(SESSION_USER, None)
        return None
    # api.deps.get_principal reads it from here: one principal for both doors.
    request.state.principal = principal
    return principal


def require_principal(request: Request) -> Principal:
    principal = session_principal(request)
    if principal is None:
        raise Unauthenticated(_("Please sign in to see this page."))
    return principal


MaybePrincipal = Annotated[Principal | None, Depends(session_principal)]
SignedIn = Annotated[Principal, Depends(require_principal)]


def csrf_token(request: Request) -> str:
    token = request.session.get(SESSION_CSRF)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[SESSION_CSRF] = token
    return token


async def check_csrf(request: Request) -> None:
    """Every POST carries the session's token in a hidden field (double submit in the session)."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = request.session.get(SESSION_CSRF)
    if not (
        isinstance(sent, str)
        and isinstance(expected, str)
        and secrets.compare_digest(sent.encode(), expected.encode())
    ):
        await form.close()  # an upload in a refused form is not kept open
        raise CsrfError(_("The form has expired or was not sent from this site. Please try again."))


CsrfChecked = Depends(check_csrf)


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an absolute URL (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    principal: Principal | None = getattr(request.state, "principal", None)
    values = {
        "request": request,
        "principal": principal,
        "csrf_token": csrf_token(request),
        "csrf_field": CSRF_FIELD,
        "language": _language.get(),
        "may": (lambda action: principal is not None and principal.may(Action(action))),
        "is_staff": principal is not None and not principal.is_trader,
        **(context or {}),
    }
    html = env.get_template(template).render(values)
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


def problem_messages(exc: DomainError) -> list[dict[str, str]]:
    problems = exc.details.get("problems") if isinstance(exc.details, dict) else None
    return [p for p in problems or [] if isinstance(p, dict)]


def error_page(request: Request, exc: DomainError) -> Response:
    if isinstance(exc, Unauthenticated):
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        return RedirectResponse(f"/login?next={target}", status_code=303)
    return render(
        request,
        "error.html",
        {"error": exc, "problems": problem_messages(exc)},
        status_code=status_for(exc),
    )


class PageRoute(APIRoute):
    """A page: domain errors and unreadable input become pages with the right status."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except DomainError as exc:
                return error_page(request, exc)
            except RequestValidationError as exc:
                problems = [
                    {
                        "pointer": "/".join(str(x) for x in e.get("loc", ())[1:]),
                        "message": str(e.get("msg", "")),
                    }
                    for e in exc.errors()
                ]
                err = DomainError(_("Some of what was sent could not be read."))
                return render(
                    request, "error.html", {"error": err, "problems": problems}, status_code=422
                )

        return page_handler


# Words the templates translate from data (states, channels, levels, control actions).
DATA_WORDS = (
    N_("accepted"),
    N_("rejected"),
    N_("assessed"),
    N_("selected"),
    N_("under control"),
    N_("released"),
    N_("held"),
    N_("seized"),
    N_("invalidated"),
    N_("green"),
    N_("yellow"),
    N_("red"),
    N_("blue"),
    N_("section"),
    N_("chapter"),
    N_("heading"),
    N_("subheading"),
    N_("prohibited"),
    N_("licence required"),
    N_("permit required"),
    N_("certificate required"),
    N_("detain"),
    N_("queued"),
    N_("allocated"),
    N_("closed"),
    N_("documentary check"),
    N_("physical examination"),
    N_("open"),
    N_("answered"),
    N_("officer"),
    N_("trader"),
)
