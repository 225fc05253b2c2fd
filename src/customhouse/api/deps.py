"""Request dependencies: the service context and the principal acting."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from customhouse.access.models import Principal
from customhouse.errors import Unauthenticated
from customhouse.services.access import authenticate_token
from customhouse.services.context import Context


def get_ctx(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


CtxDep = Annotated[Context, Depends(get_ctx)]


def get_principal(
    ctx: CtxDep,
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
) -> Principal:
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("use 'Authorization: Bearer <token>'")
        return authenticate_token(ctx, token.strip())
    # Pages sign in with a session cookie; the same principal serves both doors.
    session_principal: Principal | None = getattr(request.state, "principal", None)
    if session_principal is not None:
        return session_principal
    raise Unauthenticated("sign in: send 'Authorization: Bearer <token>'")


PrincipalDep = Annotated[Principal, Depends(get_principal)]
