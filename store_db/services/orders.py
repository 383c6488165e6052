"""Placing an order: priced, numbered, ticketed, queued to print and told to the cloud, at once."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from pydantic import Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from makeline.trade.address import Located
from makeline.trade.business_day import business_date
from makeline.trade.lifecycle import Channel, Service, Stage
from makeline.trade.limits import Breach, OrderLimits, describe, order_breaches
from makeline.trade.menu import Frozen, Station
from makeline.trade.pricing import ItemRequest, PricedItem, Quote, price_order
from store_db.errors import BadInput, InvalidTender, MissingDeliveryAddress, OverLimits
from store_db.kept import KitchenOrder
from store_db.models import (
    DayCounter,
    KitchenTicket,
    Order,
    OrderLine,
    PrintJob,
    Staff,
    Store,
    Tender,
    new_id,
)
from store_db.services import customers, kitchen, outbox, printing, promise, rows, throttle
from store_db.services.menu import current_menu
from store_db.services.scheduled import check_time, fire_at
from store_db.services.store_settings import AnyStore, read_settings
from sync.contract.events import OrderFired
from sync.contract.placed import placed_json

TENDER_KINDS = ("cash", "card", "online", "pay_at_door")
UNPAID_TENDERS = ("cash", "pay_at_door")  # nobody has paid until the customer shows up
FIRST_NUMBER = 1001
_PLACED = Stage.PLACED.value


class AddressRequest(Frozen):
    line1: str
    line2: str = ""
    city: str = ""
    lat: float | None = None  # known already (online orders, saved addresses)
    lon: float | None = None
    notes: str = ""


class TenderRequest(Frozen):
    kind: str
    amount: int | None = None  # None: the whole total
    tendered: int | None = None  # cash handed over
    reference: str = ""


class OrderRequest(Frozen):
    channel: Channel
    service: Service
    items: list[ItemRequest]
    phone: str | None = None
    customer_name: str = ""
    address: AddressRequest | None = None
    coupon: str | None = None
    best_deal: bool = False
    tip: int = 0
    tenders: list[TenderRequest] = Field(default_factory=list)
    notes: str = ""
    taken_by: str | None = None
    cloud_order_id: str | None = None
    paid_online: bool = False
    scheduled_for: datetime | None = None  # an order for later; None: as soon as possible
    promise_at: datetime | None = None  # an online order: the promise the cloud gave the customer


def quote(session: Session, request: OrderRequest) -> Quote:
    """Price without writing anything: what the counter screen shows while building."""
    store = session.scalars(select(Store)).one()
    return price_order(
        current_menu(session),
        request.items,
        store.tax_rate_bp,
        coupon_code=request.coupon,
        best_deal=request.best_deal,
        tip=request.tip,
    )


def store_limits(store: AnyStore) -> OrderLimits:
    """The store's order limits as head office set them, or the defaults (validated once per
    distinct setting: every order asks)."""
    given = store.order_limits or {}
    try:
        key = tuple((name, type(value), value) for name, value in sorted(given.items()))
        hash(key)
    except TypeError:  # not a plain setting: the model says what is wrong with it
        return OrderLimits.model_validate(given)
    return _limits(key)


@lru_cache(maxsize=64)
def _limits(key: tuple[tuple[str, type, object], ...]) -> OrderLimits:
    return OrderLimits.model_validate({name: value for name, _, value in key})


def set_limits(store: Store, value: object) -> None:
    """Take the order limits head office set (a whole `OrderLimits`), or refuse them unchanged."""
    try:
        limits = OrderLimits.model_validate(value)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'limits'}: {e['msg']}" for e in exc.errors())
        raise BadInput(f"These order limits cannot be used ({problems}); the old ones stay.") from exc
    store.order_limits = limits.model_dump()


def limit_breaches(store: AnyStore, request: OrderRequest, priced: Quote) -> list[Breach]:
    """The store's limits this order goes over; none for an order from the cloud.

    An order from the cloud was checked there against the same limits, and it is
    paid or promised already: the store makes it.
    """
    if request.cloud_order_id is not None:
        return []
    cash = not request.tenders or any(t.kind in UNPAID_TENDERS for t in request.tenders)
    return order_breaches(store_limits(store), priced.items, priced.total, cash)


def _tenders(request: OrderRequest, total: int) -> list[dict[str, Any]]:
    """The order's tender rows (without their ids yet), or `InvalidTender`."""
    found: list[dict[str, Any]] = []
    remaining = total
    for t in request.tenders:
        if t.kind not in TENDER_KINDS:
            raise InvalidTender(f"'{t.kind}' is not a tender; use one of: {', '.join(TENDER_KINDS)}.")
        if t.kind == "pay_at_door" and request.service is not Service.DELIVERY:
            raise InvalidTender("Pay at the door is for delivery orders; take cash or card now.")
        amount = remaining if t.amount is None else t.amount
        if amount <= 0:
            raise InvalidTender(f"A {t.kind} tender of ${amount / 100:.2f} is not possible.")
        tendered = amount if t.tendered is None else t.tendered
        if t.kind == "cash" and tendered < amount:
            raise InvalidTender(
                f"Cash handed over (${tendered / 100:.2f}) is less than the ${amount / 100:.2f} due."
            )
        found.append(
            {
                "kind": t.kind,
                "amount": amount,
                "tendered": tendered if t.kind == "cash" else amount,
                "change": tendered - amount if t.kind == "cash" else 0,
                "reference": t.reference,
            }
        )
        remaining -= amount
    if found and remaining != 0:
        raise InvalidTender(
            f"Tenders add up to ${(total - remaining) / 100:.2f} but the order is ${total / 100:.2f}."
        )
    return found


_NEXT_NUMBER = f"""
INSERT INTO day_counter (business_date, last_number) VALUES (?, {FIRST_NUMBER})
ON CONFLICT (business_date) DO UPDATE SET last_number = last_number + 1
RETURNING last_number
"""
_day = rows.bind(DayCounter.business_date)
_ORDER, _LINE, _TENDER, _TICKET, _JOB = (
    rows.Insert(m) for m in (Order, OrderLine, Tender, KitchenTicket, PrintJob)
)


def _next_number(session: Session, day: date) -> int:
    """The day's next order number, in one statement (the write lock is already ours)."""
    found = rows.fetch_one(session, _NEXT_NUMBER, (_day(day),))
    assert found is not None
    return int(found[0])


def place_order(
    session: Session, request: OrderRequest, at: datetime, approved_by: Staff | None = None
) -> Order:
    """Write the order, its lines, tenders, kitchen tickets, print jobs and outbox event.

    Everything is read and checked first; any refusal raises a `BadInput` before
    the first write (`OverLimits` above the store's limits, unless `approved_by`, a
    manager whose PIN the caller checked, lets it through: recorded on the order).
    Then every row goes out in one flush: an order costs a handful of statements,
    not dozens.
    """
    store = read_settings(session)
    menu = current_menu(session, store)
    priced = price_order(
        menu,
        request.items,
        store.tax_rate_bp,
        coupon_code=request.coupon,
        best_deal=request.best_deal,
        tip=request.tip,
    )
    breaches = limit_breaches(store, request, priced)
    if breaches and approved_by is None:
        raise OverLimits(f"Above this store's limits: {describe(breaches)} A manager must approve.", breaches)
    phone = customers.normalize_phone(request.phone) if request.phone else ""
    label, place = "", None
    if request.service is Service.DELIVERY:
        if request.address is None or not request.address.line1.strip():
            raise MissingDeliveryAddress("A delivery order needs an address; enter one or make it carryout.")
        if not phone:
            raise BadInput("A delivery order needs the customer's phone number for the driver.")
        place = _locate(session, request.address)
        customers.check_delivery_area(store, place.lat, place.lon, place.line1, session)
        label = ", ".join(x for x in (place.line1, request.address.line2, place.city) if x)
    tenders = _tenders(request, priced.total)
    if request.paid_online and not request.cloud_order_id:
        raise BadInput("Only orders from the cloud arrive paid online.")
    if request.promise_at is not None and not request.cloud_order_id:
        raise BadInput("Only orders from the cloud arrive with a promise; the store quotes its own.")

    pizzas = sum(i.quantity for i in priced.items if i.station is Station.MAKELINE)
    quoted = promise.quote(
        session,
        pizzas,
        request.service is Service.DELIVERY,
        at,
        place.lat if place else None,
        place.lon if place else None,
        store,
    )
    promise_at = request.promise_at or quoted.promise_at
    held, wanted = False, None
    if request.scheduled_for is not None:
        # The cloud checked an online order's time against the same hours when it was placed.
        wanted = (
            request.scheduled_for if request.cloud_order_id else check_time(store, request.scheduled_for, at)
        )
        promise_at = max(wanted, promise_at)  # too soon for the kitchen: the soonest it can
        held = at < fire_at(wanted, timedelta(seconds=quoted.estimate.total_s))
    day = business_date(promise_at if wanted else at, store.timezone, store.day_starts_hour)
    number = _next_number(session, day)
    customer_id, address_note = None, request.address.notes.strip() if request.address is not None else ""
    customer_name = request.customer_name.strip()
    if phone and place is not None and request.address is not None:
        customer_id, customer_name, saved_note = customers.save_caller_at(
            session, phone, request.customer_name, place, at, request.address.line2, request.address.notes
        )
        address_note = address_note or saved_note  # a repeat customer's "side door"
    elif phone:
        customer_id, customer_name = customers.save_customer(session, phone, request.customer_name, at)
    paid = request.paid_online or any(t["kind"] in ("cash", "card", "online") for t in tenders)
    order_id = new_id()
    values: dict[str, Any] = dict(
        id=order_id,
        business_date=day,
        number=number,
        channel=request.channel._value_,  # the members' text, not `value`'s call in Python
        service=request.service._value_,
        stage=_PLACED,
        customer_id=customer_id,
        customer_name=customer_name,
        phone=phone,
        address=label,
        address_note=address_note if request.service is Service.DELIVERY else "",
        lat=place.lat if place else None,
        lon=place.lon if place else None,
        notes=request.notes.strip(),
        menu_version=menu.version,
        coupon=priced.coupon,
        subtotal=priced.subtotal,
        discount=priced.discount,
        tax=priced.tax,
        tip=priced.tip,
        total=priced.total,
        payment="paid" if paid else "due",
        promise_at=promise_at,
        placed_at=at,
        scheduled_for=wanted,
        fired_at=None if held or wanted is None else at,
        taken_by=request.taken_by,
        limits_approved_by=approved_by.id if breaches and approved_by is not None else None,
        cloud_order_id=request.cloud_order_id,
    )
    values = _ORDER.complete(values)  # the column defaults too, as the ORM would hand them back
    order = rows.built(Order, values)
    documents = ["kitchen"] if request.channel is Channel.ONLINE else ["kitchen", "receipt"]
    if held:  # the kitchen sees it when it fires (`store_db.services.scheduled`)
        documents.remove("kitchen")
    for tender in tenders:
        tender.update(id=new_id(), order_id=order_id, created_at=at)
    stations = {i.station for i in priced.items}
    tickets = [
        {"id": new_id(), "order_id": order_id, "station": station, "created_at": at}
        for station in kitchen.ticket_stations(store, stations)
        if not held
    ]
    # Pre-written inserts, one statement per table: the unit of work costs more than SQLite here.
    _ORDER.run(session, [values])
    lines = line_rows(order_id, priced.items, encoded=True)
    _LINE.run(session, lines)
    for insert, batch in ((_TENDER, tenders), (_TICKET, tickets)):
        if batch:
            insert.run(session, batch)
    jobs = printing.job_rows(session, documents, order_id, at)
    if jobs:
        _JOB.run(session, jobs)
    placed = placed_json(values, priced.items, tenders, [line["item"] for line in lines])  # items dumped once
    outbox.emit_json(session, "order.placed", placed, order_id, at)
    throttle.review_for_order(session, at, quoted.load, store)  # the load as this order came in
    if wanted is not None and not held:  # for later, but due already: in the kitchen now
        outbox.emit(session, OrderFired(order_id=order_id, number=number, at=at), order_id, at)
    if not tickets and not held:
        return kitchen.start_without_tickets(session, order_id, stations, at)
    if not held:  # in the kitchen as written: the next load need not read it back
        row = KitchenOrder(
            (rows.utc_text(at) or "", number),
            values["service"],
            values["stage"],
            None,
            None,
            values["lat"],
            values["lon"],
            pizzas,
        )
        promise.kept_as_placed(session, order_id, row)
    return order


def _locate(session: Session, address: AddressRequest) -> Located:
    if address.lat is not None and address.lon is not None:
        return Located(address.line1.strip(), address.city.strip(), address.lat, address.lon)
    return customers.locate(session, address.line1)


def line_rows(order_id: str, items: list[PricedItem], *, encoded: bool = False) -> list[dict[str, Any]]:
    """The order's lines as rows: each priced item whole, numbered from 1; `encoded`: the
    item as JSON text already (for the pre-written insert), else as the ORM takes it."""
    return [
        {
            "id": new_id(),
            "order_id": order_id,
            "line_no": n,
            "product": i.product,
            "name": i.name,
            "kind": i.kind._value_,  # the member's text, not `value`'s call in Python
            "station": i.station._value_,
            "size": i.size,
            "quantity": i.quantity,
            "unit_price": i.unit_price,
            "line_total": i.line_total,
            "item": _item_text(i) if encoded else i.model_dump(mode="json"),
        }
        for n, i in enumerate(items, start=1)
    ]


# Each priced line's JSON, by the line: pricing hands the same line back for the same request.
_ITEM_TEXT: dict[int, tuple[PricedItem, rows.Encoded]] = {}
ITEM_TEXT_KEPT = 512


def _item_text(item: PricedItem) -> rows.Encoded:
    found = _ITEM_TEXT.get(id(item))
    if found is not None and found[0] is item:
        return found[1]
    text = rows.Encoded(item.model_dump_json())
    if len(_ITEM_TEXT) >= ITEM_TEXT_KEPT:
        _ITEM_TEXT.clear()
    _ITEM_TEXT[id(item)] = (item, text)
    return text


def order_lines(order_id: str, items: list[PricedItem]) -> list[OrderLine]:
    return [OrderLine(**row) for row in line_rows(order_id, items)]
