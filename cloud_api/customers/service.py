"""Reading and changing one's own profile."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from cloud_api.auth import repository
from cloud_api.auth.principal import Principal, Role
from cloud_api.customers.phone import normalize_phone
from cloud_api.customers.schemas import ProfilePublic, ProfileUpdate
from cloud_api.errors import BadRequest, Conflict, Forbidden, NotFound
from cloud_api.models import Account


def _own_account(session: Session, caller: Principal) -> Account:
    if caller.role is Role.STORE_DEVICE:
        raise Forbidden("A store device has no profile; sign in as a person.")
    account = session.get(Account, caller.id)
    if account is None or account.deleted_at is not None:
        raise NotFound("Your account no longer exists; register again.")
    return account


def public(account: Account) -> ProfilePublic:
    return ProfilePublic(
        id=account.id,
        email=account.email,
        name=account.name,
        phone=account.phone,
        role=account.role,
        promotions=account.promotions,
    )


def get_profile(session: Session, caller: Principal) -> ProfilePublic:
    return public(_own_account(session, caller))


def update_profile(session: Session, caller: Principal, data: ProfileUpdate, now: datetime) -> ProfilePublic:
    account = _own_account(session, caller)
    if data.email is not None and data.email.lower() != account.email.lower():
        if repository.account_by_email(session, data.email) is not None:
            raise Conflict(f"{data.email} already belongs to another account.", "email")
        account.email = data.email
    if data.name is not None:
        account.name = data.name
    if data.phone is not None:
        if not data.phone.strip() and account.role == Role.CUSTOMER.value:
            raise BadRequest("Customers need a phone number the store can call.", "phone")
        account.phone = normalize_phone(data.phone) if data.phone.strip() else ""
    if data.password is not None:
        raise BadRequest("Change your password with POST /password, giving your current one too.", "password")
    if data.promotions is not None:
        account.promotions = data.promotions
    account.updated_at = now
    return public(account)
