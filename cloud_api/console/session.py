"""Who is signed in to the console: head office or a store manager, with the API's own access
and refresh tokens kept in two httpOnly cookies scoped to `/console`. Signing out, a password
or role change, or a deleted account ends a console sign-in exactly as it ends an API token."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from cloud_api.auth import service as auth
from cloud_api.auth.principal import Principal, Role
from cloud_api.auth.schemas import TokenPair
from cloud_api.errors import CloudError

if TYPE_CHECKING:
    from cloud_api.context import CloudContext

ACCESS, REFRESH = "console", "console_refresh"
PATH = "/console"
STAFF = (Role.HEAD_OFFICE, Role.STORE_MANAGER)
MAX_TOKEN = 2000


def _staff(caller: Principal) -> Principal | None:
    return caller if caller.role in STAFF else None


def who(
    session: Session, ctx: CloudContext, request: Request, now: datetime
) -> tuple[Principal | None, TokenPair | None]:
    """The signed-in head office or store manager (and a fresh token pair when the access
    token had expired); (None, None) for anyone else."""
    access, refresh = request.cookies.get(ACCESS), request.cookies.get(REFRESH)
    if access and len(access) <= MAX_TOKEN and not access.startswith("mld_"):
        try:
            return _staff(auth.authenticate(session, ctx, access)), None
        except CloudError:
            pass
    if not refresh or len(refresh) > 200:
        return None, None
    try:
        pair = auth.refresh(session, ctx, refresh, now)
        caller = auth.authenticate(session, ctx, pair.access_token)
    except CloudError:
        return None, None
    found = _staff(caller)
    return (found, pair) if found else (None, None)


def keep(response: Response, ctx: CloudContext, pair: TokenPair | None) -> Response:
    if pair is None:
        return response
    secure = ctx.public_url.startswith("https://")
    response.set_cookie(ACCESS, pair.access_token, path=PATH, httponly=True, samesite="lax", secure=secure)
    days = ctx.settings.refresh_token_days
    response.set_cookie(
        REFRESH,
        pair.refresh_token,
        max_age=days * 86400,
        path=PATH,
        httponly=True,
        samesite="lax",
        secure=secure,
    )
    return response


def drop(response: Response) -> Response:
    response.delete_cookie(ACCESS, path=PATH)
    response.delete_cookie(REFRESH, path=PATH)
    return response
