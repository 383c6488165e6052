"""Queries for accounts and refresh tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cloud_api.models import Account, CloudSecret, RefreshToken


def account_by_email(session: Session, email: str) -> Account | None:
    return session.scalars(select(Account).where(func.lower(Account.email) == email.lower())).first()


def refresh_token_by_hash(session: Session, digest: str) -> RefreshToken | None:
    return session.scalars(
        select(RefreshToken).where(RefreshToken.token_hash == digest).with_for_update()
    ).first()


def revoke_family(session: Session, family_id: str, at: datetime) -> None:
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=at)
    )


def revoke_account(session: Session, account_id: str, at: datetime) -> None:
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.account_id == account_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=at)
    )


def secret(session: Session, name: str, candidate: str) -> str:
    """The shared secret `name`, created with `candidate` by whichever worker asks first."""
    from sqlalchemy.dialects.postgresql import insert

    session.execute(insert(CloudSecret).values(name=name, value=candidate).on_conflict_do_nothing())
    value = session.scalar(select(CloudSecret.value).where(CloudSecret.name == name))
    assert value is not None
    return value
