"""The store's side of the sync, on its SQLite file: the outbox to send, the feed to apply,
and the link status the terminal shows. Blocking calls; the agent runs them in threads.

Every write is one short `BEGIN IMMEDIATE` transaction of a `store_db` service, so a
kill at any moment leaves the database as it was before or after, never between.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from makeline.trade.errors import TradeError
from store_db.db import StoreDB
from store_db.dispatch.planning import planned_doors
from store_db.errors import StoreError
from store_db.models import FeedQuarantine, OutboxEvent, Store, SyncState, utcnow
from store_db.queries.unseen import unseen_orders
from store_db.services import cloud_link, enrollment, throttle
from sync import contract, failpoints
from sync.errors import OutOfStep
from sync.protocol import whole_transactions

log = logging.getLogger("sync")


@dataclass(frozen=True)
class Link:
    cloud_url: str
    device_token: str
    status: str
    last_error: str


@dataclass(frozen=True)
class Position:
    acked_seq: int  # the cloud has acknowledged every event up to here
    last_seq: int  # the newest event in the outbox
    feed_cursor: int  # the last feed entry applied
    set_aside: int = 0  # feed entries quarantined here, waiting for a fix
    menu_version: int = 0  # the menu the store sells from (0: none yet)
    unseen_orders: int = 0  # online orders nobody saw (`makeline.trade.unseen`)
    unseen_late: tuple[str, ...] = ()  # the cloud's ids of those whose customers are told

    @property
    def backlog(self) -> int:
        return max(0, self.last_seq - self.acked_seq)


class Ledger:
    def __init__(self, db: StoreDB) -> None:
        self.db = db

    def link(self) -> Link | None:
        """The cloud's address and credential, or None while the store is not enrolled."""
        with self.db.read() as session:
            state = session.get(SyncState, 1)
            if state is None or not state.cloud_url or not state.device_token:
                return None
            return Link(state.cloud_url, state.device_token, state.status, state.last_error)

    def live_load(self) -> contract.LiveLoad | None:
        """The kitchen's load now, with online ordering's throttle reviewed against it; None
        when it cannot be read or a store setting is past what the wire carries (the cloud
        then quotes on its own estimate): the heartbeat itself never fails for it."""
        at = utcnow()
        try:
            load, found = self.db.run(throttle.reviewed_load, at)
            return contract.LiveLoad.of(load, found, at, self.planned_doors(at))
        except (StoreError, SQLAlchemyError, ValidationError) as exc:
            log.warning("sync: the kitchen's load could not be read for online quotes: %s", exc)
            return None

    def planned_doors(self, at: datetime) -> list[contract.PlannedDoor]:
        """The dispatch plan's departure and door times per delivery order on its runs, for
        the tracker; none when no plan can be made now (the tracker shows the promise)."""
        try:
            return [
                contract.PlannedDoor(order_id=order_id, leave_at=leave_at, eta_at=eta_at)
                for order_id, leave_at, eta_at in planned_doors(self.db, at)
            ]
        except (TradeError, SQLAlchemyError, ValidationError) as exc:
            log.warning("sync: no dispatch plan for the tracker: %s", exc)
            return []

    def position(self, at: datetime | None = None) -> Position:
        with self.db.read() as session:
            state = session.get(SyncState, 1)
            last = session.scalar(select(func.max(OutboxEvent.seq))) or 0
            held = session.scalar(
                select(func.count()).select_from(FeedQuarantine).where(FeedQuarantine.state == "held")
            )
            menu = session.scalar(select(Store.menu_version)) or 0
            found = unseen_orders(session, at or utcnow())
            late = tuple(u.cloud_order_id for u in found if u.tell_customer and u.cloud_order_id)
            acked, cursor = (state.acked_seq, state.feed_cursor) if state else (0, 0)
            return Position(acked, last, cursor, int(held or 0), menu, len(found), late[:200])

    def batch(self, after: int, limit: int) -> list[contract.OutboxEvent]:
        """The next events after seq `after`, whole store transactions only."""
        with self.db.read() as session:
            rows = list(
                session.scalars(
                    select(OutboxEvent)
                    .where(OutboxEvent.seq > after)
                    .order_by(OutboxEvent.seq)
                    .limit(limit + 1)
                )
            )
            if not rows:
                return []
            if rows[0].seq != after + 1:
                raise OutOfStep(
                    f"The store's outbox has no event #{after + 1} although it has #{rows[0].seq}; "
                    "the database was changed by hand or restored in part. Call support."
                )
            take = whole_transactions([r.txn for r in rows], limit)
            if take is None:  # one transaction longer than a batch: it travels whole
                rows = list(
                    session.scalars(
                        select(OutboxEvent)
                        .where(OutboxEvent.txn == rows[0].txn, OutboxEvent.seq > after)
                        .order_by(OutboxEvent.seq)
                    )
                )
            else:
                rows = rows[:take]
            return [_wire(r) for r in rows]

    def acknowledge(self, high_water: int, at: datetime | None = None) -> int:
        """The cloud holds every event up to `high_water`: mark them sent; returns how many."""
        return self.db.run(cloud_link.acknowledge, high_water, at or utcnow())

    def apply_page(self, entries: list[contract.FeedEntry], at: datetime | None = None) -> tuple[int, int]:
        """Apply one pulled page in one transaction; returns (entries new here, the cursor)."""
        page = [(e.cursor, e.kind, e.payload) for e in entries]
        return self.db.run(
            cloud_link.apply_page, page, at or utcnow(), lambda: failpoints.hit("agent.mid_page")
        )

    def record(self, status: str, error: str = "", at: datetime | None = None) -> None:
        """Note the link's status for the terminal, writing only when something changed
        (a contact time is kept at most every few seconds)."""
        at = at or utcnow()
        with self.db.read() as session:
            state = session.get(SyncState, 1)
            if state is not None and state.status == status and state.last_error == error:
                last = state.last_contact_at
                if status != "online" or (last is not None and (at - last).total_seconds() < 5):
                    return
        self.db.run(enrollment.record_status, status, at, error)


def _wire(row: OutboxEvent) -> contract.OutboxEvent:
    return contract.OutboxEvent(
        seq=row.seq,
        event_id=row.event_id,
        txn=row.txn,
        kind=row.kind,
        subject=row.subject,
        payload=row.payload,
        created_at=row.created_at,
    )
