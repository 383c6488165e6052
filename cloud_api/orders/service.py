"""Online orders: placed (priced here, paid, written with the store's feed entry in one
transaction), read, moved along, and cancelled on request."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import psycopg
from sqlalchemy.orm import Session

from cloud_api.auth.principal import Principal, Role
from cloud_api.db.base import utcnow
from cloud_api.db.database import announcement
from cloud_api.errors import BadRequest, Conflict, NotFound
from cloud_api.feed import service as feed
from cloud_api.models import Order, Store
from cloud_api.orders import progress, repository
from cloud_api.orders import quote as online_quote
from cloud_api.orders.access import visible_order
from cloud_api.orders.records import LineView, OrderView, PaymentView
from cloud_api.orders.schemas import (
    AddressIn,
    ItemIn,
    OrderCreate,
    OrderLinePublic,
    OrderPublic,
    OrderSummary,
    QuotePublic,
)
from cloud_api.payments import repository as payment_rows
from cloud_api.payments import service as payments
from cloud_api.reports.refresh import note_days
from cloud_api.stores import service as stores
from cloud_api.stores.geocode import locate
from cloud_api.tracking.service import planned
from makeline.trade.errors import BadInput, CouponNotApplicable, UnknownCoupon
from makeline.trade.geo import distance_km
from makeline.trade.hours import (
    Opening,
    OutsideHours,
    StoreHours,
    check_order_time,
    current_or_next,
    next_opening,
    say_time,
)
from makeline.trade.lifecycle import Service, Stage
from makeline.trade.limits import Limit, OrderLimits, order_breaches
from makeline.trade.menu import Menu, Station
from makeline.trade.pricing import ItemRequest, Quote, price_item, price_order
from makeline.trade.throttle import Level
from sync.contract.entries import CancelRequest

# An order for at least this much later is taken while the store's computer is not heard
# from: the store gets it through its feed when it is back, and fires it then if it is due.
OFFLINE_LEAD = timedelta(hours=1)

if TYPE_CHECKING:
    from cloud_api.context import CloudContext


def item_requests(items: list[ItemIn]) -> list[ItemRequest]:
    """The lines as the shared pricing rules (and the store's feed) take them."""
    return [ItemRequest.model_validate(item.model_dump()) for item in items]


def price(
    menu: Menu, data: OrderCreate, tax_rate_bp: int, requests: list[ItemRequest] | None = None
) -> Quote:
    """Priced from the store's menu with the shared rules (`requests`: the lines as they
    take them, when already read); a refusal names the line to fix."""
    requests = item_requests(data.items) if requests is None else requests
    try:
        return price_order(
            menu, requests, tax_rate_bp, coupon_code=data.coupon, best_deal=data.best_deal, tip=data.tip
        )
    except (UnknownCoupon, CouponNotApplicable) as exc:
        raise BadRequest(str(exc), "coupon") from exc
    except BadInput as exc:
        for index, request in enumerate(requests):
            try:
                price_item(menu, request)
            except BadInput as line_error:
                raise BadRequest(str(line_error), f"items.{index}") from exc
        raise BadRequest(str(exc), "items") from exc


def check_limits(store: Store, data: OrderCreate, quote: Quote, limits: OrderLimits | None = None) -> None:
    """Refuse an order above the store's limits, naming each limit and the field to change."""
    cash = data.payment.method == "cash"
    breaches = order_breaches(limits or stores.store_limits(store), quote.items, quote.total, cash)
    if not breaches:
        return
    lines = [b.line for b in breaches if b.line is not None]
    cash_only = {b.limit for b in breaches} == {Limit.CASH_ORDER_VALUE}
    field = f"items.{lines[0]}.quantity" if lines else "payment.method" if cash_only else "items"
    action = (
        "Pay by card, or call the store to arrange it."
        if cash_only
        else f"Order less, or call {store.name} to arrange a large order."
    )
    raise BadRequest("; ".join(b.message for b in breaches) + f". {action}", field)


def delivery_place(session: Session, data: OrderCreate, store: Store) -> tuple[str, float, float]:
    """The delivery's address line, latitude and longitude, inside the store's area (the
    address looked up when the customer gave no position); refused naming the store that
    delivers there when outside it."""
    address = _delivery_address(data)
    if address.lat is not None and address.lon is not None:
        line1, city, lat, lon = address.line1, address.city, address.lat, address.lon
    else:
        place = locate(session, address.line1)
        line1, city, lat, lon = place.line1, address.city or place.city, place.lat, place.lon
    km = distance_km(store.lat, store.lon, lat, lon)
    if km > store.delivery_radius_km:
        others = [s for s, _ in stores.stores_delivering_to(session, lat, lon) if s.id != store.id]
        tail = (
            f" {others[0].name} (store {others[0].code}, id {others[0].id}) delivers there."
            if others
            else " No store delivers there yet; choose carryout."
        )
        raise BadRequest(
            f"{line1} is {km:.1f} km from {store.name}, outside its "
            f"{store.delivery_radius_km:g} km delivery area.{tail}",
            "address",
        )
    return _label(line1, address.line2, city), lat, lon


def known_delivery_place(data: OrderCreate, store: Store) -> tuple[str, float, float] | None:
    """`delivery_place` when it needs no database: the customer gave a position inside the
    store's area. None when the address must be looked up or the refusal must name
    another store."""
    address = _delivery_address(data)
    lat, lon = address.lat, address.lon
    if lat is None or lon is None or distance_km(store.lat, store.lon, lat, lon) > store.delivery_radius_km:
        return None
    return _label(address.line1, address.line2, address.city), lat, lon


def _delivery_address(data: OrderCreate) -> AddressIn:
    if data.address is None:
        raise BadRequest("A delivery order needs an address; add one or choose carryout.", "address")
    return data.address


def _label(line1: str, line2: str, city: str) -> str:
    return ", ".join(x for x in (line1, line2, city) if x)


def order_time(
    store: Store, data: OrderCreate, now: datetime, hours: StoreHours | None = None
) -> datetime | None:
    """When the order is for (None: now), if the store takes it: within its hours, at most
    7 days ahead; refused with the store's next opening otherwise."""
    hours = hours or stores.store_hours(store)
    zone, turn = store.timezone, store.day_starts_hour
    if data.scheduled_for is not None:
        try:
            return check_order_time(hours, zone, turn, now, data.scheduled_for)
        except OutsideHours as exc:
            raise BadRequest(str(exc), "scheduled_for") from exc
    if not _open_now(store.id, hours, zone, turn, now):
        opens = next_opening(hours, zone, turn, now)
        when = f"; it opens {say_time(opens, zone, now)}" if opens is not None else ""
        raise BadRequest(
            f"{store.name} is closed now{when}. Order for later, or come back then.", "scheduled_for"
        )
    return None


_OPENINGS_MAX = 10_000
_openings: dict[str, tuple[StoreHours, str, int, Opening]] = {}


def _open_now(store_id: str, hours: StoreHours, zone: str, turn: int, now: datetime) -> bool:
    """`is_open`, with the stretch the store is open in kept per worker (the same hours,
    zone and day turn give the same stretch): most orders fall inside the one found last."""
    known = _openings.get(store_id)
    if known is not None and known[0] is hours and known[1:3] == (zone, turn) and known[3].holds(now):
        return True
    found = current_or_next(hours, zone, turn, now)
    if found is None or not found.holds(now):
        return False
    if len(_openings) >= _OPENINGS_MAX:
        _openings.clear()
    _openings[store_id] = (hours, zone, turn, found)
    return True


def tracking_url(ctx: CloudContext, order_id: str) -> str:
    return f"{ctx.public_url}/track/{order_id}?code={ctx.tokens.tracking_code(order_id)}"


def public(
    ctx: CloudContext, order: OrderView, lines: Sequence[LineView], paid: Sequence[PaymentView]
) -> OrderPublic:
    return OrderPublic(
        id=order.id,
        store_id=order.store_id,
        number=order.number,
        business_date=order.business_date,
        channel=order.channel,
        service=order.service,
        stage=order.stage,
        status=order.tracked_status,
        customer_name=order.customer_name,
        address=order.address,
        items=[
            OrderLinePublic(
                line_no=li.line_no,
                product=li.product,
                name=li.name,
                size=li.size,
                quantity=li.quantity,
                unit_price=li.unit_price,
                line_total=li.line_total,
                changes=list(li.item.get("changes", [])),
            )
            for li in lines
        ],
        coupon=order.coupon,
        subtotal=order.subtotal,
        discount=order.discount,
        tax=order.tax,
        tip=order.tip,
        total=order.total,
        payment_state=order.payment,
        payments=[payments.public(p) for p in paid],
        placed_at=order.placed_at,
        promise_at=order.promise_at,
        scheduled_for=order.scheduled_for,
        cancel_state=order.cancel_state,
        tracking_url=tracking_url(ctx, order.id),
    )


def place_order(
    session: Session, ctx: CloudContext, caller: Principal, data: OrderCreate, key: str, now: datetime
) -> tuple[int, dict[str, Any], bool]:
    """Place, or replay the answer to an earlier request with the same key, in the session's
    transaction (committed by its owner). Returns (status code, body, replayed)."""
    from cloud_api.orders.intake import take  # the hot path builds on this module

    pg = session.connection().connection.driver_connection
    assert isinstance(pg, psycopg.Connection)
    taken = take(pg, session, ctx, caller, data, key, now, commit=False)
    if taken.store_id is not None:
        announcement(session).feed_stores.add(taken.store_id)
    return taken.status_code, json.loads(taken.body), taken.replayed


def promise(
    store: Store,
    service: Service,
    priced: Quote,
    now: datetime,
    lat: float | None,
    lon: float | None,
    own_estimate: Callable[[], int],
    carryout_minutes: Callable[[int], int],
    *,
    later: bool = False,
) -> online_quote.OnlineQuote:
    """The store's quote for this order (`own_estimate`: the cloud's, in minutes, when the
    store's load is not fresh); a delivery now while the store paused delivery is refused,
    naming carryout's minutes for that many pizzas (`carryout_minutes`) (an order for later
    is not: the pause is about tonight's kitchen)."""
    pizzas = sum(i.quantity for i in priced.items if i.station is Station.MAKELINE)
    found = online_quote.promise(store, service, pizzas, now, lat, lon, own_estimate)
    if not later and service is Service.DELIVERY and found.throttle is Level.PAUSED:
        online_quote.refuse_paused_delivery(store, found, service, carryout_minutes(pizzas))
    return found


def quote_public(
    session: Session,
    store_id: str,
    service: Service,
    pizzas: int,
    lat: float | None,
    lon: float | None,
    now: datetime,
) -> QuotePublic:
    store = session.get(Store, store_id)
    if store is None:
        raise NotFound(f"There is no store with id {store_id}.", "store_id")
    found = online_quote.quote(session, store, service, pizzas, now, lat, lon)
    parts = found.estimate
    return QuotePublic(
        store_id=store.id,
        service=service,
        promise_at=found.promise_at,
        minutes=found.minutes,
        from_store=found.from_store,
        delivery=found.throttle.value,
        reason=found.reason,
        make_min=parts.make_min if parts else None,
        oven_min=parts.oven_min if parts else None,
        wait_min=parts.wait_min if parts else None,
        drive_min=parts.drive_min if parts else None,
        seconds=parts.total_s if parts else None,
    )


def get_order(session: Session, ctx: CloudContext, caller: Principal, order_id: str) -> OrderPublic:
    order = visible_order(session, caller, order_id)
    found = public(
        ctx,
        order,
        list(repository.lines_of(session, order)),
        list(payment_rows.of_order(session, order)),
    )
    plan = planned(order, session.get(Store, order.store_id), utcnow())
    if plan is not None:
        return found.model_copy(update={"leave_at": plan.leave_at, "eta_at": plan.eta_at})
    return found.model_copy(update={"eta_at": order.eta_at})


def list_orders(session: Session, caller: Principal, store_id: str | None, limit: int) -> list[OrderSummary]:
    if caller.role is Role.CUSTOMER:
        found = repository.of_customer(session, caller.id, limit)
    else:
        wanted = store_id or caller.store_id
        if wanted is None:
            raise BadRequest("Head office must name the store: add ?store_id=…", "store_id")
        caller.require_store(wanted)
        found = repository.of_store(session, wanted, limit)
    return [
        OrderSummary(
            id=o.id,
            store_id=o.store_id,
            number=o.number,
            status=o.tracked_status,
            service=o.service,
            total=o.total,
            placed_at=o.placed_at,
        )
        for o in found
    ]


def change_status(
    session: Session, caller: Principal, order_id: str, status: str, reason: str, at: datetime
) -> Order:
    """`PUT /orders/{id}/status`. The store moves its order along (the same service as its
    synced events); the customer or head office asks for a cancel, which the store decides."""
    order = visible_order(session, caller, order_id, lock=True)
    note_days(session, order.store_id, {order.business_date})
    if status == "cancelled":
        caller.require(Role.CUSTOMER, Role.HEAD_OFFICE)
        return request_cancel(session, order, reason, caller.role, at)
    caller.require(Role.STORE_MANAGER, Role.STORE_DEVICE)
    stage = Stage(status)
    if stage is Stage.VOIDED:
        if not reason.strip():
            raise BadRequest("A void needs a reason (e.g. customer cancelled, wrong order).", "reason")
        progress.void(session, order, reason.strip(), at, strict=True)
    else:
        progress.advance(session, order, stage, at, strict=True)
    return order


def request_cancel(session: Session, order: Order, reason: str, role: Role, at: datetime) -> Order:
    stage = Stage(order.stage)
    if stage is Stage.VOIDED:
        return order
    if stage not in (Stage.PLACED, Stage.MADE):
        raise Conflict(
            f"This order is already {progress.tracked_status(order).replace('_', ' ')} "
            "and can no longer be cancelled; call the store.",
            "status",
        )
    if order.cancel_state == "requested":
        return order
    order.cancel_state, order.cancel_reason = "requested", reason.strip() or "customer asked to cancel"
    order.updated_at = at
    feed.append(
        session, order.store_id, CancelRequest(cloud_order_id=order.id, reason=order.cancel_reason), at
    )
    return order
