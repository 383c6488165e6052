"""Writing a store's feed in the caller's transaction.

Cursors count up per store with no gaps: the store's `store_feed_head` row is
locked by the `UPDATE … RETURNING` that hands out the next one, so entries of
one store commit in cursor order and a reader that saw cursor N never later
finds an N-1 it missed. So that lock is held for the shortest time, `append`
only queues the entry; it is written by the session's `before_commit`, right
before COMMIT, in the committing thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, event, insert, literal, select, update
from sqlalchemy.orm import Session, SessionTransaction

from cloud_api.db.database import announcement
from cloud_api.feed import repository
from cloud_api.models import StoreFeedEntry, StoreFeedHead
from sync.contract import FeedBody


def start_feed(session: Session, store_id: str) -> None:
    session.add(StoreFeedHead(store_id=store_id, last_cursor=0))


_PENDING = "makeline.feed.pending"


def append(session: Session, store_id: str, entry: FeedBody, at: datetime) -> None:
    """Add one entry (a model of the wire contract) to `store_id`'s feed when the caller's
    transaction commits. It is stored exactly as the store will pull it."""
    session.info.setdefault(_PENDING, []).append((store_id, entry.kind, entry.payload(), at))
    announcement(session).feed_stores.add(store_id)


# One store's next cursor and its entry in one statement (built once: it runs on every order).
_HEADS, _ENTRIES = cast(Table, StoreFeedHead.__table__), cast(Table, StoreFeedEntry.__table__)
_HEAD = (
    update(_HEADS)
    .where(_HEADS.c.store_id == bindparam("b_store"))
    .values(last_cursor=_HEADS.c.last_cursor + 1)
    .returning(_HEADS.c.store_id, _HEADS.c.last_cursor)
    .cte("head")
)
_ONE = (
    insert(_ENTRIES)
    .from_select(
        ["store_id", "cursor", "kind", "payload", "created_at"],
        select(
            _HEAD.c.store_id,
            _HEAD.c.last_cursor,
            bindparam("b_kind", type_=_ENTRIES.c.kind.type),
            bindparam("b_payload", type_=_ENTRIES.c.payload.type),
            bindparam("b_at", type_=_ENTRIES.c.created_at.type),
        ),
    )
    .returning(_ENTRIES.c.cursor)
)


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    if session.in_nested_transaction():
        return
    for store_id, kind, payload, at in session.info.pop(_PENDING, []):
        written = session.execute(
            _ONE, {"b_store": store_id, "b_kind": kind, "b_payload": payload, "b_at": at}
        )
        if written.first() is None:
            raise LookupError(f"store {store_id} has no feed")


@event.listens_for(Session, "after_transaction_end")
def _forget_pending(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the whole transaction ended: rolled back, or written above
        session.info.pop(_PENDING, None)


def append_to_stores(
    session: Session,
    entry: FeedBody,
    at: datetime,
    store_ids: Sequence[str] | None = None,
) -> list[str]:
    """The same entry in many stores' feeds (every store when `store_ids` is None)."""
    # Lock the heads in one order first, so two chain-wide writes cannot deadlock.
    heads = select(StoreFeedHead.store_id).order_by(StoreFeedHead.store_id).with_for_update()
    if store_ids is not None:
        heads = heads.where(StoreFeedHead.store_id.in_(list(store_ids)))
    session.execute(heads)
    touched = [store for store, _ in _append(session, entry.kind, entry.payload(), at, store_ids)]
    announcement(session).feed_stores.update(touched)
    return touched


def _append(
    session: Session, kind: str, payload: dict[str, Any], at: datetime, store_ids: Sequence[str] | None
) -> list[tuple[str, int]]:
    heads = update(StoreFeedHead).values(last_cursor=StoreFeedHead.last_cursor + 1)
    if store_ids is not None:
        heads = heads.where(StoreFeedHead.store_id.in_(list(store_ids)))
    bumped = heads.returning(StoreFeedHead.store_id, StoreFeedHead.last_cursor).cte("bumped")
    result = session.execute(
        insert(StoreFeedEntry)
        .from_select(
            ["store_id", "cursor", "kind", "payload", "created_at"],
            select(
                bumped.c.store_id,
                bumped.c.last_cursor,
                literal(kind),
                literal(payload, StoreFeedEntry.payload.type),
                literal(at, StoreFeedEntry.created_at.type),
            ),
        )
        .returning(StoreFeedEntry.store_id, StoreFeedEntry.cursor)
    )
    return [(row[0], row[1]) for row in result]


def read(session: Session, store_id: str, after: int, limit: int = 500) -> Sequence[StoreFeedEntry]:
    """Entries after cursor `after`, oldest first: what a store's agent pulls."""
    return repository.entries_after(session, store_id, after, limit)
