"""Trying a held feed entry again from the manager screen: the job that calls the service
(`store_db.services.feed.retry`, applied once) and what is said about it, in one sentence."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from store_db.db import StoreDB
from store_db.queries.quarantine import SetAside
from store_db.services import feed


def retried(cursor: int, kind: str, state: str, reason: str) -> str:
    """What trying a held entry again did, for the info line."""
    if state == "applied":
        return f"Feed entry #{cursor} ({kind}) is applied now, once."
    if state == "refused":
        return f"Feed entry #{cursor} ({kind}) was refused by this store and refunded; nothing to retry."
    return f"Feed entry #{cursor} ({kind}) is still held: {reason}"


def settled(cursor: int, kind: str, state: str) -> str:
    """Said when the selected entry is not held: there is nothing to try again."""
    return f"Feed entry #{cursor} ({kind}) was {state} already; there is nothing to try again."


def refusal(entry: SetAside | None) -> str | None:
    """What to say instead of trying (nothing selected, or the entry is not held); None: try it."""
    if entry is None:
        return "Open the held feed entries (F8) and select one to try again."
    return settled(entry.cursor, entry.kind, entry.state) if entry.state != "held" else None


def retry_job(entry: SetAside | None, at: datetime) -> Callable[[StoreDB], str]:
    """The job for the selected entry: try it again, or (nothing to try) only say why not."""

    def job(db: StoreDB) -> str:
        why = refusal(entry)
        if entry is None or why is not None:
            return why or ""
        row = db.run(feed.retry, entry.cursor, at)
        return retried(row.cursor, row.kind, row.state, row.reason)

    return job
