"""Sync with store agents, in the caller's transaction (the request boundary commits).

- `push`: each event stored once under `UNIQUE(store_id, seq)` and applied in the same
  transaction (`store_events.apply_store_events`); the answer names the store's
  high-water mark, so a replayed batch changes nothing and gets the same answer.
- `pull`: the store's feed after a cursor, in the wire contract's shapes.
- `heartbeat`: the store is online (it takes online orders) and where both ledgers stand.
"""

from __future__ import annotations

import logging
from datetime import datetime
from itertools import pairwise

from sqlalchemy.orm import Session

from cloud_api.auth.principal import Principal, Role
from cloud_api.errors import BadRequest, CloudError, Forbidden
from cloud_api.feed import service as feed
from cloud_api.store_events.schemas import Outcome
from cloud_api.store_events.service import apply_store_events, high_water_mark
from cloud_api.stores.service import record_heartbeat
from cloud_api.sync import repository
from cloud_api.sync.wire import to_wire
from sync import contracts, failpoints

log = logging.getLogger(__name__)


class ProtocolTooNew(CloudError):
    status_code = 426


def check_protocol(protocol: int) -> None:
    if protocol > contracts.PROTOCOL:
        raise ProtocolTooNew(
            f"This store speaks sync protocol {protocol}; this cloud speaks {contracts.PROTOCOL}. "
            "Update the cloud before the store.",
            "protocol",
        )


def device_store(caller: Principal, named: str = "") -> str:
    """The store a device acts for; a request naming another store is refused."""
    caller.require(Role.STORE_DEVICE)
    if caller.store_id is None:
        raise Forbidden("This credential is not bound to a store.")
    if named and named != caller.store_id:
        raise Forbidden("A store device can only sync its own store.", "store_id")
    return caller.store_id


def push(session: Session, store_id: str, batch: contracts.PushBatch, now: datetime) -> contracts.PushAck:
    events = batch.events
    if any(b.seq <= a.seq for a, b in pairwise(events)):
        raise BadRequest("A batch's events must be in increasing sequence order.", "events")
    if not events:
        return contracts.PushAck(store_id=store_id, high_water=high_water_mark(session, store_id))
    # Two halves, so a fault test can stop the process between them (`push.mid_batch`).
    half = max(1, len(events) // 2)
    outcomes, mark = apply_store_events(session, store_id, events[:half], now)
    if half < len(events):
        failpoints.hit("push.mid_batch")
        more, mark = apply_store_events(session, store_id, events[half:], now)
        outcomes += more
    stored = sum(1 for o in outcomes if o is not Outcome.DUPLICATE)
    return contracts.PushAck(store_id=store_id, high_water=mark, stored=stored)


def pull(session: Session, store_id: str, after: int, limit: int) -> contracts.PullPage:
    rows = feed.read(session, store_id, after, limit)
    head = repository.feed_head(session, store_id)
    entries = [
        contracts.FeedEntry(
            cursor=row.cursor,
            kind=row.kind,
            payload=to_wire(row.kind, row.payload),
            created_at=row.created_at,
        )
        for row in rows
    ]
    more = len(entries) == limit and entries[-1].cursor < head
    return contracts.PullPage(store_id=store_id, entries=entries, high_water=head, more=more)


def positions(session: Session, store_id: str) -> tuple[int, int]:
    """(the store's events held here up to, the store's feed up to)."""
    return high_water_mark(session, store_id), repository.feed_head(session, store_id)


def heartbeat(
    session: Session, store_id: str, beat: contracts.Heartbeat, now: datetime
) -> contracts.HeartbeatAck:
    store = record_heartbeat(session, store_id, now)
    high_water, feed_high_water = positions(session, store_id)
    troubled = [p for p in beat.printers if not p.online and p.waiting]
    for printer in troubled:
        log.warning(
            "store %s: printer '%s' is down with %d ticket(s) waiting: %s",
            store.code,
            printer.name,
            printer.waiting,
            printer.last_error or "no error given",
        )
    if beat.outbox_backlog > 1000:
        log.info("store %s is catching up: %d events waiting", store.code, beat.outbox_backlog)
    return contracts.HeartbeatAck(
        store_id=store_id, store_code=store.code, high_water=high_water, feed_high_water=feed_high_water
    )
