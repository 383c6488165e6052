"""Applying a store's events to the cloud's records, each exactly once.

`apply_store_event` stores the event under `UNIQUE(store_id, seq)` and applies it in the
caller's transaction; a replay finds it stored and changes nothing. The same
`(store_id, seq)` with a different event id is a broken store outbox and is refused.

Every payload is parsed with the wire contract (`sync.contract.events`). One that does not
parse, or fails to apply, stays stored, is set aside in `inbound_quarantine` with its
reason (head office sees it) and counts as held: the store's outbox flows on past it and
nothing answers 5xx. The kinds and what they do:

    order.placed          a store order joins the reports; an online order is now in the kitchen
    order.stage           the order moves forward (tracker, texts); late or repeated: nothing
    order.voided          cancelled; an online card payment is queued for refund
    order.cancel_answer   the store's answer to a customer's cancel (accepted or refused)
    feed.refused          the store refused a feed entry; a refused online order is refunded
    feed.quarantined      the store set a feed entry aside (logged for head office)
    stock.*               counts, receipts, waste, ideal usage (`stock_events`)
    run.*, driver.cash_out  delivery runs and driver shifts (`run_events`)
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from cloud_api.db.base import utcnow
from cloud_api.errors import CloudError, Conflict
from cloud_api.reports.touched import note_events
from cloud_api.store_events import order_events, repository, run_events, stock_events
from cloud_api.store_events.schemas import Outcome, StoreEventLike
from sync.contract import ContractError, StoreEvent, parse_event
from sync.contract.events import (
    CancelAnswer,
    DriverCashOut,
    FeedQuarantined,
    FeedRefused,
    FeedReleased,
    OrderFired,
    OrderPlaced,
    OrderStaged,
    OrderVoided,
    PriceMismatch,
    RunClosed,
    RunDispatched,
    RunNotDelivered,
    StockCounted,
    StockReceived,
    StockUsage,
    StockWaste,
    StoreRestored,
)

log = logging.getLogger(__name__)
# What applying an event may raise that is about the event, not the database being down.
_EVENT_FAULTS = (CloudError, DataError, IntegrityError, ValueError, LookupError, TypeError, ArithmeticError)


def _handle(session: Session, store_id: str, body: StoreEvent, seq: int, created_at: datetime) -> Outcome:
    if isinstance(body, StockCounted | StockReceived | StockWaste | StockUsage):
        stock_events.record(session, store_id, body, seq)
    elif isinstance(body, OrderPlaced):
        order_events.order_placed(session, store_id, body, created_at)
    elif isinstance(body, OrderStaged):
        order_events.order_stage(session, store_id, body, created_at)
    elif isinstance(body, OrderFired):
        order_events.order_fired(session, store_id, body, created_at)
    elif isinstance(body, OrderVoided):
        order_events.order_voided(session, store_id, body, created_at)
    elif isinstance(body, CancelAnswer):
        order_events.cancel_answer(session, store_id, body, created_at)
    elif isinstance(body, FeedRefused):
        order_events.feed_refused(session, store_id, body, created_at)
    elif isinstance(body, RunDispatched):
        run_events.run_dispatched(session, store_id, body, created_at)
    elif isinstance(body, RunClosed):
        run_events.run_closed(session, store_id, body, created_at)
    elif isinstance(body, DriverCashOut):
        run_events.driver_cash_out(session, store_id, body, created_at)
    else:
        _noted(store_id, body)
        return Outcome.KEPT
    return Outcome.APPLIED


def _noted(store_id: str, body: StoreEvent) -> None:
    if isinstance(body, PriceMismatch):
        order_events.price_mismatch(store_id, body)
    elif isinstance(body, RunNotDelivered):
        log.info("store %s: order %d came back undelivered (%s)", store_id, body.number, body.reason)
    elif isinstance(body, FeedQuarantined):
        log.warning(
            "store %s set feed entry %d (%s) aside: %s", store_id, body.cursor, body.entry_kind, body.reason
        )
    elif isinstance(body, FeedReleased):
        log.info("store %s applied feed entry %d (%s) after all", store_id, body.cursor, body.entry_kind)
    elif isinstance(body, StoreRestored):
        log.warning(
            "store %s was rebuilt from the cloud on a new computer (%s): %d open orders, feed at #%d",
            store_id,
            body.device_label or "no label",
            body.orders,
            body.feed_cursor,
        )


def _apply(session: Session, store_id: str, event: StoreEventLike, now: datetime) -> Outcome:
    payload, unstorable = dict(event.payload), ""
    if _holds_nul(payload):  # PostgreSQL's JSON cannot hold a NUL character
        payload, unstorable = {}, "Unstorable payload: it holds a NUL character (\\u0000)"
    stored = repository.store_once(
        session, store_id, event.seq, event.event_id, event.kind, payload, event.created_at, now
    )
    if not stored:
        found = repository.event_id_at(session, store_id, event.seq)
        if found is None:
            raise Conflict(
                f"Event {event.event_id} was already stored under another sequence number.", "event_id"
            )
        if found != event.event_id:
            raise Conflict(
                f"Sequence number {event.seq} of this store already holds another event "
                f"({found}); the store's outbox is out of step.",
                "seq",
            )
        return Outcome.DUPLICATE
    if unstorable:
        return _set_aside(session, store_id, event, unstorable, now)
    try:
        body = parse_event(event.kind, event.payload)
    except ContractError as exc:
        return _set_aside(session, store_id, event, f"Unreadable: {exc.reason}", now)
    try:
        with session.begin_nested():
            return _handle(session, store_id, body, event.seq, event.created_at)
    except _EVENT_FAULTS as exc:
        return _set_aside(session, store_id, event, f"Could not apply it: {exc}"[:500], now)


def _holds_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def _set_aside(session: Session, store_id: str, event: StoreEventLike, reason: str, now: datetime) -> Outcome:
    """Stored, not applied: quarantined with its reason for head office. One log line."""
    repository.quarantine(session, store_id, event.seq, event.event_id, event.kind, reason, now)
    log.warning("store %s event #%d (%s) set aside: %s", store_id, event.seq, event.kind[:40], reason)
    return Outcome.QUARANTINED


def apply_store_events(
    session: Session, store_id: str, events: Iterable[StoreEventLike], now: datetime | None = None
) -> tuple[list[Outcome], int]:
    """Store and apply a batch in order; returns each outcome and the store's contiguous mark
    (the highest sequence number up to which every event is stored), to acknowledge."""
    now = now or utcnow()
    mark = repository.lock_head(session, store_id)
    outcomes: list[Outcome] = []
    applied: list[StoreEventLike] = []
    gap_filled = False
    for event in events:
        outcome = _apply(session, store_id, event, now)
        outcomes.append(outcome)
        if outcome is Outcome.APPLIED:
            applied.append(event)
        if outcome is Outcome.DUPLICATE:
            continue
        if event.seq == mark.contiguous_seq + 1:
            mark.contiguous_seq = event.seq
            gap_filled = gap_filled or mark.max_seq > event.seq
        mark.max_seq = max(mark.max_seq, event.seq)
    if gap_filled:
        mark.contiguous_seq = repository.catch_up(session, store_id, mark.contiguous_seq)
    # The reports' aggregates of the days these events changed are recomputed at commit.
    note_events(session, store_id, applied)
    return outcomes, mark.contiguous_seq


def apply_store_event(
    session: Session, store_id: str, event: StoreEventLike, now: datetime | None = None
) -> Outcome:
    """Store one event of `store_id` and apply it, once. See the module's docstring."""
    outcomes, _ = apply_store_events(session, store_id, [event], now)
    return outcomes[0]


def high_water_mark(session: Session, store_id: str) -> int:
    """The highest sequence number up to which every event of the store is stored."""
    return repository.head(session, store_id)
