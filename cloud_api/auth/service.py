"""Signing up, signing in, rotating refresh tokens, ending sign-ins, and telling who a
request comes from.

Every account has a session version; its access tokens carry the version they were
issued under. Logout, a password change, a role change and deleting the account raise
it, so tokens already handed out stop working within `session_check_seconds`.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from cloud_api.auth import repository
from cloud_api.auth.passwords import hash_password, verify_password
from cloud_api.auth.principal import Principal, Role
from cloud_api.auth.schemas import (
    AccountPublic,
    PasswordChange,
    RegisterIn,
    RoleChange,
    StaffCreate,
    TokenPair,
    Unlocked,
)
from cloud_api.auth.sessions import Standing
from cloud_api.auth.throttle import Policy
from cloud_api.auth.tokens import new_refresh_token, token_hash
from cloud_api.customers.phone import normalize_phone
from cloud_api.db.base import new_id
from cloud_api.errors import BadRequest, Conflict, Forbidden, NotFound, Unauthorized
from cloud_api.models import Account, RefreshToken, Store
from cloud_api.stores.devices import authenticate_device

if TYPE_CHECKING:
    from cloud_api.context import CloudContext

# Head office's interventions on other people's accounts, one line each (who, whom, what).
audit = logging.getLogger("cloud_api.audit")

_ENDED = "Your sign-in has ended (signed out, or the password or role changed); sign in again."


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
        session_version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(account)
    session.flush()
    return account


# -- throttling ---------------------------------------------------------------------------


def _account_policy(ctx: CloudContext) -> Policy:
    s = ctx.settings
    return Policy(
        s.sign_in_backoff_after,
        s.sign_in_lock_after,
        timedelta(minutes=s.sign_in_lock_minutes),
        timedelta(hours=1),
        "this account",
    )


def _address_policy(ctx: CloudContext) -> Policy:
    s = ctx.settings
    return Policy(
        s.address_backoff_after,
        s.address_lock_after,
        timedelta(minutes=s.sign_in_lock_minutes),
        timedelta(hours=1),
        "your network address",
    )


def _sign_up_policy(limit: int, what: str) -> Policy:
    return Policy(limit, limit * 2, timedelta(hours=1), timedelta(hours=1), what)


def _sign_in_keys(ctx: CloudContext, email: str, address: str) -> tuple[str, str]:
    return f"account:{email.strip().lower()}", f"address:{address}"


def register(session: Session, ctx: CloudContext, data: RegisterIn, address: str, now: datetime) -> Account:
    if not data.phone.strip():
        raise BadRequest("Enter a phone number so the store can reach you about your order.", "phone")
    ctx.throttle.attempt(
        [
            (
                f"sign-up:{address}",
                _sign_up_policy(ctx.settings.sign_ups_per_address, "your network address"),
            ),
            (f"sign-up:{data.email.lower()}", _sign_up_policy(ctx.settings.sign_ups_per_email, "this email")),
        ],
        "sign-up",
    )
    return new_account(session, data.email, data.password, data.name, data.phone, Role.CUSTOMER, None, now)


def create_staff(session: Session, caller: Principal, data: StaffCreate, now: datetime) -> Account:
    caller.require(Role.HEAD_OFFICE)
    role = Role(data.role)
    _check_store(session, role, data.store_id)
    return new_account(session, data.email, data.password, data.name, data.phone, role, data.store_id, now)


def _check_store(session: Session, role: Role, store_id: str | None) -> None:
    if role is Role.STORE_MANAGER:
        if store_id is None:
            raise BadRequest("A store manager needs the store they manage.", "store_id")
        if session.get(Store, store_id) is None:
            raise BadRequest(f"There is no store {store_id}.", "store_id")
    elif store_id is not None:
        raise BadRequest(
            f"A {role.value.replace('_', ' ')} account belongs to no store; leave store_id out.", "store_id"
        )


# -- tokens ---------------------------------------------------------------------------------


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
        access_token=ctx.tokens.access_token(
            account.id, account.role, account.store_id, now, account.session_version
        ),
        refresh_token=refresh,
        expires_in=int(ctx.tokens.access_ttl.total_seconds()),
    )


def login(
    session: Session, ctx: CloudContext, email: str, password: str, address: str, now: datetime
) -> TokenPair:
    account_key, address_key = _sign_in_keys(ctx, email, address)
    ctx.throttle.attempt([(account_key, _account_policy(ctx)), (address_key, _address_policy(ctx))])
    account = repository.account_by_email(session, email)
    if account is not None and account.deleted_at is not None:
        account = None
    if not verify_password(account.password_hash if account else None, password) or account is None:
        raise Unauthorized("That email and password do not match an account.", "password")
    ctx.throttle.succeeded([account_key], [address_key])
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
    if account is None or account.deleted_at is not None:
        raise Unauthorized("That account no longer exists.", "refresh_token")
    found.used_at = now
    return _pair(session, ctx, account, found.family_id, now)


def _end_sessions(session: Session, ctx: CloudContext, account: Account, now: datetime) -> None:
    """Every access token of the account stops working; every refresh token is revoked."""
    account.session_version += 1
    account.updated_at = now
    repository.revoke_account(session, account.id, now)
    ctx.sessions.forget(account.id)


def logout(
    session: Session, ctx: CloudContext, token: str | None, caller: Principal | None, now: datetime
) -> None:
    """End the sign-in on every device: the account of the refresh token or of the caller."""
    account_id = caller.id if caller is not None and caller.role is not Role.STORE_DEVICE else None
    if not token and account_id is None:
        raise BadRequest("Send the refresh token to end, or sign in with the access token.", "refresh_token")
    if token:
        found = repository.refresh_token_by_hash(session, token_hash(token))
        if found is not None:
            repository.revoke_family(session, found.family_id, now)
            account_id = found.account_id
    account = session.get(Account, account_id, with_for_update=True) if account_id else None
    if account is not None:
        _end_sessions(session, ctx, account, now)


def _person(session: Session, caller: Principal) -> Account:
    if caller.role is Role.STORE_DEVICE:
        raise Forbidden("A store device has no account; sign in as a person.")
    account = session.get(Account, caller.id, with_for_update=True)
    if account is None or account.deleted_at is not None:
        raise Unauthorized("Your account no longer exists.")
    return account


def change_password(
    session: Session, ctx: CloudContext, caller: Principal, data: PasswordChange, address: str, now: datetime
) -> TokenPair:
    """A new password ends every other sign-in; this device gets a fresh pair."""
    account = _person(session, caller)
    account_key, address_key = _sign_in_keys(ctx, account.email, address)
    ctx.throttle.attempt([(account_key, _account_policy(ctx)), (address_key, _address_policy(ctx))])
    if not verify_password(account.password_hash, data.current_password):
        raise Unauthorized("Your current password is not that one.", "current_password")
    ctx.throttle.succeeded([account_key], [address_key])
    if data.new_password == data.current_password:
        raise BadRequest("Choose a password different from your current one.", "new_password")
    account.password_hash = hash_password(data.new_password)
    _end_sessions(session, ctx, account, now)
    return _pair(session, ctx, account, new_id(), now)


def _staff_account(session: Session, account_id: str) -> Account:
    account = session.get(Account, account_id, with_for_update=True)
    if account is None or account.deleted_at is not None:
        raise NotFound("There is no account with that id.", "account_id")
    return account


def change_role(
    session: Session, ctx: CloudContext, caller: Principal, account_id: str, data: RoleChange, now: datetime
) -> Account:
    """Head office moves an account to another role (or store); its tokens issued under the
    old role stop working, and its next refresh carries the new one."""
    caller.require(Role.HEAD_OFFICE)
    if account_id == caller.id:
        raise Forbidden("Head office cannot change its own role; ask another head office account.")
    account = _staff_account(session, account_id)
    role = Role(data.role)
    _check_store(session, role, data.store_id)
    account.role, account.store_id = role.value, data.store_id
    account.session_version += 1
    account.updated_at = now
    ctx.sessions.forget(account.id)
    return account


def unlock(
    session: Session, ctx: CloudContext, caller: Principal, account_id: str, now: datetime
) -> Unlocked:
    """Head office lets an account locked by the sign-in throttle in again at once (its
    owner called): the account's failed sign-ins are forgotten; its password and sign-ins
    stay as they were. Written to the audit log whether or not it was locked."""
    caller.require(Role.HEAD_OFFICE)
    account = _staff_account(session, account_id)
    account_key, _ = _sign_in_keys(ctx, account.email, "")
    failures, blocked_until = ctx.throttle.release(account_key)
    was_blocked = blocked_until is not None and blocked_until > now
    audit.warning(
        "head office account %s unlocked the sign-in of account %s (%d failed sign-ins forgotten; %s)",
        caller.id,
        account.id,
        failures,
        "it was locked" if was_blocked else "it was not locked",
    )
    message = (
        f"{account.email} can sign in again now; {failures} failed sign-ins were forgotten."
        if was_blocked
        else f"{account.email} was not locked ({failures} recent failed sign-ins, now forgotten)."
    )
    return Unlocked(
        account_id=account.id,
        email=account.email,
        failures=failures,
        was_blocked=was_blocked,
        message=message,
    )


def delete_account(
    session: Session, ctx: CloudContext, caller: Principal, account_id: str, now: datetime
) -> None:
    """An account is closed: signed out everywhere, its personal data wiped. Its orders stay
    (the chain's books), pointing at what is left of it."""
    if account_id != caller.id:
        caller.require(Role.HEAD_OFFICE)
    account = _person(session, caller) if account_id == caller.id else _staff_account(session, account_id)
    _end_sessions(session, ctx, account, now)
    account.deleted_at = now
    account.email = f"deleted-{account.id}@accounts.invalid"
    account.name = "(deleted)"
    account.phone = ""
    account.password_hash = ""
    account.promotions = False


# -- who is calling -------------------------------------------------------------------------


def authenticate(session: Session, ctx: CloudContext, token: str) -> Principal:
    """The caller behind a bearer token: a store device (`mld_…`) or a signed account."""
    if token.startswith("mld_"):
        return authenticate_device(session, token)
    claims = ctx.tokens.read_access(token)
    account_id = str(claims["sub"])
    return standing_caller(claims, ctx.sessions.cached(account_id) or ctx.sessions.load(account_id))


def authenticate_device_token(ctx: CloudContext, token: str) -> Principal:
    """A store device's credential, checked in a transaction of its own."""
    with ctx.db.transaction() as session:
        return authenticate_device(session, token)


def standing_caller(claims: dict[str, Any], standing: Standing) -> Principal:
    """The account behind a signed access token's claims, if the token still stands."""
    if not standing.active:
        raise Unauthorized("That account no longer exists.")
    if claims.get("sv") != standing.version:
        raise Unauthorized(_ENDED)
    try:
        role = Role(standing.role)
    except ValueError as exc:
        raise Unauthorized("That access token is not valid; sign in again.") from exc
    if role is Role.STORE_DEVICE or claims.get("role") != standing.role:
        raise Unauthorized(_ENDED)
    return Principal(id=str(claims["sub"]), role=role, store_id=standing.store_id)
