"""What the auth endpoints take and answer."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

from cloud_api.api.types import Clean, Email, EntityId, Name, Password, ShortText, Token


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegisterIn(Strict):
    email: Email
    password: Password
    name: Name
    phone: ShortText


class LoginIn(Strict):
    email: Email
    password: Annotated[str, StringConstraints(min_length=1, max_length=128), Clean]


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class RefreshIn(Strict):
    refresh_token: Token


class StaffCreate(Strict):
    """Head office opens accounts for head office staff and store managers."""

    email: Email
    password: Password
    name: Name
    phone: ShortText = ""
    role: Literal["head_office", "store_manager"]
    store_id: EntityId | None = None


class PasswordChange(Strict):
    current_password: Annotated[str, StringConstraints(min_length=1, max_length=128), Clean]
    new_password: Password


class RoleChange(Strict):
    """Head office moves an account to another role; a store manager names their store."""

    role: Literal["customer", "head_office", "store_manager"]
    store_id: EntityId | None = None


class LogoutIn(Strict):
    refresh_token: Token | None = None


class AccountPublic(BaseModel):
    id: str
    email: str
    name: str
    phone: str
    role: str
    store_id: str | None
    promotions: bool


class Unlocked(BaseModel):
    """What head office's unlock did: the failed sign-ins forgotten, and whether the account
    was locked or slowed down when it was unlocked."""

    account_id: str
    email: str
    failures: int
    was_blocked: bool
    message: str
