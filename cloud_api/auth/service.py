"""Signing up, signing in, rotating refresh tokens, and telling who a request comes from."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from cloud_api.auth import repository
from cloud_api.auth.passwords import hash_password, verify_password
from cloud_api.auth.principal import Principal, Role
from cloud_api.auth.schemas import AccountPublic, RegisterIn, StaffCreate, TokenPair
from cloud_api.auth.tokens import new_refresh_token, token_hash
from cloud_api.customers.phone import normalize_phone
from cloud_api.db.base import new_id
from cloud_api.errors import BadRequest, Conflict, Unauthorized
from cloud_api.models import Account, RefreshToken, Store

if TYPE_CHECKING:
    from cloud_api.context import CloudContext


def public(account: Account) -> AccountPublic:
    return AccountPublic(
        id=account.id,
        email=account.email,
        name=account.name,
        phone=account.phone,
        role=account.role,
        store_id=account.store_id,
        promotions=account.promotions,
    )


def new_account(
    session: Session,
    email: str,
    password: str,
    name: str,
    phone: str,
    role: Role,
    store_id: str | None,
    now: datetime,
) -> Account:
    if repository.account_by_email(session, email) is not None:
        raise Conflict(f"There is already an account for {email}; sign in instead.", "email")
    account = Account(
        email=email,
        password_hash=hash_password(password),
        name=name.strip(),
        phone=normalize_phone(phone) if phone.strip() else "",
        role=role.value,
        store_id=store_id,
        promotions=False,
        created_at=now,
        updated_at=now,
    )
    session.add(account)
    session.flush()
    return account


def register(session: Session, data: RegisterIn, now: datetime) -> Account:
    if not data.phone.strip():
        raise BadRequest("Enter a phone number so the store can reach you about your order.", "phone")
    return new_account(session, data.email, data.password, data.name, data.phone, Role.CUSTOMER, None, now)


def create_staff(session: Session, caller: Principal, data: StaffCreate, now: datetime) -> Account:
    caller.require(Role.HEAD_OFFICE)
    role = Role(data.role)
    if role is Role.STORE_MANAGER:
        if data.store_id is None:
            raise BadRequest("A store manager needs the store they manage.", "store_id")
        if session.get(Store, data.store_id) is None:
            raise BadRequest(f"There is no store {data.store_id}.", "store_id")
    elif data.store_id is not None:
        raise BadRequest("Head office accounts belong to no store; leave store_id out.", "store_id")
    return new_account(session, data.email, data.password, data.name, data.phone, role, data.store_id, now)


def _pair(session: Session, ctx: CloudContext, account: Account, family: str, now: datetime) -> TokenPair:
    refresh = new_refresh_token()
    session.add(
        RefreshToken(
            account_id=account.id,
            family_id=family,
            token_hash=token_hash(refresh),
            issued_at=now,
            expires_at=now + timedelta(days=ctx.settings.refresh_token_days),
        )
    )
    return TokenPair(
        access_token=ctx.tokens.access_token(account.id, account.role, account.store_id, now),
        refresh_token=refresh,
        expires_in=int(ctx.tokens.access_ttl.total_seconds()),
    )


def login(session: Session, ctx: CloudContext, email: str, password: str, now: datetime) -> TokenPair:
    account = repository.account_by_email(session, email)
    if not verify_password(account.password_hash if account else None, password) or account is None:
        raise Unauthorized("That email and password do not match an account.", "password")
    return _pair(session, ctx, account, new_id(), now)


def refresh(session: Session, ctx: CloudContext, token: str, now: datetime) -> TokenPair:
    """Rotate: the presented token is spent and a new one of the same family issued.

    A spent token presented again means it was copied: the whole family is revoked,
    so the thief and the owner must both sign in again.
    """
    found = repository.refresh_token_by_hash(session, token_hash(token))
    if found is None or found.revoked_at is not None:
        raise Unauthorized("That refresh token is not valid; sign in again.", "refresh_token")
    if found.used_at is not None:
        repository.revoke_family(session, found.family_id, now)
        raise Unauthorized(
            "That refresh token was already used, so this sign-in has been ended everywhere "
            "for safety; sign in again.",
            "refresh_token",
            keep_writes=True,
        )
    if found.expires_at <= now:
        raise Unauthorized("Your sign-in has expired; sign in again.", "refresh_token")
    account = session.get(Account, found.account_id)
    if account is None:
        raise Unauthorized("That account no longer exists.", "refresh_token")
    found.used_at = now
    return _pair(session, ctx, account, found.family_id, now)


def logout(session: Session, token: str, now: datetime) -> None:
    found = repository.refresh_token_by_hash(session, token_hash(token))
    if found is not None:
        repository.revoke_family(session, found.family_id, now)


def authenticate(session: Session, ctx: CloudContext, token: str) -> Principal:
    """The caller behind a bearer token: a store device (`mld_…`) or a signed account."""
    if token.startswith("mld_"):
        from cloud_api.stores.devices import authenticate_device

        return authenticate_device(session, token)
    return read_access_token(ctx, token)


def authenticate_device_token(ctx: CloudContext, token: str) -> Principal:
    """A store device's credential, checked in a transaction of its own."""
    from cloud_api.stores.devices import authenticate_device

    with ctx.db.transaction() as session:
        return authenticate_device(session, token)


def read_access_token(ctx: CloudContext, token: str) -> Principal:
    """A signed access token's account; no database needed."""
    claims = ctx.tokens.read_access(token)
    try:
        role = Role(str(claims.get("role")))
    except ValueError as exc:
        raise Unauthorized("That access token is not valid; sign in again.") from exc
    if role is Role.STORE_DEVICE:
        raise Unauthorized("That access token is not valid; sign in again.")
    store = claims.get("store")
    return Principal(id=str(claims["sub"]), role=role, store_id=store if isinstance(store, str) else None)
