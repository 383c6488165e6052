"""Request-scoped dependencies: the database session (committed at the request's end),
the caller (`Principal`) and the cloud's shared parts.

    SessionDep      one transaction per request; committed before the answer is sent
    CurrentCaller   the signed-in customer, staff member or store device (else 401)
    MaybeCaller     the same, or None for anonymous calls
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Annotated

import anyio.to_thread
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from cloud_api.auth.principal import Principal
from cloud_api.auth.service import authenticate_device_token, standing_caller
from cloud_api.errors import Unauthorized

if TYPE_CHECKING:
    from cloud_api.context import CloudContext


async def context(request: Request) -> CloudContext:
    ctx: CloudContext = request.app.state.ctx
    return ctx


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's unit of work. Opening a session does no I/O; the commit or rollback
    at the end runs in a thread, before the answer is sent.

    Commits get threads of their own (`endings`): a handler thread may be waiting on a
    row that a finished request still holds (a duplicate of an order being placed); if
    that request's commit queued behind such handlers, neither would ever move.
    """
    db = request.app.state.ctx.db
    endings = getattr(request.app.state, "endings", None)
    session = db.sessions()
    try:
        yield session
    except BaseException as exc:
        await anyio.to_thread.run_sync(db.finish, session, exc, limiter=endings)
        raise
    await anyio.to_thread.run_sync(db.finish, session, None, limiter=endings)


ContextDep = Annotated["CloudContext", Depends(context)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
_bearer = HTTPBearer(auto_error=False, description="An access token from /login, or a store device token.")


async def _caller(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    if credentials is None:
        return None
    return await caller_of(request.app.state.ctx, credentials.credentials)


async def caller_of(ctx: CloudContext, token: str) -> Principal:
    """Who a bearer token speaks for: a store device (`mld_…`) or a signed-in account."""
    if token.startswith("mld_"):
        return await run_in_threadpool(authenticate_device_token, ctx, token)
    claims = ctx.tokens.read_access(token)
    account_id = str(claims["sub"])
    # The account's standing is read again every few seconds; in between, no I/O.
    standing = ctx.sessions.cached(account_id)
    if standing is None:
        standing = await run_in_threadpool(ctx.sessions.load, account_id)
    return standing_caller(claims, standing)


async def _required(caller: Annotated[Principal | None, Depends(_caller)]) -> Principal:
    if caller is None:
        raise Unauthorized("Sign in first: send 'Authorization: Bearer <access token>'.")
    return caller


MaybeCaller = Annotated[Principal | None, Depends(_caller)]
CurrentCaller = Annotated[Principal, Depends(_required)]
