"""`POST /register`, `/login`, `/token/refresh`, `/logout` (anyone), `/password` (any signed-in
person), and `/accounts…` (head office; `DELETE /profile` closes one's own)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response

from cloud_api.api.deps import ContextDep, CurrentCaller, MaybeCaller, SessionDep
from cloud_api.api.types import ID_PATTERN
from cloud_api.auth import service
from cloud_api.auth.schemas import (
    AccountPublic,
    LoginIn,
    LogoutIn,
    PasswordChange,
    RefreshIn,
    RegisterIn,
    RoleChange,
    StaffCreate,
    TokenPair,
    Unlocked,
)
from cloud_api.db.base import utcnow

router = APIRouter(tags=["accounts"])
AccountId = Annotated[str, Path(pattern=ID_PATTERN)]
_THROTTLED: dict[int | str, dict[str, Any]] = {
    429: {"description": "too many attempts: wait the `Retry-After` seconds"}
}


def client_address(request: Request) -> str:
    """Where the request came from (behind a proxy, uvicorn's --forwarded-allow-ips sets it)."""
    return request.client.host if request.client else "unknown"


@router.post("/register", status_code=201, summary="Create a customer account (anyone)", responses=_THROTTLED)
def register(data: RegisterIn, request: Request, session: SessionDep, ctx: ContextDep) -> AccountPublic:
    return service.public(service.register(session, ctx, data, client_address(request), utcnow()))


@router.post(
    "/login", summary="Sign in; answers an access token (~15 min) and a refresh token", responses=_THROTTLED
)
def login(data: LoginIn, request: Request, session: SessionDep, ctx: ContextDep) -> TokenPair:
    return service.login(session, ctx, data.email, data.password, client_address(request), utcnow())


@router.post("/token/refresh", summary="Swap a refresh token for a new pair (each works once)")
def refresh(data: RefreshIn, session: SessionDep, ctx: ContextDep) -> TokenPair:
    return service.refresh(session, ctx, data.refresh_token, utcnow())


@router.post(
    "/logout",
    status_code=204,
    summary="End a sign-in on every device: send the refresh token, or the access token, or both",
)
def logout(data: LogoutIn, session: SessionDep, ctx: ContextDep, caller: MaybeCaller) -> Response:
    service.logout(session, ctx, data.refresh_token, caller, utcnow())
    return Response(status_code=204)


@router.post(
    "/password",
    summary="Change your password; every other sign-in ends, this one gets new tokens",
    responses=_THROTTLED,
)
def change_password(
    data: PasswordChange, request: Request, session: SessionDep, ctx: ContextDep, caller: CurrentCaller
) -> TokenPair:
    return service.change_password(session, ctx, caller, data, client_address(request), utcnow())


@router.post(
    "/accounts", status_code=201, summary="Open a head office or store manager account (head office)"
)
def create_account(data: StaffCreate, session: SessionDep, caller: CurrentCaller) -> AccountPublic:
    return service.public(service.create_staff(session, caller, data, utcnow()))


@router.put("/accounts/{account_id}/role", summary="Move an account to another role (head office)")
def change_role(
    account_id: AccountId, data: RoleChange, session: SessionDep, ctx: ContextDep, caller: CurrentCaller
) -> AccountPublic:
    return service.public(service.change_role(session, ctx, caller, account_id, data, utcnow()))


@router.post(
    "/accounts/{account_id}/unlock",
    summary="Let an account the sign-in throttle locked sign in again now (head office; audited)",
)
def unlock(account_id: AccountId, session: SessionDep, ctx: ContextDep, caller: CurrentCaller) -> Unlocked:
    return service.unlock(session, ctx, caller, account_id, utcnow())


@router.delete("/accounts/{account_id}", status_code=204, summary="Close an account (head office; its owner)")
def delete_account(
    account_id: AccountId, session: SessionDep, ctx: ContextDep, caller: CurrentCaller
) -> Response:
    service.delete_account(session, ctx, caller, account_id, utcnow())
    return Response(status_code=204)


@router.delete("/profile", status_code=204, summary="Close your own account; you are signed out everywhere")
def delete_profile(session: SessionDep, ctx: ContextDep, caller: CurrentCaller) -> Response:
    service.delete_account(session, ctx, caller, caller.id, utcnow())
    return Response(status_code=204)
