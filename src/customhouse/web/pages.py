"""Mount the pages on the FastAPI app: routes, static files and the signed session."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from customhouse.settings import Settings
from customhouse.web import analyst, auth, declarations, documents, officer, public
from customhouse.web.core import STATIC, LanguageMiddleware

SESSION_COOKIE = "customhouse_session"
SESSION_HOURS = 8  # a working day; then sign in again


def install(app: FastAPI, settings: Settings) -> None:
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in (
        public.router,
        auth.router,
        declarations.router,
        documents.router,
        officer.router,
        analyst.router,
    ):
        app.include_router(router)
    app.add_middleware(LanguageMiddleware)
    # Signed (itsdangerous), HTTP-only, SameSite=Lax; Secure unless configured off for local http.
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_HOURS * 3600,
        same_site="lax",
        https_only=settings.cookie_secure,
    )
