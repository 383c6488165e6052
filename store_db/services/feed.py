"""Applying the cloud's feed to this store: each entry once, with the cursor, in one transaction.

Every entry is parsed with the wire contract (`sync.contract.entries`) before anything is
written. One that does not parse, or that fails to apply, is set aside in the quarantine
(`FeedQuarantine`) with its reason, the cloud is told (`feed.quarantined`), the cursor moves
past it and the entries behind it apply: one bad entry never stalls a store. Once fixed
(the store updated, the missing item stocked), `retry` applies it, once.

An online order the store's own rules refuse (a product it does not sell) is answered
`feed.refused`: the cloud cancels and refunds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from makeline.trade.lifecycle import Channel, Stage
from store_db.errors import BadInput, NotFound, StoreError
from store_db.models import (
    DeliveryRun,
    FeedQuarantine,
    InventoryItem,
    ItemUnit,
    Order,
    OutboxEvent,
    RunStop,
    Store,
    SyncState,
    Tender,
    new_id,
)
from store_db.services import lifecycle, outbox, scheduled
from store_db.services.menu import apply_menu
from store_db.services.orders import AddressRequest, OrderRequest, TenderRequest, place_order, set_limits
from sync.contract import ContractError, parse_entry
from sync.contract.entries import (
    CancelRequest,
    FeedBody,
    InventoryItemChanged,
    MenuPublished,
    OnlineOrder,
    OrderPaid,
    OrderRefunded,
    StoreSettings,
)
from sync.contract.events import (
    CancelAnswer,
    FeedQuarantined,
    FeedRefused,
    FeedReleased,
    PriceMismatch,
)

HELD, REFUSED, APPLIED = "held", "refused", "applied"
# What applying an entry may raise that is about the entry, not the store's disk or lock.
_ENTRY_FAULTS = (StoreError, ValueError, ArithmeticError, LookupError, TypeError, IntegrityError)

Entry = tuple[int, str, dict[str, Any]]


def sync_state(session: Session) -> SyncState:
    state = session.get(SyncState, 1)
    if state is None:
        state = SyncState(id=1, feed_cursor=0, acked_seq=0, last_error="", status="not_enrolled")
        session.add(state)
        session.flush()
    return state


def apply_entries(session: Session, entries: Sequence[Entry], at: datetime) -> int:
    """Apply feed entries (cursor, kind, payload) past this store's cursor; returns how many
    were new here (applied, refused or quarantined). Entries at or below the cursor were
    seen before and are skipped: applying twice is a no-op. The cursor moves in the
    caller's transaction."""
    state = sync_state(session)
    seen = 0
    for cursor, kind, payload in sorted(entries, key=lambda e: e[0]):
        if cursor <= state.feed_cursor:
            continue
        _take(session, cursor, kind, payload, at)
        state.feed_cursor = cursor
        seen += 1
    return seen


def _take(session: Session, cursor: int, kind: str, payload: dict[str, Any], at: datetime) -> None:
    try:
        body = parse_entry(kind, payload)
    except ContractError as exc:
        _set_aside(session, cursor, kind, payload, f"Unreadable: {exc.reason}", at)
        return
    try:
        with session.begin_nested():
            _apply(session, body, at)
    except _ENTRY_FAULTS as exc:
        if isinstance(body, OnlineOrder) and isinstance(exc, BadInput):
            _refuse(session, cursor, body, str(exc), payload, at)
        else:
            _set_aside(session, cursor, kind, payload, _why(exc), at)


def _why(exc: Exception) -> str:
    if isinstance(exc, StoreError):
        return str(exc)
    return f"Could not apply it here ({type(exc).__name__}: {exc})"[:500]


def _set_aside(
    session: Session, cursor: int, kind: str, payload: dict[str, Any], reason: str, at: datetime
) -> None:
    session.merge(
        FeedQuarantine(
            cursor=cursor,
            kind=kind[:40],
            payload=payload,
            reason=reason,
            state=HELD,
            tries=1,
            quarantined_at=at,
        )
    )
    event = FeedQuarantined(cursor=cursor, entry_kind=kind[:2000], reason=reason[:2000], at=at)
    outbox.emit(session, event, f"feed-{cursor}"[:36], at)


def _refuse(
    session: Session, cursor: int, body: OnlineOrder, reason: str, payload: dict[str, Any], at: datetime
) -> None:
    session.merge(
        FeedQuarantine(
            cursor=cursor,
            kind=body.kind,
            payload=payload,
            reason=reason,
            state=REFUSED,
            tries=1,
            quarantined_at=at,
            resolved_at=at,
        )
    )
    refused = FeedRefused(
        cursor=cursor, entry_kind=body.kind, reason=reason, cloud_order_id=body.cloud_order_id
    )
    outbox.emit(session, refused, body.cloud_order_id, at)


def retry(session: Session, cursor: int, at: datetime) -> FeedQuarantine:
    """Apply a held entry again (after a fix); applied exactly once: an entry applied
    before, or refused and refunded, is left as it is. A failure keeps it held with the
    new reason."""
    row = session.get(FeedQuarantine, cursor)
    if row is None:
        raise NotFound(f"No feed entry #{cursor} is set aside in this store.")
    if row.state != HELD:
        return row
    row.tries += 1
    try:
        body = parse_entry(row.kind, row.payload)
        with session.begin_nested():
            _apply(session, body, at)
    except ContractError as exc:
        row.reason = f"Unreadable: {exc.reason}"
        return row
    except _ENTRY_FAULTS as exc:
        row.reason = _why(exc)
        return row
    row.state, row.resolved_at = APPLIED, at
    outbox.emit(session, FeedReleased(cursor=cursor, entry_kind=row.kind, at=at), f"feed-{cursor}", at)
    return row


def _apply(session: Session, body: FeedBody, at: datetime) -> None:
    if isinstance(body, OnlineOrder):
        _online_order(session, body, at)
    elif isinstance(body, OrderPaid):
        _paid(session, body, at)
    elif isinstance(body, OrderRefunded):
        _refunded(session, body)
    elif isinstance(body, CancelRequest):
        _cancel_request(session, body, at)
    elif isinstance(body, MenuPublished):
        apply_menu(session, body.menu, "cloud", at)
    elif isinstance(body, StoreSettings):
        _settings(session, body)
    else:
        _inventory_item(session, body)


def _online_order(session: Session, entry: OnlineOrder, at: datetime) -> None:
    cloud_id = entry.cloud_order_id
    if session.scalars(select(Order.id).where(Order.cloud_order_id == cloud_id)).first():
        return  # already here (a replayed entry after a lost cursor write)
    paid = entry.payment == "paid"
    address = entry.address
    request = OrderRequest(
        channel=Channel.ONLINE,
        service=entry.service,
        items=list(entry.items),
        phone=entry.phone or None,
        customer_name=entry.customer_name,
        address=AddressRequest.model_validate(address.model_dump()) if address else None,
        coupon=entry.coupon,
        tip=entry.tip,
        notes=entry.notes,
        tenders=[TenderRequest(kind="online", reference=cloud_id)] if paid else [],
        cloud_order_id=cloud_id,
        paid_online=paid,
        scheduled_for=entry.scheduled_for,
        promise_at=entry.promise_at,  # the customer's promise, quoted on this store's load
    )
    order = place_order(session, request, min(entry.placed_at, at))
    # Placed while this store was offline and due by now: to the kitchen at once.
    scheduled.fire_if_due(session, session.scalars(select(Store)).one(), order.id, at)
    session.execute(
        update(Order)
        .where(Order.id == order.id)
        .values(arrived_at=at)
        .execution_options(synchronize_session=False)
    )
    if entry.total != order.total:
        mismatch = PriceMismatch(cloud_order_id=cloud_id, cloud_total=entry.total, store_total=order.total)
        outbox.emit(session, mismatch, order.id, at)


def _by_cloud_id(session: Session, cloud_id: str) -> Order:
    order = session.scalars(select(Order).where(Order.cloud_order_id == cloud_id)).first()
    if order is None:
        raise NotFound(f"This store has no online order {cloud_id} (yet).")
    return order


def _paid(session: Session, entry: OrderPaid, at: datetime) -> None:
    """Paid online after all: every screen shows it paid and no driver collects cash for it."""
    order = _by_cloud_id(session, entry.cloud_order_id)
    if order.payment == "paid":
        return  # told twice
    order.payment = "paid"
    session.add(
        Tender(
            id=new_id(),
            order_id=order.id,
            kind="online",
            amount=entry.amount,
            tendered=entry.amount,
            change=0,
            reference=entry.payment_id,
            created_at=at,
        )
    )
    pending = session.scalars(
        select(RunStop).where(RunStop.order_id == order.id, RunStop.outcome == "pending")
    ).all()
    for stop in pending:
        session.execute(
            update(DeliveryRun)
            .where(DeliveryRun.id == stop.run_id)
            .values(cash_due=DeliveryRun.cash_due - stop.amount_due)
        )
        stop.amount_due = 0


def _refunded(session: Session, entry: OrderRefunded) -> None:
    order = _by_cloud_id(session, entry.cloud_order_id)
    if order.payment == "paid":
        order.payment = "refunded"


def _settings(session: Session, entry: StoreSettings) -> None:
    store = session.scalars(select(Store)).one()
    if entry.order_limits is not None:
        set_limits(store, entry.order_limits.model_dump())
    if entry.hours is not None:
        scheduled.set_hours(store, entry.hours.model_dump(mode="json"))
    if entry.quality_check is not None:
        store.quality_check = entry.quality_check
    if entry.tax_rate_bp is not None:
        store.tax_rate_bp = entry.tax_rate_bp
    if entry.delivery_radius_km is not None:
        store.delivery_radius_km = entry.delivery_radius_km
    if entry.make_target_s is not None:
        store.make_target_s = entry.make_target_s
    if entry.make_late_s is not None:
        store.make_late_s = entry.make_late_s
    if entry.oven_s is not None:
        store.oven_s = entry.oven_s
    if entry.rack_target_s is not None:
        store.rack_target_s = entry.rack_target_s
    if entry.rack_cap_s is not None:
        store.rack_cap_s = entry.rack_cap_s
    if entry.hot_bag_capacity is not None:
        store.hot_bag_capacity = entry.hot_bag_capacity
    if entry.avg_speed_kmh is not None:
        store.avg_speed_kmh = entry.avg_speed_kmh
    if entry.road_factor is not None:
        store.road_factor = entry.road_factor
    if entry.mileage_cents_per_km is not None:
        store.mileage_cents_per_km = entry.mileage_cents_per_km


def _inventory_item(session: Session, entry: InventoryItemChanged) -> None:
    item = session.get(InventoryItem, entry.code)
    if item is None:
        raise NotFound(f"Inventory item {entry.code} is not stocked in this store.")
    if entry.cost_cents_per_purchase is not None:
        item.cost_cents_per_purchase = entry.cost_cents_per_purchase
    if entry.cost_cents is not None:  # head office prices per counting unit
        units = {
            u.unit: u.base_qty for u in session.scalars(select(ItemUnit).where(ItemUnit.item == item.code))
        }
        per_purchase = Decimal(entry.cost_cents) * units[item.purchase_unit] / units[item.count_unit]
        item.cost_cents_per_purchase = int(per_purchase.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if entry.par is not None:
        item.par = entry.par
    if entry.discontinued is not None:
        item.active = not entry.discontinued


def _cancel_request(session: Session, entry: CancelRequest, at: datetime) -> None:
    cloud_id = entry.cloud_order_id
    order = session.scalars(select(Order).where(Order.cloud_order_id == cloud_id)).first()
    if order is None:
        accepted, why = False, "the store has no such order"
    elif order.stage == Stage.VOIDED.value:
        accepted, why = True, "already voided"
    elif order.stage == Stage.PLACED.value:
        lifecycle.void(session, order.id, entry.reason or "customer cancelled online", None, at)
        accepted, why = True, "voided before it was made"
    else:
        accepted, why = False, f"the order is already {order.stage.replace('_', ' ')}"
    answer = CancelAnswer(cloud_order_id=cloud_id, accepted=accepted, reason=why, at=at)
    outbox.emit(session, answer, order.id if order else cloud_id, at)


def mark_acked(session: Session, high_water: int, at: datetime) -> int:
    """Record that the cloud has stored every event up to `high_water`; returns events newly acked."""
    state = sync_state(session)
    if high_water <= state.acked_seq:
        return 0
    result = session.execute(  # the events after the last mark, read by seq (no index of acked_at)
        update(OutboxEvent)
        .where(
            OutboxEvent.seq > state.acked_seq, OutboxEvent.seq <= high_water, OutboxEvent.acked_at.is_(None)
        )
        .values(acked_at=at)
    )
    state.acked_seq = high_water
    state.last_contact_at = at
    return int(getattr(result, "rowcount", 0) or 0)
