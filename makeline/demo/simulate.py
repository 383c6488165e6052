"""Simulated store traffic through the real services: what demos, benchmarks and load tests use.

Orders are drawn from a seeded generator (channels, services, sizes, halves,
coupons, new and repeat customers). Without a rate they are back-dated so their
whole lives lie in the past; with a rate they arrive in real time and move
along their lifecycle as real minutes pass.
"""

from __future__ import annotations

import heapq
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TextIO

from sqlalchemy import select

from makeline.demo import area
from makeline.trade.lifecycle import Channel, Service, Stage, path
from makeline.trade.menu import Amount, Menu, Placement, ProductKind, ToppingChoice
from makeline.trade.pricing import ItemRequest
from store_db.db import StoreDB
from store_db.errors import BadInput, CouponNotApplicable
from store_db.models import Customer, CustomerAddress, Store, utcnow
from store_db.services import drivers, kitchen, lifecycle
from store_db.services.menu import current_menu
from store_db.services.orders import (
    AddressRequest,
    OrderRequest,
    TenderRequest,
    limit_breaches,
    place_order,
    quote,
)

THROUGH = ("placed", "made", "baked", "ready", "delivered")


@dataclass(frozen=True)
class Profile:
    """The shape of a night's orders."""

    delivery_share: float = 0.6
    repeat_share: float = 0.7
    coupon_share: float = 0.25


def _pizza(rng: random.Random, menu: Menu) -> ItemRequest:
    pizzas = [p for p in menu.products if p.kind is ProductKind.PIZZA]
    weights = [30 if p.code == "pepperoni" else 15 if p.code == "cheese" else 4 for p in pizzas]
    product = rng.choices(pizzas, weights)[0]
    size = rng.choices(["sm", "md", "lg", "xl"], [10, 25, 45, 20])[0]
    crust = "hand_tossed"
    if size in ("md", "lg"):
        crust = rng.choices(["hand_tossed", "thin", "pan"], [70, 15, 15])[0]
    toppings: list[ToppingChoice] | None = None
    cheese_amount = Amount.NORMAL
    roll = rng.random()
    codes = [t.code for t in menu.toppings]
    if roll < 0.12:  # half and half
        left, right = rng.sample(codes, 2)
        toppings = [
            ToppingChoice(code=left, placement=Placement.LEFT),
            ToppingChoice(code=right, placement=Placement.RIGHT),
        ]
        if product.code != "cheese":
            toppings = list(product.toppings) + [
                t for t in toppings if t.code not in {x.code for x in product.toppings}
            ]
    elif roll < 0.25:
        extra = rng.choice([c for c in codes if c not in {t.code for t in product.toppings}])
        toppings = [*product.toppings, ToppingChoice(code=extra)]
    elif roll < 0.32 and product.toppings:
        toppings = list(product.toppings[1:])  # "no onions"
    if rng.random() < 0.1:
        cheese_amount = Amount.EXTRA
    return ItemRequest(
        product=product.code,
        size=size,
        crust=crust,
        toppings=toppings,
        cheese_amount=cheese_amount,
        quantity=rng.choices([1, 2], [85, 15])[0],
    )


def random_items(rng: random.Random, menu: Menu) -> list[ItemRequest]:
    items = [_pizza(rng, menu) for _ in range(rng.choices([1, 2, 3], [50, 35, 15])[0])]
    for kind, chance in ((ProductKind.SIDE, 0.4), (ProductKind.DRINK, 0.4), (ProductKind.DESSERT, 0.15)):
        if rng.random() < chance:
            product = rng.choice([p for p in menu.products if p.kind is kind])
            items.append(ItemRequest(product=product.code, size=rng.choice(list(product.price))))
    return items


def random_order(
    rng: random.Random,
    menu: Menu,
    customers: list[tuple[Customer, CustomerAddress]],
    profile: Profile,
    service: str,
) -> OrderRequest:
    delivery = rng.random() < profile.delivery_share if service == "mixed" else service == "delivery"
    channel = rng.choices([Channel.PHONE, Channel.ONLINE, Channel.WALK_IN], [45, 40, 15])[0]
    if delivery and channel is Channel.WALK_IN:
        channel = Channel.PHONE
    if customers and rng.random() < profile.repeat_share:
        customer, address = rng.choice(customers)
        phone, name, line1, line2 = customer.phone, customer.name, address.line1, address.line2
    else:
        new = area.customers(1, seed=rng.randint(0, 10**9))[0]
        phone, name, line1, line2 = new.phone, new.name, new.line1, new.line2
    coupon, best = None, False
    if rng.random() < profile.coupon_share:
        if rng.random() < 0.5:
            best = True
        else:
            coupon = rng.choice(menu.coupons).code
    tenders: list[TenderRequest] = []
    cloud_id = None
    if channel is Channel.ONLINE:
        from store_db.models import new_id

        cloud_id = new_id()
    elif not delivery or rng.random() < 0.5:
        tenders = [TenderRequest(kind=rng.choice(["cash", "card"]))]
    else:
        tenders = [TenderRequest(kind="pay_at_door")]
    walk_in_no_phone = channel is Channel.WALK_IN and rng.random() < 0.5
    return OrderRequest(
        channel=channel,
        service=Service.DELIVERY if delivery else Service.CARRYOUT,
        items=random_items(rng, menu),
        phone=None if walk_in_no_phone else phone,
        customer_name=name,
        address=AddressRequest(line1=line1, line2=line2) if delivery else None,
        coupon=coupon,
        best_deal=best,
        tip=rng.choice([0, 0, 200, 300, 500]) if delivery else 0,
        tenders=tenders,
        cloud_order_id=cloud_id,
        paid_online=cloud_id is not None,
    )


@dataclass(order=True)
class _Step:
    at: datetime
    order_id: str = field(compare=False)
    stage: Stage = field(compare=False)


def _stage_gaps(rng: random.Random, store: Store, km: float) -> dict[Stage, float]:
    """Seconds from the previous stage, like a real night."""
    return {
        Stage.MADE: rng.uniform(45, 150) + rng.expovariate(1 / 60),
        Stage.BAKED: float(store.oven_s),
        Stage.READY: rng.uniform(30, 120),
        Stage.PICKED_UP: rng.uniform(60, 900),
        Stage.OUT_THE_DOOR: rng.uniform(60, 480),
        Stage.DELIVERED: km * store.road_factor / store.avg_speed_kmh * 3600 + rng.uniform(60, 180),
    }


def _apply(db: StoreDB, step: _Step) -> None:
    if step.stage is Stage.MADE:
        db.run(kitchen.bump_order, step.order_id, step.at)
    else:
        db.run(lifecycle.advance, step.order_id, step.stage, step.at, already_ok=True)


def simulate(
    db: StoreDB,
    orders: int,
    out: TextIO,
    rate_per_min: float | None = None,
    service: str = "mixed",
    through: str = "placed",
    seed: int | None = None,
    clock: Callable[[], datetime] = utcnow,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Place `orders` orders and move each through its lifecycle up to `through`."""
    if orders < 1:
        raise BadInput("--orders must be at least 1.")
    if service not in ("delivery", "carryout", "mixed"):
        raise BadInput(f"--service '{service}' is not one of delivery, carryout, mixed.")
    if through not in THROUGH:
        raise BadInput(f"--through '{through}' is not one of {', '.join(THROUGH)}.")
    if rate_per_min is not None and rate_per_min <= 0:
        raise BadInput("--rate must be more than 0 orders a minute.")
    rng = random.Random(seed)
    with db.read() as session:
        menu = current_menu(session)
        store = session.scalars(select(Store)).one()
        known = [
            (c, a)
            for c, a in session.execute(
                select(Customer, CustomerAddress).join(
                    CustomerAddress, CustomerAddress.customer_id == Customer.id
                )
            )
        ]
    real_time = rate_per_min is not None
    gap = 60.0 / (rate_per_min or 2.0)
    start = clock() if real_time else clock() - timedelta(seconds=gap * orders + 3600)
    steps: list[_Step] = []
    target = Stage(through) if through != "delivered" else Stage.DELIVERED

    def run_due(until: datetime) -> None:
        while steps and steps[0].at <= until:
            _apply(db, heapq.heappop(steps))

    for n in range(orders):
        at = start + timedelta(seconds=gap * n)
        if real_time:
            while (wait := (at - clock()).total_seconds()) > 0:
                sleep(min(wait, 0.5))
                run_due(clock())
            at = clock()
        run_due(at)
        request = random_order(rng, menu, known, Profile(), service)
        if request.coupon:
            try:
                with db.read() as session:
                    quote(session, request)
            except CouponNotApplicable:
                # The caller's coupon does not fit the order: the counter offers the best deal.
                request = request.model_copy(update={"coupon": None, "best_deal": True})
        with db.read() as session:
            if limit_breaches(session.scalars(select(Store)).one(), request, quote(session, request)):
                # Above the store's cash limit: the counter takes a card, as a manager would ask.
                request = request.model_copy(update={"tenders": [TenderRequest(kind="card")]})
        order = db.run(place_order, request, at)
        label = (
            f"#{order.number} {order.service} {sum(i.quantity for i in request.items)} items "
            f"${order.total / 100:.2f}"
        )
        km = 0.0
        if order.lat is not None and order.lon is not None:
            from makeline.trade.geo import distance_km

            km = distance_km(store.lat, store.lon, order.lat, order.lon)
        print(label, file=out, flush=True)
        if through == "placed":
            continue
        stages: list[Stage] = [s for s in path(Service(order.service)) if s is not Stage.PLACED]
        if target is not Stage.DELIVERED:
            stages = stages[: stages.index(target) + 1]
        gaps = _stage_gaps(rng, store, km)
        when = at
        for stage in stages:
            when = when + timedelta(seconds=gaps[stage])
            heapq.heappush(steps, _Step(when, order.id, stage))
    if real_time:
        while steps:
            sleep(max(0.0, min((steps[0].at - clock()).total_seconds(), 0.5)))
            run_due(clock())
    else:
        run_due(datetime.max.replace(tzinfo=start.tzinfo))
    return orders


def clock_in_drivers(db: StoreDB, count: int, at: datetime | None = None) -> list[str]:
    """Clock in up to `count` demo drivers who are not on the clock yet; returns their names."""
    return db.run(drivers.clock_in_drivers, count, at or utcnow())
