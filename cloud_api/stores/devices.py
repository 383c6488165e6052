"""Store device credentials: `mld_<device id>.<secret>`, shown once, kept here only as a hash."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from cloud_api.auth.principal import Principal, Role
from cloud_api.auth.tokens import token_hash
from cloud_api.errors import Unauthorized
from cloud_api.models import Device


class DeviceRecord(Protocol):
    """What a credential is checked against: the device's row (the ORM's, or a plain one)."""

    @property
    def store_id(self) -> str: ...
    @property
    def secret_hash(self) -> str: ...
    @property
    def revoked_at(self) -> datetime | None: ...


def issue(session: Session, store_id: str, label: str, at: datetime) -> tuple[Device, str]:
    secret = secrets.token_urlsafe(32)
    device = Device(store_id=store_id, secret_hash=token_hash(secret), label=label, created_at=at)
    session.add(device)
    session.flush()
    return device, f"mld_{device.id}.{secret}"


def token_parts(token: str) -> tuple[str, str]:
    """(device id, secret) of a well-formed device credential, else ("", "")."""
    device_id, _, secret = token.removeprefix("mld_").partition(".")
    return (device_id, secret) if 8 <= len(device_id) <= 36 and secret else ("", "")


def check_device(device_id: str, secret: str, found: DeviceRecord | None) -> Principal:
    """The device a credential speaks for, checked against the device's row (None: none)."""
    if found is None or not hmac.compare_digest(found.secret_hash, token_hash(secret)):
        raise Unauthorized("That store device credential is not valid; enroll the store again.")
    if found.revoked_at is not None:
        raise Unauthorized(
            "This store device has been revoked by head office; ask them for a new enrollment code."
        )
    return Principal(id=device_id, role=Role.STORE_DEVICE, store_id=found.store_id)


def authenticate_device(session: Session, token: str) -> Principal:
    device_id, secret = token_parts(token)
    return check_device(device_id, secret, session.get(Device, device_id) if device_id else None)
