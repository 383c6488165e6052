"""`POST /register`, `/login`, `/token/refresh`, `/logout` (anyone) and `/accounts` (head office)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from cloud_api.api.deps import ContextDep, CurrentCaller, SessionDep
from cloud_api.auth import service
from cloud_api.auth.schemas import AccountPublic, LoginIn, RefreshIn, RegisterIn, StaffCreate, TokenPair
from cloud_api.db.base import utcnow

router = APIRouter(tags=["accounts"])


@router.post("/register", status_code=201, summary="Create a customer account (anyone)")
def register(data: RegisterIn, session: SessionDep) -> AccountPublic:
    return service.public(service.register(session, data, utcnow()))


@router.post("/login", summary="Sign in; answers an access token (~15 min) and a refresh token")
def login(data: LoginIn, session: SessionDep, ctx: ContextDep) -> TokenPair:
    return service.login(session, ctx, data.email, data.password, utcnow())


@router.post("/token/refresh", summary="Swap a refresh token for a new pair (each works once)")
def refresh(data: RefreshIn, session: SessionDep, ctx: ContextDep) -> TokenPair:
    return service.refresh(session, ctx, data.refresh_token, utcnow())


@router.post("/logout", status_code=204, summary="End a sign-in on every device")
def logout(data: RefreshIn, session: SessionDep) -> Response:
    service.logout(session, data.refresh_token, utcnow())
    return Response(status_code=204)


@router.post(
    "/accounts", status_code=201, summary="Open a head office or store manager account (head office)"
)
def create_account(data: StaffCreate, session: SessionDep, caller: CurrentCaller) -> AccountPublic:
    return service.public(service.create_staff(session, caller, data, utcnow()))
