"""Applying a store's events to the cloud's records, each exactly once.

`apply_store_event` stores the event under `UNIQUE(store_id, seq)` and applies
it in the caller's transaction; a replay finds it stored and changes nothing.
The same `(store_id, seq)` with a different event id is a broken store outbox
and is refused. The kinds are the store's own, as its services write them:

    order.placed          a store order joins the reports; an online order is now in the kitchen
    order.stage           the order moves forward (tracker, texts); late or repeated: nothing
    order.voided          cancelled; an online card payment is queued for refund
    order.cancel_answer   the store's answer to a customer's cancel (accepted or refused)
    feed.refused          the store could not apply a feed entry; a refused online order is refunded
    stock.*               counts, receipts, waste, ideal usage (see `inventory.service`)
    run.*, driver.cash_out  delivery runs and driver shifts (see `run_events`)

`feed.price_mismatch` and `run.not_delivered` are logged and kept; other kinds
(printer failures, …) are stored and kept for later use.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from cloud_api.db.base import utcnow
from cloud_api.errors import Conflict
from cloud_api.inventory.service import MOVEMENTS, apply_stock_event
from cloud_api.store_events import order_events, repository, run_events
from cloud_api.store_events.schemas import Outcome, StoreEventLike

log = logging.getLogger(__name__)
Payload = Mapping[str, Any]


def _at(payload: Payload, default: datetime) -> datetime:
    raw = payload.get("at")
    if not raw:
        return default
    found = datetime.fromisoformat(str(raw))
    return found if found.tzinfo else found.replace(tzinfo=default.tzinfo)


HANDLERS: dict[str, Callable[[Session, str, Payload, datetime], bool]] = {
    "order.placed": order_events.order_placed,
    "order.stage": order_events.order_stage,
    "order.voided": order_events.order_voided,
    "order.cancel_answer": order_events.cancel_answer,
    "feed.refused": order_events.feed_refused,
    "run.dispatched": run_events.run_dispatched,
    "run.closed": run_events.run_closed,
    "driver.cash_out": run_events.driver_cash_out,
    "cash_out": run_events.driver_cash_out,  # the earlier name
}


def _noted(store_id: str, kind: str, payload: Payload) -> None:
    if kind == "feed.price_mismatch":
        order_events.price_mismatch(store_id, payload)
    elif kind == "run.not_delivered":
        log.info(
            "store %s: order %s came back undelivered (%s)",
            store_id,
            payload.get("number"),
            payload.get("reason"),
        )


def _handle(session: Session, store_id: str, event: StoreEventLike) -> Outcome:
    at = _at(event.payload, event.created_at)
    if event.kind in MOVEMENTS:
        used = apply_stock_event(session, store_id, event.kind, dict(event.payload), at, event.seq)
        return Outcome.APPLIED if used else Outcome.KEPT
    handler = HANDLERS.get(event.kind)
    if handler is None:
        _noted(store_id, event.kind, event.payload)
        return Outcome.KEPT
    handler(session, store_id, event.payload, at)
    return Outcome.APPLIED


def _apply(session: Session, store_id: str, event: StoreEventLike, now: datetime) -> Outcome:
    stored = repository.store_once(
        session, store_id, event.seq, event.event_id, event.kind, dict(event.payload), event.created_at, now
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
    try:
        # A malformed event must not stop the store's sync: it stays stored, unapplied, and logged.
        with session.begin_nested():
            return _handle(session, store_id, event)
    except (KeyError, ValueError, TypeError, DataError, IntegrityError) as exc:
        log.error(
            "store %s event %s (%s, seq %d) could not be applied: %r",
            store_id,
            event.event_id,
            event.kind,
            event.seq,
            exc,
        )
        return Outcome.UNREADABLE


def apply_store_events(
    session: Session, store_id: str, events: Iterable[StoreEventLike], now: datetime | None = None
) -> tuple[list[Outcome], int]:
    """Store and apply a batch in order; returns each outcome and the store's contiguous mark
    (the highest sequence number up to which every event is stored), to acknowledge."""
    now = now or utcnow()
    mark = repository.lock_head(session, store_id)
    outcomes: list[Outcome] = []
    gap_filled = False
    for event in events:
        outcome = _apply(session, store_id, event, now)
        outcomes.append(outcome)
        if outcome is Outcome.DUPLICATE:
            continue
        if event.seq == mark.contiguous_seq + 1:
            mark.contiguous_seq = event.seq
            gap_filled = gap_filled or mark.max_seq > event.seq
        mark.max_seq = max(mark.max_seq, event.seq)
    if gap_filled:
        mark.contiguous_seq = repository.catch_up(session, store_id, mark.contiguous_seq)
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
