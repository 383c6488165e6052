"""The store agent's writes on its link to the cloud, each one transaction of its own:
an acknowledgement from the cloud, a pulled page of the feed, and enrollment.

Whatever the agent heard from the cloud also marks the link online (`enrollment`),
in the same transaction as what it heard.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from store_db.models import SyncState
from store_db.services import enrollment, feed


def _heard(session: Session, at: datetime) -> None:
    if feed.sync_state(session).status != "online":
        enrollment.record_status(session, "online", at)


def acknowledge(session: Session, high_water: int, at: datetime) -> int:
    """The cloud holds every event up to `high_water`: mark them sent; returns how many."""
    newly = feed.mark_acked(session, high_water, at)
    _heard(session, at)
    return newly


def apply_page(
    session: Session,
    entries: list[tuple[int, str, dict[str, Any]]],
    at: datetime,
    mid_page: Callable[[], None] | None = None,
) -> tuple[int, int]:
    """Apply one pulled page of the feed (`feed.apply_entries`); returns (entries new
    here, the cursor). `mid_page` is called after the entries and before the commit."""
    applied = feed.apply_entries(session, entries, at)
    if mid_page is not None:
        mid_page()
    _heard(session, at)
    return applied, feed.sync_state(session).feed_cursor


def enroll(
    session: Session, cloud_url: str, device_token: str, at: datetime, feed_high_water: int
) -> SyncState:
    """`enrollment.enroll`; the feed starts afresh when the cloud's feed for this store is
    behind this store's cursor (a store the cloud did not know)."""
    behind = feed.sync_state(session).feed_cursor > feed_high_water
    return enrollment.enroll(session, cloud_url, device_token, at, new_feed=behind)
