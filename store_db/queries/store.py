"""The store's identity and the settings its screens read (targets, oven time, zone)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from makeline.trade.lifecycle import OPEN, Stage
from store_db.errors import NotFound
from store_db.models import Order, OutboxEvent, Staff, Store
from store_db.models.sync import FeedQuarantine, SyncState
from store_db.queries.scheduled import NOT_HELD


@dataclass(frozen=True)
class StoreInfo:
    code: str
    name: str
    timezone: str
    day_starts_hour: int
    make_target_s: int
    make_late_s: int
    oven_s: int
    rack_target_s: int


def store_info(session: Session) -> StoreInfo:
    store = session.scalars(select(Store)).first()
    if store is None:
        raise NotFound("This database holds no store. Run: makeline init-store --db PATH --demo")
    return StoreInfo(
        code=store.code,
        name=store.name,
        timezone=store.timezone,
        day_starts_hour=store.day_starts_hour,
        make_target_s=store.make_target_s,
        make_late_s=store.make_late_s,
        oven_s=store.oven_s,
        rack_target_s=store.rack_target_s,
    )


@dataclass(frozen=True)
class StatusCounts:
    """Open orders by stage: what the status line calls 'in progress'."""

    placed: int = 0
    made: int = 0
    baked: int = 0
    ready: int = 0
    out_the_door: int = 0

    @property
    def in_progress(self) -> int:
        return self.placed + self.made + self.baked + self.ready + self.out_the_door


def status_counts(session: Session) -> StatusCounts:
    rows = session.execute(
        select(Order.stage, func.count())
        .where(Order.stage.in_([s.value for s in OPEN]), NOT_HELD)
        .group_by(Order.stage)
    ).all()
    counts = {stage: int(n) for stage, n in rows}
    return StatusCounts(
        placed=counts.get(Stage.PLACED.value, 0),
        made=counts.get(Stage.MADE.value, 0),
        baked=counts.get(Stage.BAKED.value, 0),
        ready=counts.get(Stage.READY.value, 0),
        out_the_door=counts.get(Stage.OUT_THE_DOOR.value, 0),
    )


def staff_names(session: Session) -> list[str]:
    """Active staff, for the log-in screen's name suggestions."""
    return list(session.scalars(select(Staff.name).where(Staff.active.is_(True)).order_by(Staff.name)))


@dataclass(frozen=True)
class SyncStatus:
    """What the status line says about the link to the cloud."""

    status: str  # not_enrolled, online, offline, revoked
    last_contact_at: datetime | None
    unsent: int  # outbox events the cloud has not acknowledged yet
    set_aside: int = 0  # feed entries quarantined here, waiting for a fix


def sync_status(session: Session) -> SyncStatus:
    state = session.get(SyncState, 1)
    # The events after the cloud's last mark are the unacknowledged ones (each acknowledgement
    # marks every event up to it), counted by seq: no index of acked_at to keep (migration 0019).
    acked = state.acked_seq if state is not None else 0
    unsent = session.scalar(
        select(func.count())
        .select_from(OutboxEvent)
        .where(OutboxEvent.seq > acked, OutboxEvent.acked_at.is_(None))
    )
    held = session.scalar(
        select(func.count()).select_from(FeedQuarantine).where(FeedQuarantine.state == "held")
    )
    if state is None:
        return SyncStatus("not_enrolled", None, int(unsent or 0), int(held or 0))
    return SyncStatus(state.status, state.last_contact_at, int(unsent or 0), int(held or 0))
