"""Sync with store agents, in the caller's transaction (the request boundary commits).

- `push`: each event stored once under `UNIQUE(store_id, seq)` and queued to be applied
  (`store_events.intake`); the answer names the store's high-water mark, so a replayed
  batch changes nothing and gets the same answer.
- `apply`: a store's stored events applied, a chunk per transaction, once (`store_events.
  service.apply_pending`): by the push itself when the worker is quiet, else by the
  appliers in the background (`sync.applier`), store by store.
- `pull`: the store's feed after a cursor, exactly as stored (built from the wire contract).
- `heartbeat`: the store is online (it takes online orders), its kitchen's load (online
  quotes and the throttle) and where both ledgers stand; by the ORM here, for the beats the
  one-statement path (`sync.heartbeat`) leaves to it.
- `claim`: one computer speaks for a store: a second agent (a copy of the store's database
  on another computer) is refused with 409 while the first is still heard from, and
  flagged for head office.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import pairwise

from sqlalchemy.orm import Session

from cloud_api.auth.principal import Principal, Role
from cloud_api.errors import BadRequest, CloudError, Conflict, Forbidden
from cloud_api.feed import service as feed
from cloud_api.notifications import service as notifications
from cloud_api.orders.plan_news import announce_plan, plan_before
from cloud_api.store_events.intake import high_water_mark, keep_as_sent, keep_store_events
from cloud_api.store_events.schemas import Outcome
from cloud_api.store_events.service import apply_pending
from cloud_api.stores.service import record_heartbeat
from cloud_api.sync import repository
from sync import contract, failpoints

log = logging.getLogger(__name__)


# A store's agent heartbeats every 15 s: silent for longer than this, it has gone away and
# another computer may speak for the store (a replaced store computer).
AGENT_LEASE = timedelta(seconds=90)


class ProtocolTooNew(CloudError):
    status_code = 426


class SecondDevice(Conflict):
    """Two computers speak for one store: the newer one is refused."""


def check_protocol(protocol: int) -> None:
    if protocol > contract.PROTOCOL:
        raise ProtocolTooNew(
            f"This store speaks sync protocol {protocol}; this cloud speaks {contract.PROTOCOL}. "
            "Update the cloud before the store.",
            "protocol",
        )


def claim(session: Session, store_id: str, instance: str, now: datetime) -> None:
    """Record that `instance` speaks for the store, or refuse it (`SecondDevice`, 409) while
    another computer does; the refusal is kept (the fleet flag head office sees)."""
    if not instance:
        return
    agent = repository.agent_of(session, store_id)
    if agent is None:
        repository.add_agent(session, store_id, instance, now)
        return
    if agent.instance == instance:
        agent.last_seen_at = max(agent.last_seen_at, now)
        return
    if now - agent.last_seen_at > AGENT_LEASE:
        log.warning(
            "store %s is now synced by another computer (%s; the last one, %s, was silent since %s)",
            store_id,
            instance,
            agent.instance,
            agent.last_seen_at.isoformat(),
        )
        agent.instance, agent.last_seen_at = instance, now
        return
    agent.refused_instance, agent.refused_at = instance, now
    agent.refused_count += 1
    log.error(
        "store %s: a second computer (%s) tried to sync as this store while %s still does; refused",
        store_id,
        instance,
        agent.instance,
    )
    raise SecondDevice(
        "Another computer is already syncing as this store (heard from "
        f"{max(0, int((now - agent.last_seen_at).total_seconds()))} s ago). This store database is a "
        "copy: it will not sync while the original does. Use the original store computer, or stop "
        "it and ask head office to enroll this one as the store's replacement.",
        "instance",
        keep_writes=True,
    )


def device_store(caller: Principal, named: str = "") -> str:
    """The store a device acts for; a request naming another store is refused."""
    caller.require(Role.STORE_DEVICE)
    if caller.store_id is None:
        raise Forbidden("This credential is not bound to a store.")
    if named and named != caller.store_id:
        raise Forbidden("A store device can only sync its own store.", "store_id")
    return caller.store_id


def push(session: Session, store_id: str, batch: contract.PushBatch, now: datetime) -> contract.PushAck:
    """Store the batch and queue it to be applied (`apply`, or the appliers in the background);
    the answer names the store's contiguous mark."""
    if (empty := _unpushable(session, store_id, batch.events)) is not None:
        return empty
    # One statement for the whole batch (two halves cost a tenth more of the storer's CPU and
    # PostgreSQL's); a fault test stops the process after it, inside the transaction
    # (`push.mid_batch`): nothing of the batch is committed.
    return _acknowledged(store_id, *keep_store_events(session, store_id, batch.events, now))


def push_as_sent(
    session: Session, store_id: str, head: contract.PushHead, body: str, now: datetime
) -> contract.PushAck:
    """`push` of a batch read without its payloads (`contract.PushHead`), each payload stored
    as `body` holds it (`intake.keep_as_sent`): what the storer does with a body that has
    nothing doubtful in it, without building every payload in Python and writing it again."""
    if (empty := _unpushable(session, store_id, head.events)) is not None:
        return empty
    return _acknowledged(store_id, *keep_as_sent(session, store_id, head.events, body, now))


def _unpushable(
    session: Session, store_id: str, events: Sequence[contract.PushedEvent]
) -> contract.PushAck | None:
    """A batch out of order refused; an empty one answered with the mark as it stands."""
    if any(b.seq <= a.seq for a, b in pairwise(events)):
        raise BadRequest("A batch's events must be in increasing sequence order.", "events")
    if not events:
        return contract.PushAck(store_id=store_id, high_water=high_water_mark(session, store_id))
    return None


def _acknowledged(store_id: str, outcomes: list[Outcome], mark: int) -> contract.PushAck:
    failpoints.hit("push.mid_batch")
    stored = sum(1 for o in outcomes if o is not Outcome.DUPLICATE)
    held = sum(1 for o in outcomes if o is Outcome.QUARANTINED)
    return contract.PushAck(store_id=store_id, high_water=mark, stored=stored, quarantined=held)


def apply(session: Session, store_id: str, now: datetime) -> tuple[int, int]:
    """Apply up to one chunk of the store's stored events; (how many, how many quarantined)."""
    done = apply_pending(session, store_id, now)
    return len(done), sum(1 for o in done.values() if o is Outcome.QUARANTINED)


def pull(session: Session, store_id: str, after: int, limit: int) -> contract.PullPage:
    rows = feed.read(session, store_id, after, limit)
    head = repository.feed_head(session, store_id)
    entries = [
        contract.FeedEntry(
            cursor=row.cursor,
            kind=row.kind,
            payload=row.payload,
            created_at=row.created_at,
        )
        for row in rows
    ]
    more = len(entries) == limit and entries[-1].cursor < head
    return contract.PullPage(store_id=store_id, entries=entries, high_water=head, more=more)


def positions(session: Session, store_id: str) -> tuple[int, int]:
    """(the store's events held here up to, the store's feed up to)."""
    return high_water_mark(session, store_id), repository.feed_head(session, store_id)


def heartbeat(
    session: Session, store_id: str, beat: contract.Heartbeat, instance: str, now: datetime
) -> contract.HeartbeatAck:
    """The store is online, by the ORM: what a beat the one-statement path (`sync.heartbeat`)
    leaves to it does (a computer that does not speak for the store yet, a revoked device,
    an order nobody saw). A beat with a load also tells trackers what its plan moved."""
    before = plan_before(session, store_id, now) if beat.load is not None else []
    claim(session, store_id, instance, now)
    store = record_heartbeat(session, store_id, now)
    repository.save_report(session, store_id, beat, now)
    if beat.load is not None:
        store.live_load = beat.load.model_dump(mode="json")
        store.live_load_at = now
        announce_plan(session, store_id, before, beat.load.plan)
    if beat.unseen_late:
        notifications.queue_unseen_notices(session, store_id, beat.unseen_late, now)
    tell(store.code, beat)
    high_water, feed_high_water = positions(session, store_id)
    return contract.HeartbeatAck(
        store_id=store_id, store_code=store.code, high_water=high_water, feed_high_water=feed_high_water
    )


def tell(code: str, beat: contract.Heartbeat) -> None:
    """Log what a heartbeat reports that someone should act on."""
    if beat.unseen_orders:
        log.warning("store %s: %d online order(s) nobody in the kitchen saw", code, beat.unseen_orders)
    for printer in beat.printers:
        if not printer.online and printer.waiting:
            log.warning(
                "store %s: printer '%s' is down with %d ticket(s) waiting: %s",
                code,
                printer.name,
                printer.waiting,
                printer.last_error or "no error given",
            )
    if beat.outbox_backlog > 1000:
        log.info("store %s is catching up: %d events waiting", code, beat.outbox_backlog)
