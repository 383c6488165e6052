"""Enrollment codes head office issued and nobody has used yet: who issued each, for which store
(or a new one), until when; and revoking one before it is used (a code read out to the wrong
person, or issued by mistake). A revoked code is gone: claiming it is refused as unknown."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, aliased

from cloud_api.auth.principal import Principal, Role
from cloud_api.errors import NotFound
from cloud_api.models import Account, Enrollment, Store

audit = logging.getLogger("cloud_api.audit")


@dataclass(frozen=True)
class OpenCode:
    code: str
    issued_by: str  # the account's name and email; its id when the account is gone
    issued_at: datetime
    expires_at: datetime
    store_id: str | None  # the store it re-enrolls; None: it creates a new store
    store: str  # that store's code and name, or "a new store"


def open_codes(session: Session, caller: Principal, now: datetime) -> list[OpenCode]:
    """The codes that can still be claimed, the soonest to expire first."""
    caller.require(Role.HEAD_OFFICE)
    issuer, store = aliased(Account), aliased(Store)
    rows = session.execute(
        select(Enrollment, issuer.name, issuer.email, store.code, store.name)
        .outerjoin(issuer, issuer.id == Enrollment.created_by)
        .outerjoin(store, store.id == Enrollment.for_store_id)
        .where(Enrollment.used_at.is_(None), Enrollment.expires_at > now)
        .order_by(Enrollment.expires_at, Enrollment.code)
    )
    return [
        OpenCode(
            code=e.code,
            issued_by=f"{name} <{email}>" if email else e.created_by,
            issued_at=e.created_at,
            expires_at=e.expires_at,
            store_id=e.for_store_id,
            store=f"{code} · {store_name}" if e.for_store_id else "a new store",
        )
        for e, name, email, code, store_name in rows
    ]


def revoke_code(session: Session, caller: Principal, code: str, now: datetime) -> OpenCode:
    """Withdraw an unused code; what it was, for the notice."""
    found = next((c for c in open_codes(session, caller, now) if c.code == code.strip().upper()), None)
    if found is None:
        raise NotFound(
            f"There is no unused enrollment code {code[:20]!r}; it may have expired or been used.", "code"
        )
    session.execute(delete(Enrollment).where(Enrollment.code == found.code, Enrollment.used_at.is_(None)))
    audit.info(
        "head office account %s revoked enrollment code %s (for %s)", caller.id, found.code, found.store
    )
    return found
