"""Queries the sync endpoints need beyond the feed's and the store events' own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from pydantic import TypeAdapter
from pydantic_core import to_json
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


@dataclass(frozen=True)
class BeatAsk:
    """One beat for the heartbeats' statement: whose, from which computer, what it reports,
    when it came; `secret_hash`: a credential the worker has not verified yet, checked by the
    statement itself (the device is the store's only if its secret's hash is this one)."""

    device_id: str
    store_id: str
    instance: str
    report: contract.Heartbeat
    now: datetime
    secret_hash: str | None = None


# Heartbeats of the computers that speak for their stores, any number of stores (one beat
# each) in one statement: each device still its store's (and, for a credential the worker
# has not verified yet, its secret's hash the device's); each agent seen (or, on its first
# call, recorded); each store seen (with its live load when sent); each report kept (as
# `save_report`); where both ledgers stand; and the plan each beat's load replaces when it
# differs, for the trackers' plan news (the same plan again, or none before and after, is no
# news: nothing to read). Agent and store are written only when last seen longer ago than
# `stale` (or, the store, when the beat brings a load): a computer beating every 15 s writes
# them each time, a flood of beats once per few seconds. Each table's rows are written in the
# order of their stores, so two such statements at once (two workers) wait for each other
# rather than each holding a row the other needs.
BEATS = """
WITH b AS (
    SELECT * FROM json_to_recordset(CAST(%(beats)s AS json)) AS b(i int, device text, secret_hash text,
        store text, instance text, now timestamptz, stale timestamptz, fresh timestamptz,
        sent_at timestamptz, outbox_backlog bigint, acked_seq bigint, last_seq bigint,
        feed_cursor bigint, quarantined bigint, printers text, agent_version text, menu_version int,
        unseen_orders int, load text)
), k AS MATERIALIZED (  -- each look-up by its key, one beat at a time, whatever the chain's size
    SELECT b.*, coalesce((
        SELECT d.store_id = b.store AND d.revoked_at IS NULL
            AND (b.secret_hash IS NULL OR d.secret_hash = b.secret_hash)
        FROM device d WHERE d.id = b.device
    ), false) AS device_ok, (SELECT a.instance FROM store_agent a WHERE a.store_id = b.store) AS agent
    FROM b
), ok AS (
    SELECT k.*, k.device_ok AND (k.instance = '' OR k.agent IS NULL OR k.agent = k.instance) AS speaks
    FROM k
), agent_seen AS (
    UPDATE store_agent a SET last_seen_at = o.now
    FROM (SELECT * FROM ok WHERE device_ok ORDER BY store) o
    WHERE a.store_id = o.store AND a.instance = o.instance AND a.last_seen_at < o.stale
), agent_new AS (
    INSERT INTO store_agent (store_id, instance, last_seen_at, refused_instance, refused_count)
    SELECT store, instance, now, '', 0 FROM ok WHERE device_ok AND instance <> '' AND agent IS NULL
    ORDER BY store
    ON CONFLICT DO NOTHING
), seen AS (
    UPDATE store s SET last_seen_at = o.now,
        live_load = CASE WHEN o.load IS NOT NULL THEN CAST(o.load AS jsonb) ELSE s.live_load END,
        live_load_at = CASE WHEN o.load IS NOT NULL THEN o.now ELSE s.live_load_at END
    FROM (SELECT * FROM ok WHERE speaks ORDER BY store) o
    WHERE s.id = o.store AND (o.load IS NOT NULL OR s.last_seen_at IS NULL OR s.last_seen_at < o.stale)
), report AS (
    INSERT INTO store_heartbeat (store_id, received_at, sent_at, outbox_backlog, acked_seq, last_seq,
        feed_cursor, quarantined, printers, agent_version, menu_version, unseen_orders)
    SELECT store, now, sent_at, outbox_backlog, acked_seq, last_seq, feed_cursor, quarantined,
        CAST(printers AS jsonb), agent_version, menu_version, unseen_orders
    FROM ok WHERE speaks
    ORDER BY store
    ON CONFLICT (store_id) DO UPDATE SET received_at = excluded.received_at, sent_at = excluded.sent_at,
        outbox_backlog = excluded.outbox_backlog, acked_seq = excluded.acked_seq,
        last_seq = excluded.last_seq, feed_cursor = excluded.feed_cursor,
        quarantined = excluded.quarantined, printers = excluded.printers,
        agent_version = excluded.agent_version, menu_version = excluded.menu_version,
        unseen_orders = excluded.unseen_orders
)
SELECT o.i, o.device_ok, o.speaks, e.code,
    CASE WHEN o.load IS NULL THEN NULL
        WHEN e.live_load IS NULL OR e.live_load_at IS NULL OR e.live_load_at < o.fresh THEN '[]'
        WHEN e.live_load -> 'plan' IS DISTINCT FROM CAST(o.load AS jsonb) -> 'plan'
            THEN coalesce(CAST(e.live_load -> 'plan' AS text), '[]')
    END,
    coalesce((SELECT contiguous_seq FROM inbound_head WHERE store_id = o.store), 0),
    coalesce((SELECT last_cursor FROM store_feed_head WHERE store_id = o.store), 0)
FROM ok o CROSS JOIN LATERAL (SELECT code, live_load, live_load_at FROM store WHERE id = o.store) e
"""


async def beats(
    conn: Connection, asks: Sequence[BeatAsk], stale: timedelta, fresh: timedelta
) -> list[Beat | None]:
    """The heartbeats' one statement (see `BEATS`) for beats of different stores, each
    found in the order asked; None where the store is gone."""
    if len({ask.store_id for ask in asks}) != len(asks):
        raise ValueError("one beat a store in a statement")
    cur = await conn.execute(BEATS, beats_parameters(asks, stale, fresh))
    found: list[Beat | None] = [None] * len(asks)
    for at, device_ok, speaks, code, earlier, high_water, feed_high_water in await cur.fetchall():
        found[int(at)] = Beat(  # type: ignore[call-overload]
            device=bool(device_ok),
            speaks=bool(speaks),
            code=str(code),
            earlier_plan=None if earlier is None else str(earlier),
            high_water=int(high_water),  # type: ignore[call-overload]
            feed_high_water=int(feed_high_water),  # type: ignore[call-overload]
        )
    return found


def beats_parameters(asks: Sequence[BeatAsk], stale: timedelta, fresh: timedelta) -> dict[str, str]:
    """`BEATS`'s one parameter: the beats as one JSON document (made in pydantic's Rust)."""
    rows = [
        {
            "i": i,
            "device": ask.device_id,
            "secret_hash": ask.secret_hash,
            "store": ask.store_id,
            "instance": ask.instance,
            "now": ask.now,
            "stale": ask.now - stale,
            "fresh": ask.now - fresh,
            "sent_at": ask.report.sent_at,
            "outbox_backlog": ask.report.outbox_backlog,
            "acked_seq": ask.report.acked_seq,
            "last_seq": ask.report.last_seq,
            "feed_cursor": ask.report.feed_cursor,
            "quarantined": ask.report.quarantined,
            "printers": _printers_json(ask.report),
            "agent_version": ask.report.agent_version,
            "menu_version": ask.report.menu_version or None,
            "unseen_orders": ask.report.unseen_orders,
            "load": None if ask.report.load is None else ask.report.load.model_dump_json(),
        }
        for i, ask in enumerate(asks)
    ]
    return {"beats": to_json(rows).decode()}


_PRINTERS = TypeAdapter(list[contract.PrinterHealth])


def _printers_json(report: contract.Heartbeat) -> str:
    return _PRINTERS.dump_json(report.printers).decode()
