"""Storing store events once, the per-store high-water mark, and the queue of stored
events waiting to be applied (`inbound_pending`: runs of consecutive sequence numbers)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from itertools import starmap
from typing import Any, NamedTuple

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from cloud_api.db.records import any_of
from cloud_api.models import InboundEvent, InboundHead, InboundPending, InboundQuarantine

# A batch of a store's events in one statement whatever its length, sent as one JSON
# document (one parameter: nothing per row to compile, escape or send).
_STORE_BATCH = text(
    """
    INSERT INTO inbound_event (store_id, seq, event_id, kind, payload, created_at, received_at)
    SELECT :store, e.seq, e.event_id, e.kind, e.payload, e.created_at, :now
    FROM json_to_recordset(CAST(:rows AS json))
        AS e(seq bigint, event_id text, kind text, payload json, created_at timestamptz)
    ON CONFLICT DO NOTHING
    RETURNING seq
    """
)
# ... and queued for the appliers in the same statement: a row for each run of consecutive
# new sequence numbers (one for a push, unless some of it was stored before).
_QUEUED = (
    "queued AS (INSERT INTO inbound_pending (store_id, seq, last_seq) "
    "SELECT :store, min(seq), max(seq) "
    "FROM (SELECT seq, seq - row_number() OVER (ORDER BY seq) AS run FROM stored) AS s GROUP BY run)"
)
_STORE_BATCH = text("WITH stored AS (" + str(_STORE_BATCH.text) + "), " + _QUEUED + " SELECT seq FROM stored")


# The same, each payload taken by the statement from the push's body as sent (`json`: its
# text kept as it came), beside the envelopes read by the contract (`n`: the event's place in
# the body's `events`). Nothing is stored unless every event has a JSON object for a payload;
# the first that has none is returned instead (its place, and whether it has none at all).
_STORE_AS_SENT = text(
    """
    WITH pushed AS MATERIALIZED (
        SELECT n, e.seq, e.event_id, e.kind, r.payload, e.created_at
        FROM json_to_recordset(CAST(:envelopes AS json))
            AS e(n bigint, seq bigint, event_id text, kind text, created_at timestamptz)
        FULL JOIN (
            SELECT n, element -> 'payload' AS payload
            FROM json_array_elements(CAST(:body AS json) -> 'events') WITH ORDINALITY AS b(element, n)
        ) AS r USING (n)
    ),
    unread AS (
        SELECT n, payload IS NULL AS missing FROM pushed
        WHERE seq IS NULL OR payload IS NULL OR json_typeof(payload) <> 'object'
        ORDER BY n LIMIT 1
    ),
    stored AS (
        INSERT INTO inbound_event (store_id, seq, event_id, kind, payload, created_at, received_at)
        SELECT :store, seq, event_id, kind, payload, created_at, :now FROM pushed
        WHERE NOT EXISTS (SELECT FROM unread)
        ON CONFLICT DO NOTHING
        RETURNING seq
    ),
    """
    + _QUEUED
    + """
    SELECT seq, NULL AS n, NULL AS missing FROM stored
    UNION ALL SELECT NULL, n, missing FROM unread
    """
)


class Unread(NamedTuple):
    """A pushed event whose payload is not a JSON object: its place in the body's `events`
    (from 0), and whether it has no payload at all."""

    place: int
    missing: bool


def store_as_sent(
    session: Session, store_id: str, envelopes: str, body: str, now: datetime
) -> set[int] | Unread:
    """`store_batch` of a push's events, each payload taken from its body (`envelopes`: a
    JSON array of objects with `n`, `seq`, `event_id`, `kind` and `created_at`); the
    sequence numbers that were new, or the first event without an object for its payload
    (then nothing is stored)."""
    new: set[int] = set()
    params = {"store": store_id, "now": now, "envelopes": envelopes, "body": body}
    for seq, n, missing in session.execute(_STORE_AS_SENT, params):
        if n is not None:
            return Unread(int(n) - 1, bool(missing))
        new.add(int(seq))
    return new


def store_batch(session: Session, store_id: str, rows: str, now: datetime) -> set[int]:
    """Store a store's events (`inbound_event` rows: a JSON array of objects with `seq`,
    `event_id`, `kind`, `payload` and `created_at`) in one statement; returns the sequence
    numbers that were new (a stored one, or an event id stored before, is not)."""
    found = session.execute(_STORE_BATCH, {"store": store_id, "now": now, "rows": rows}).scalars().all()
    return set(map(int, found))  # read whole (one fetch, not one a row)


def event_ids_at(session: Session, store_id: str, seqs: Sequence[int]) -> dict[int, str]:
    """The event ids stored under these sequence numbers of the store."""
    if not seqs:
        return {}
    found = session.execute(
        select(InboundEvent.seq, InboundEvent.event_id).where(
            InboundEvent.store_id == store_id, InboundEvent.seq == any_of(seqs)
        )
    )
    return {int(seq): event_id for seq, event_id in found}


def lock_head(session: Session, store_id: str) -> InboundHead:
    """The store's marks, locked: one store's events are stored by one writer at a time
    (one statement once the store has pushed before)."""
    locked = select(InboundHead).where(InboundHead.store_id == store_id).with_for_update()
    found = session.execute(locked).scalar_one_or_none()
    if found is not None:
        return found
    session.execute(
        insert(InboundHead).values(store_id=store_id, contiguous_seq=0, max_seq=0).on_conflict_do_nothing()
    )
    return session.execute(locked).scalar_one()


def catch_up(session: Session, store_id: str, mark: int) -> int:
    """The contiguous mark after `mark`, over sequence numbers stored earlier out of order."""
    following = session.scalars(
        select(InboundEvent.seq)
        .where(InboundEvent.store_id == store_id, InboundEvent.seq > mark)
        .order_by(InboundEvent.seq)
        .limit(100_000)
    ).all()
    for seq in following:
        if seq != mark + 1:
            break
        mark = seq
    return mark


def head(session: Session, store_id: str) -> int:
    return session.scalar(select(InboundHead.contiguous_seq).where(InboundHead.store_id == store_id)) or 0


def quarantine(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Set events aside (`inbound_quarantine` rows), in one statement."""
    if rows:
        session.execute(insert(InboundQuarantine).values(list(rows)).on_conflict_do_nothing())


def quarantined(session: Session, store_id: str | None, limit: int) -> Sequence[InboundQuarantine]:
    query = select(InboundQuarantine).order_by(InboundQuarantine.quarantined_at.desc()).limit(limit)
    if store_id is not None:
        query = query.where(InboundQuarantine.store_id == store_id)
    return session.scalars(query).all()


# The runs holding any of the sequence numbers, cut around them: what is left of each is
# queued again as runs of its own.
_DROP = text(
    """
    WITH hit AS (
        DELETE FROM inbound_pending AS p
        WHERE p.store_id = :store
          AND EXISTS (SELECT 1 FROM unnest(CAST(:seqs AS bigint[])) AS d(seq) WHERE d.seq BETWEEN p.seq AND p.last_seq)
        RETURNING p.seq, p.last_seq
    ), kept AS (
        SELECT hit.seq AS first, s.seq, s.seq - row_number() OVER (PARTITION BY hit.seq ORDER BY s.seq) AS run
        FROM hit, generate_series(hit.seq, hit.last_seq) AS s(seq)
        WHERE s.seq <> ALL(CAST(:seqs AS bigint[]))
    )
    INSERT INTO inbound_pending (store_id, seq, last_seq)
    SELECT :store, min(seq), max(seq) FROM kept GROUP BY first, run
    """
)


def drop_pending(session: Session, store_id: str, seqs: Sequence[int]) -> None:
    """These events of the store are no longer waiting (set aside as they were stored)."""
    if seqs:
        session.execute(_DROP, {"store": store_id, "seqs": list(seqs)})


class Waiting(NamedTuple):
    """A stored event waiting to be applied (a `StoreEventLike`), its payload as the JSON
    text PostgreSQL prints (the contract reads it from the text: `parse_event_json`)."""

    seq: int
    event_id: str
    kind: str
    document: str
    created_at: datetime

    @property
    def payload(self) -> dict[str, Any]:
        found: dict[str, Any] = json.loads(self.document)
        return found


# The store's oldest waiting events taken off the queue and read in one statement: they
# leave it in the transaction that applies them (a rollback puts them back). The runs are
# taken oldest first up to `limit` events; the rest of a run cut short is queued again.
_TAKE = text(
    """
    WITH runs AS (
        SELECT seq, last_seq, CAST(sum(last_seq - seq + 1) OVER (ORDER BY seq) AS bigint) - (last_seq - seq + 1) AS before
        FROM inbound_pending WHERE store_id = :store
    ), chosen AS (
        SELECT seq, last_seq, least(last_seq, seq + :limit - before - 1) AS upto FROM runs WHERE before < :limit
    ), taken AS (
        DELETE FROM inbound_pending AS p USING chosen AS c
        WHERE p.store_id = :store AND p.seq = c.seq
        RETURNING c.seq, c.last_seq, c.upto
    ), rest AS (
        INSERT INTO inbound_pending (store_id, seq, last_seq)
        SELECT :store, upto + 1, last_seq FROM taken WHERE upto < last_seq
    )
    SELECT e.seq, e.event_id, e.kind, CAST(e.payload AS text), e.created_at
    FROM taken JOIN inbound_event AS e ON e.store_id = :store AND e.seq BETWEEN taken.seq AND taken.upto
    ORDER BY e.seq
    """
)


def take_pending(session: Session, store_id: str, limit: int) -> list[Waiting]:
    """The store's oldest events waiting to be applied (at most `limit`), in sequence order,
    taken off the queue in the caller's transaction: apply them in it."""
    found = session.execute(_TAKE, {"store": store_id, "limit": limit}).all()  # one fetch
    return list(starmap(Waiting, found))


# The stores with events waiting, one index probe each (a skip scan over the queue's
# primary key): `SELECT DISTINCT` read every waiting event of each store it listed (64 stores
# of a storm's 300 events each: 19,200 index entries, at every round of every applier).
_STORES_WAITING = text(
    """
    WITH RECURSIVE waiting(store_id) AS (
        (SELECT store_id FROM inbound_pending ORDER BY store_id LIMIT 1)
        UNION ALL
        SELECT (SELECT p.store_id FROM inbound_pending AS p WHERE p.store_id > w.store_id
                ORDER BY p.store_id LIMIT 1)
        FROM waiting AS w WHERE w.store_id IS NOT NULL
    )
    SELECT store_id FROM waiting WHERE store_id IS NOT NULL LIMIT :limit
    """
)


def stores_waiting(session: Session, limit: int) -> list[str]:
    """Stores with events waiting to be applied (at most `limit`, in the order of their ids)."""
    return [str(store) for store in session.scalars(_STORES_WAITING, {"limit": limit})]


def any_waiting(session: Session, store_id: str) -> bool:
    """Whether any of the store's events wait to be applied (besides those this transaction took)."""
    return bool(
        session.scalar(select(select(InboundPending.seq).where(InboundPending.store_id == store_id).exists()))
    )


def waiting(session: Session, store_id: str) -> int:
    """How many of the store's events wait to be applied."""
    found = session.scalar(
        select(func.sum(InboundPending.last_seq - InboundPending.seq + 1)).where(
            InboundPending.store_id == store_id
        )
    )
    return int(found or 0)


# The appliers' whole queue (a row for each run of a push's events, so a storm's thousand
# stores are a thousand rows) and the paces its appliers told lately, in one statement.
_BACKLOG = text(
    """
    SELECT (SELECT coalesce(sum(last_seq - seq + 1), 0) FROM inbound_pending),
           (SELECT coalesce(sum(events_per_s), 0) FROM applier_pace
            WHERE told_at > now() - make_interval(secs => :fresh_s))
    """
)


def backlog(session: Session, fresh_s: float) -> tuple[int, float]:
    """How many events of every store wait to be applied, and how many a second the appliers
    apply (the sum of the paces told in the last `fresh_s`; 0.0 when none was)."""
    waiting, pace = session.execute(_BACKLOG, {"fresh_s": fresh_s}).one()
    return int(waiting), float(pace)


# An applier's pace, on the database's clock; the paces of appliers gone an hour cleared away.
_TELL_PACE = text(
    """
    WITH gone AS (DELETE FROM applier_pace WHERE told_at < now() - interval '1 hour' AND applier <> :applier)
    INSERT INTO applier_pace (applier, events_per_s, told_at) VALUES (:applier, :pace, now())
    ON CONFLICT (applier) DO UPDATE SET events_per_s = excluded.events_per_s, told_at = excluded.told_at
    """
)


def tell_pace(session: Session, applier: str, events_per_s: float) -> None:
    """The applier `applier` applies `events_per_s` events a second while it has events to apply."""
    session.execute(_TELL_PACE, {"applier": applier, "pace": events_per_s})


# One applier per store at a time, across every worker: a lock on the store's own key,
# held until the applying transaction ends (the store's pushes do not wait for it).
_LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended('apply:' || :store, 0))")
_TRY_LOCK = text("SELECT pg_try_advisory_xact_lock(hashtextextended('apply:' || :store, 0))")


def lock_store(session: Session, store_id: str, wait: bool = True) -> bool:
    """The store's applier lock for this transaction; with `wait=False`, False when another
    transaction holds it."""
    if wait:
        session.execute(_LOCK, {"store": store_id})
        return True
    return bool(session.scalar(_TRY_LOCK, {"store": store_id}))
