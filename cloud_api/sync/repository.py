"""Queries the sync endpoints need beyond the feed's and the store events' own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from cloud_api.db.async_pool import Connection
from cloud_api.models import StoreAgent, StoreFeedHead, StoreHeartbeat
from sync import contract


def feed_head(session: Session, store_id: str) -> int:
    """The newest cursor of the store's feed (0 when it has none yet)."""
    found = session.scalar(select(StoreFeedHead.last_cursor).where(StoreFeedHead.store_id == store_id))
    return int(found or 0)


def agent_of(session: Session, store_id: str) -> StoreAgent | None:
    return session.get(StoreAgent, store_id, with_for_update=True)


def add_agent(session: Session, store_id: str, instance: str, now: datetime) -> None:
    session.execute(
        insert(StoreAgent)
        .values(store_id=store_id, instance=instance, last_seen_at=now, refused_instance="", refused_count=0)
        .on_conflict_do_nothing()
    )


def agents_flagged(session: Session) -> Sequence[StoreAgent]:
    """Stores a second computer tried to sync as, newest first."""
    return session.scalars(
        select(StoreAgent).where(StoreAgent.refused_at.is_not(None)).order_by(StoreAgent.refused_at.desc())
    ).all()


def save_report(session: Session, store_id: str, beat: contract.Heartbeat, now: datetime) -> None:
    """Keep the heartbeat's report whole (the fleet page reads it), replacing the last one."""
    row = {
        "received_at": now,
        "sent_at": beat.sent_at,
        "outbox_backlog": beat.outbox_backlog,
        "acked_seq": beat.acked_seq,
        "last_seq": beat.last_seq,
        "feed_cursor": beat.feed_cursor,
        "quarantined": beat.quarantined,
        "printers": [p.model_dump(mode="json") for p in beat.printers],
        "agent_version": beat.agent_version,
        "menu_version": beat.menu_version or None,
        "unseen_orders": beat.unseen_orders,
    }
    session.execute(
        insert(StoreHeartbeat)
        .values(store_id=store_id, **row)
        .on_conflict_do_update(index_elements=[StoreHeartbeat.store_id], set_=row)
    )


class DeviceRow(NamedTuple):
    store_id: str
    secret_hash: str
    revoked_at: datetime | None


async def device(conn: Connection, device_id: str) -> DeviceRow | None:
    """A device's row, to check a credential this worker has not verified yet."""
    cur = await conn.execute(
        "SELECT store_id, secret_hash, revoked_at FROM device WHERE id = %s", (device_id,)
    )
    row = await cur.fetchone()
    return None if row is None else DeviceRow(str(row[0]), str(row[1]), row[2])  # type: ignore[arg-type]


@dataclass(frozen=True)
class Beat:
    """What the heartbeat's statement found. `device`: the device is still the store's and not
    revoked (else nothing was written); `speaks`: the beat's computer speaks for the store
    (else nothing was written: `claim` decides); `earlier_plan`: the plan trackers showed
    before this beat (JSON, `PlannedDoor`s; `[]` when the store's load was stale or none),
    when this beat brings a load with another plan; None when there is no news to look for."""

    device: bool
    speaks: bool
    code: str
    earlier_plan: str | None
    high_water: int
    feed_high_water: int


# A heartbeat of the computer that speaks for the store, in one statement: the device still
# the store's (and, for a credential the worker has not verified yet, its secret's hash the
# device's); the agent seen (or, on its first call, recorded); the store seen (with its
# live load when sent); its report kept (as `save_report`); where both ledgers stand; and
# the plan this beat's load replaces when it differs, for the trackers' plan news (the same
# plan again, or none before and after, is no news: nothing to read). Agent and store are written only
# when last seen longer ago than `stale` (or, the store, when the beat brings a load): a
# computer beating every 15 s writes them each time, a flood of beats once per few seconds.
_BEAT = """
WITH device_ok AS (
    SELECT 1 FROM device WHERE id = %(device)s AND store_id = %(store)s AND revoked_at IS NULL
        AND (CAST(%(secret_hash)s AS text) IS NULL OR secret_hash = %(secret_hash)s)
), agent AS (
    SELECT instance FROM store_agent WHERE store_id = %(store)s
), speaks AS (
    SELECT 1 FROM device_ok
    WHERE %(instance)s = '' OR NOT EXISTS (SELECT 1 FROM agent)
        OR EXISTS (SELECT 1 FROM agent WHERE instance = %(instance)s)
), agent_seen AS (
    UPDATE store_agent SET last_seen_at = %(now)s
    WHERE store_id = %(store)s AND instance = %(instance)s AND last_seen_at < %(stale)s
        AND EXISTS (SELECT 1 FROM device_ok)
), agent_new AS (
    INSERT INTO store_agent (store_id, instance, last_seen_at, refused_instance, refused_count)
    SELECT %(store)s, %(instance)s, %(now)s, '', 0 FROM device_ok
    WHERE %(instance)s <> '' AND NOT EXISTS (SELECT 1 FROM agent)
    ON CONFLICT DO NOTHING
), earlier AS (
    SELECT code, live_load, live_load_at FROM store WHERE id = %(store)s
), seen AS (
    UPDATE store SET last_seen_at = %(now)s,
        live_load = CASE WHEN %(has_load)s THEN CAST(%(load)s AS jsonb) ELSE live_load END,
        live_load_at = CASE WHEN %(has_load)s THEN %(now)s ELSE live_load_at END
    WHERE id = %(store)s AND EXISTS (SELECT 1 FROM speaks)
        AND (%(has_load)s OR last_seen_at IS NULL OR last_seen_at < %(stale)s)
), report AS (
    INSERT INTO store_heartbeat (store_id, received_at, sent_at, outbox_backlog, acked_seq, last_seq,
        feed_cursor, quarantined, printers, agent_version, menu_version, unseen_orders)
    SELECT %(store)s, %(now)s, %(sent_at)s, %(outbox_backlog)s, %(acked_seq)s, %(last_seq)s,
        %(feed_cursor)s, %(quarantined)s, CAST(%(printers)s AS jsonb), %(agent_version)s,
        %(menu_version)s, %(unseen_orders)s
    FROM speaks
    ON CONFLICT (store_id) DO UPDATE SET received_at = excluded.received_at, sent_at = excluded.sent_at,
        outbox_backlog = excluded.outbox_backlog, acked_seq = excluded.acked_seq,
        last_seq = excluded.last_seq, feed_cursor = excluded.feed_cursor,
        quarantined = excluded.quarantined, printers = excluded.printers,
        agent_version = excluded.agent_version, menu_version = excluded.menu_version,
        unseen_orders = excluded.unseen_orders
)
SELECT EXISTS (SELECT 1 FROM device_ok), EXISTS (SELECT 1 FROM speaks), earlier.code,
    CASE WHEN NOT %(has_load)s THEN NULL
        WHEN earlier.live_load IS NULL OR earlier.live_load_at IS NULL OR earlier.live_load_at < %(fresh)s
            THEN '[]'
        WHEN earlier.live_load -> 'plan' IS DISTINCT FROM CAST(%(load)s AS jsonb) -> 'plan'
            THEN coalesce(CAST(earlier.live_load -> 'plan' AS text), '[]')
    END,
    coalesce((SELECT contiguous_seq FROM inbound_head WHERE store_id = %(store)s), 0),
    coalesce((SELECT last_cursor FROM store_feed_head WHERE store_id = %(store)s), 0)
FROM earlier
"""


async def beat(
    conn: Connection,
    device_id: str,
    store_id: str,
    instance: str,
    report: contract.Heartbeat,
    now: datetime,
    stale: timedelta,
    fresh: timedelta,
    secret_hash: str | None = None,
) -> Beat | None:
    """The heartbeat's one statement (see `_BEAT`); None when the store is gone. With
    `secret_hash`, a credential the worker has not verified yet is checked by the same
    statement: the device is the store's only if its secret's hash is that one."""
    params = {
        "device": device_id,
        "secret_hash": secret_hash,
        "store": store_id,
        "instance": instance,
        "now": now,
        "stale": now - stale,
        "fresh": now - fresh,
        "sent_at": report.sent_at,
        "outbox_backlog": report.outbox_backlog,
        "acked_seq": report.acked_seq,
        "last_seq": report.last_seq,
        "feed_cursor": report.feed_cursor,
        "quarantined": report.quarantined,
        "printers": _printers_json(report),
        "agent_version": report.agent_version,
        "menu_version": report.menu_version or None,
        "unseen_orders": report.unseen_orders,
        "has_load": report.load is not None,
        "load": None if report.load is None else report.load.model_dump_json(),
    }
    cur = await conn.execute(_BEAT, params)
    row = await cur.fetchone()
    if row is None:
        return None
    device_ok, speaks, code, earlier, high_water, feed_high_water = row
    return Beat(
        device=bool(device_ok),
        speaks=bool(speaks),
        code=str(code),
        earlier_plan=None if earlier is None else str(earlier),
        high_water=int(high_water),  # type: ignore[call-overload]
        feed_high_water=int(feed_high_water),  # type: ignore[call-overload]
    )


_PRINTERS = TypeAdapter(list[contract.PrinterHealth])


def _printers_json(report: contract.Heartbeat) -> str:
    return _PRINTERS.dump_json(report.printers).decode()
