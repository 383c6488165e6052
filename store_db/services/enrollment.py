"""This store's link to the cloud as the sync agent records it: enrollment (the cloud's
address and this store's device credential) and what the status line shows (online,
offline, revoked; last contact; the last problem). The cursors themselves move only
with what they count (`store_db.services.feed`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from store_db.errors import BadInput
from store_db.models import SyncState
from store_db.services.feed import sync_state

STATUSES = ("not_enrolled", "online", "offline", "revoked")


def enroll(
    session: Session, cloud_url: str, device_token: str, at: datetime, *, new_feed: bool = False
) -> SyncState:
    """Keep the cloud's address and this store's credential. With `new_feed`, the cloud
    starts this store's feed afresh (a store it did not know), so the feed cursor does too;
    the outbox position needs no reset: the agent asks the cloud how far it holds it."""
    if not cloud_url.startswith(("http://", "https://")):
        raise BadInput(f"The cloud address '{cloud_url}' must start with http:// or https://.")
    if not device_token.strip():
        raise BadInput("The cloud gave no device credential; enroll again.")
    state = sync_state(session)
    state.cloud_url = cloud_url.rstrip("/")
    state.device_token = device_token
    state.enrolled_at = at
    state.status = "offline"  # until the agent is heard by the cloud
    state.last_error = ""
    if new_feed:
        state.feed_cursor = 0
    return state


def record_status(session: Session, status: str, at: datetime, error: str = "") -> SyncState:
    """What the agent last found: `online` stamps the contact time and clears the problem."""
    if status not in STATUSES:
        raise BadInput(f"'{status}' is not a sync status ({', '.join(STATUSES)}).")
    state = sync_state(session)
    state.status = status
    state.last_error = error
    if status == "online":
        state.last_contact_at = at
    return state
