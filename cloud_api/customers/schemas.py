"""A customer's profile as they see and change it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from cloud_api.api.types import Email, Name, Password, ShortText


class ProfilePublic(BaseModel):
    id: str
    email: str
    name: str
    phone: str
    role: str
    promotions: bool


class ProfileUpdate(BaseModel):
    """Only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")

    email: Email | None = None
    name: Name | None = None
    phone: ShortText | None = None
    password: Password | None = None
    promotions: bool | None = None
