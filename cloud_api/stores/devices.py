"""Store device credentials: `mld_<device id>.<secret>`, shown once, kept here only as a hash."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime

from sqlalchemy.orm import Session

from cloud_api.auth.principal import Principal, Role
from cloud_api.auth.tokens import token_hash
from cloud_api.errors import Unauthorized
from cloud_api.models import Device


def issue(session: Session, store_id: str, label: str, at: datetime) -> tuple[Device, str]:
    secret = secrets.token_urlsafe(32)
    device = Device(store_id=store_id, secret_hash=token_hash(secret), label=label, created_at=at)
    session.add(device)
    session.flush()
    return device, f"mld_{device.id}.{secret}"


def authenticate_device(session: Session, token: str) -> Principal:
    device_id, _, secret = token.removeprefix("mld_").partition(".")
    device = session.get(Device, device_id) if 8 <= len(device_id) <= 36 and secret else None
    if device is None or not hmac.compare_digest(device.secret_hash, token_hash(secret)):
        raise Unauthorized("That store device credential is not valid; enroll the store again.")
    if device.revoked_at is not None:
        raise Unauthorized(
            "This store device has been revoked by head office; ask them for a new enrollment code."
        )
    return Principal(id=device.id, role=Role.STORE_DEVICE, store_id=device.store_id)
