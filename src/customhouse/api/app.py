"""The FastAPI application: API routes, error table, limits, and (when present) the pages."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from customhouse import __version__
from customhouse.api import errors
from customhouse.api.limits import BodySizeLimit
from customhouse.api.routes import (
    assessment,
    audit,
    classification,
    controls,
    declarations,
    enforcement,
    ledger,
    operators,
    risk,
    screening,
)
from customhouse.classification.service import use_embeddings
from customhouse.declarations.models import DeclarationDocument
from customhouse.services.context import Context
from customhouse.web.pages import install as install_pages


def create_app(ctx: Context | None = None) -> FastAPI:
    ctx = ctx or Context.create()
    # A setting that needs a missing extra stops the server here, not at the first suggestion.
    use_embeddings(ctx.settings.classification_embeddings)
    app = FastAPI(
        title="customhouse",
        version=__version__,
        description="An open customs administration system. Every decision carries its reasons.",
    )
    app.state.ctx = ctx
    errors.install(app)
    for router in (declarations.router, ledger.router, operators.router):
        app.include_router(router)
    app.include_router(assessment.router)  # issue 3: duty estimates
    app.include_router(screening.router)  # issue 5: screening hits, queries, judgements
    app.include_router(risk.router)  # issue 4: profiles (four eyes), models
    app.include_router(classification.router)  # issue 7: suggestions, search, rulings
    app.include_router(controls.router)  # issue 6: tasks, findings, release, four eyes
    app.include_router(enforcement.router)  # issue 6: seizures, cases, penalties
    app.include_router(audit.router)  # issue 6: post-clearance audit

    @app.get("/health", tags=["meta"])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            doc = DeclarationDocument.model_json_schema(ref_template="#/components/schemas/{model}")
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components.update(doc.pop("$defs", {}))
            components["DeclarationDocument"] = doc
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.add_middleware(BodySizeLimit, max_bytes=ctx.settings.max_body_bytes)
    install_pages(app, ctx.settings)  # issue 8: pages, static files, signed session
    return app
