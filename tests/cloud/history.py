"""A generated multi-store history as store events: orders of every channel and service across
business days (around midnight, the day's turn and a clock change), stage stamps, voids, runs
and their drivers' shifts, and stock counted, received, wasted and used between counts.

Seeded, so a failure replays; what it builds is plausible, not pretty: figures are what the
stores' own services would send, in the shapes of the wire contract."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from makeline.demo.menu import demo_menu
from makeline.trade.integrity import IntegrityFlag
from makeline.trade.lifecycle import Channel, Service, Stage
from makeline.trade.pricing import ItemRequest, price_order
from sync.contract.base import Body
from sync.contract.events import (
    ClosedStop,
    CountedLine,
    DispatchedStop,
    DriverCashOut,
    ItemTerms,
    OrderPlaced,
    OrderStaged,
    OrderVoided,
    ReceivedLine,
    RunClosed,
    RunDispatched,
    StockCounted,
    StockLine,
    StockReceived,
    StockUsage,
    StockWaste,
)

MENU = demo_menu()
PRODUCTS = [
    ("pepperoni", "lg"),
    ("cheese", "md"),
    ("supreme", "xl"),
    ("wings", "16pc"),
    ("breadsticks", "each"),
]
COUPONS = [None, None, None, "5OFF30"]
ITEMS = {"mozzarella": 350, "pepperoni": 500, "dough": 90}  # cents per lb (dough: per ball)
DRIVERS = [("d-ana", "Ana"), ("d-bo", "Bo"), ("d-cy", "=Cy")]


def _terms(cost: int) -> ItemTerms:
    one = Decimal(1)
    return ItemTerms(
        base_unit="lb",
        count_unit="lb",
        count_size=one,
        purchase_unit="lb",
        purchase_size=one,
        cost_cents_per_purchase=cost,
    )


def _line(code: str, quantity: Decimal) -> StockLine:
    cents = ITEMS[code]
    return StockLine(
        code=code,
        name=code.title(),
        quantity=quantity,
        unit="lb",
        count_quantity=quantity,
        count_unit="lb",
        cost_cents=int(quantity * cents),
        cost_cents_per_count_unit=cents,
    )


@dataclass
class StoreHistory:
    """One store's events in the order its outbox wrote them."""

    timezone: str
    day_starts_hour: int
    rng: random.Random
    bodies: list[Body] = field(default_factory=list)
    on_hand: dict[str, Decimal] = field(default_factory=lambda: {c: Decimal(200) for c in ITEMS})

    def local(self, day: date, hours: float) -> datetime:
        start = datetime.combine(day, time(self.day_starts_hour), tzinfo=ZoneInfo(self.timezone))
        return start + timedelta(hours=hours)

    def count(self, at: datetime, codes: list[str]) -> None:
        lines = []
        for code in codes:
            # The shelf holds what the books say, give or take what nobody wrote down.
            self.on_hand[code] = max(Decimal(0), self.on_hand[code] - Decimal(self.rng.randint(0, 30)) / 8)
            lines.append(_line(code, self.on_hand[code]))
        self.bodies.append(
            StockCounted(
                count_id=str(uuid.uuid4()),
                count_kind="daily",
                at=at,
                finalised_at=at,
                lines=[CountedLine(**dict(line), counted=line.quantity) for line in lines],
                value_cents=sum(line.cost_cents for line in lines),
                stock_items={line.code: _terms(ITEMS[line.code]) for line in lines},
            )
        )

    def receive(self, at: datetime) -> None:
        lines = [_line(code, Decimal(self.rng.randint(10, 60))) for code in ITEMS if self.rng.random() < 0.6]
        if not lines:
            return
        for line in lines:
            self.on_hand[line.code] += line.quantity
        self.bodies.append(
            StockReceived(
                receipt_id=str(uuid.uuid4()),
                supplier="Sysco",
                at=at,
                lines=[
                    ReceivedLine(
                        **dict(line),
                        line_no=n,
                        invoiced=line.quantity,
                        invoiced_unit="lb",
                        purchase_unit="lb",
                        cost_cents_per_purchase=ITEMS[line.code],
                    )
                    for n, line in enumerate(lines, start=1)
                ],
                total_cents=sum(line.cost_cents for line in lines),
                stock_items={line.code: _terms(ITEMS[line.code]) for line in lines},
            )
        )

    def waste(self, at: datetime) -> None:
        line = _line("dough", Decimal(self.rng.randint(1, 4)))
        self.on_hand["dough"] -= line.quantity
        self.bodies.append(
            StockWaste(
                waste_id=str(uuid.uuid4()),
                at=at,
                reason="expired",
                lines=[line],
                cost_cents=line.cost_cents,
                stock_items={"dough": _terms(ITEMS["dough"])},
            )
        )

    def order(self, day: date, number: int, hours: float) -> tuple[OrderPlaced, Service]:
        rng = self.rng
        service = rng.choice([Service.DELIVERY, Service.DELIVERY, Service.CARRYOUT])
        channel = rng.choice(
            [Channel.PHONE, Channel.WALK_IN] if service is Service.CARRYOUT else [Channel.PHONE]
        )
        requests = [
            ItemRequest(product=p, size=s, quantity=rng.randint(1, 2))
            for p, s in rng.sample(PRODUCTS, rng.randint(1, 3))
        ]
        quote = price_order(MENU, requests, 1025)
        coupon = rng.choice(COUPONS)
        if coupon and quote.subtotal >= 3000:
            quote = price_order(MENU, requests, 1025, coupon)
        placed_at = self.local(day, hours)
        placed = OrderPlaced(
            id=str(uuid.uuid4()),
            number=number,
            business_date=day,
            channel=channel,
            service=service,
            stage=Stage.PLACED,
            customer_name="Pat",
            phone="7085550123",
            address="1200 N Harlem Ave" if service is Service.DELIVERY else "",
            menu_version=1,
            coupon=quote.coupon,
            subtotal=quote.subtotal,
            discount=quote.discount,
            tax=quote.tax,
            tip=rng.choice([0, 0, 200, 500]),
            total=quote.total,
            payment="due",
            promise_at=placed_at + timedelta(minutes=rng.choice([25, 35, 45])),
            placed_at=placed_at,
            items=quote.items,
        )
        self.bodies.append(placed)
        return placed, service

    def kitchen(self, placed: OrderPlaced, service: Service) -> datetime | None:
        """Its stamps up to the rack; None when it was voided or never left the make line."""
        rng, at, oid = self.rng, placed.placed_at, placed.id
        fate = rng.random()
        if fate < 0.08:
            self.bodies.append(
                OrderVoided(
                    order_id=oid,
                    number=placed.number,
                    reason="customer cancelled",
                    approved_by="Morgan",
                    after_made=False,
                    at=at + timedelta(minutes=3),
                )
            )
            return None
        if fate < 0.12:
            return None  # still open
        for stage, minutes in (
            (Stage.MADE, rng.uniform(1, 4)),
            (Stage.BAKED, 6.5),
            (Stage.READY, rng.uniform(1, 3)),
        ):
            at += timedelta(minutes=minutes, seconds=rng.randint(0, 59))
            # Every seventh order's bump is flagged too early to be real (the speed page counts it).
            flags = [IntegrityFlag.EARLY_BUMP] if stage is Stage.MADE and placed.number % 7 == 0 else []
            self.bodies.append(
                OrderStaged(order_id=oid, number=placed.number, stage=stage, at=at, flags=flags)
            )
            if stage is Stage.MADE:
                lines = [_line("dough", Decimal(1)), _line("mozzarella", Decimal(rng.randint(4, 9)) / 8)]
                if any(i.product == "pepperoni" for i in placed.items):
                    lines.append(_line("pepperoni", Decimal("0.375")))
                for line in lines:
                    self.on_hand[line.code] -= line.quantity
                self.bodies.append(
                    StockUsage(
                        usage_id=str(uuid.uuid4()),
                        order_id=oid,
                        number=placed.number,
                        business_date=placed.business_date,
                        movement="made",
                        at=at,
                        lines=lines,
                        cost_cents=sum(line.cost_cents for line in lines),
                        stock_items={line.code: _terms(ITEMS[line.code]) for line in lines},
                    )
                )
        if service is Service.CARRYOUT:
            at += timedelta(minutes=rng.uniform(2, 15))
            self.bodies.append(OrderStaged(order_id=oid, number=placed.number, stage=Stage.PICKED_UP, at=at))
            return None
        return at


def _runs(history: StoreHistory, ready: list[tuple[OrderPlaced, datetime]]) -> dict[str, list[datetime]]:
    """Ready delivery orders out in runs of one to three; each driver's first and last moment."""
    rng, shifts = history.rng, {}
    ready = sorted(ready, key=lambda r: r[1])
    while ready:
        size = rng.randint(1, 3)
        stops, ready = ready[:size], ready[size:]
        driver_id, driver = rng.choice(DRIVERS)
        out = max(at for _, at in stops) + timedelta(minutes=rng.uniform(0, 6))
        run_id = str(uuid.uuid4())
        history.bodies.append(
            RunDispatched(
                run_id=run_id,
                driver_id=driver_id,
                driver=driver,
                at=out,
                stops=[DispatchedStop(order_id=p.id, number=p.number) for p, _ in stops],
            )
        )
        back = out + timedelta(minutes=rng.uniform(15, 40))
        outcomes = [rng.choice(["delivered"] * 5 + ["not_delivered"]) for _ in stops]
        history.bodies.append(
            RunClosed(
                run_id=run_id,
                driver_id=driver_id,
                returned_at=back,
                dispatched_at=out,
                stops=[
                    ClosedStop(order_id=p.id, outcome=o) for (p, _), o in zip(stops, outcomes, strict=True)
                ],  # type: ignore[arg-type]
            )
        )
        first, last = shifts.get(driver, [out, back])
        shifts[driver] = [min(first, out), max(last, back)]
    return shifts


def store_history(
    seed: int, timezone: str, day_starts_hour: int, first: date, days: int, orders_per_day: int
) -> list[Body]:
    history = StoreHistory(timezone, day_starts_hour, random.Random(seed))
    rng = history.rng
    for n in range(days):
        day = first + timedelta(days=n)
        codes = list(ITEMS) if n % 2 == 0 else ["mozzarella", "dough"]
        history.count(history.local(day, 0 if n == 1 else rng.uniform(0.5, 2)), codes)
        history.receive(history.local(day, rng.uniform(2, 5)))
        ready: list[tuple[OrderPlaced, datetime]] = []
        for number in range(1, orders_per_day + 1):
            # Most orders at lunch and dinner; a few after midnight, still the same business day.
            hours = rng.choice([rng.uniform(7, 10), rng.uniform(13, 18), rng.uniform(18, 23.5)])
            placed, service = history.order(day, 1000 + number, hours)
            leaves = history.kitchen(placed, service)
            if leaves is not None:
                ready.append((placed, leaves))
        if rng.random() < 0.7:
            history.waste(history.local(day, rng.uniform(10, 20)))
        for driver, (start, end) in _runs(history, ready).items():
            driver_id = next(i for i, name in DRIVERS if name == driver)
            history.bodies.append(
                DriverCashOut(
                    id=str(uuid.uuid4()),
                    driver_id=driver_id,
                    driver=driver,
                    shift_start=start - timedelta(minutes=30),
                    at=end + timedelta(minutes=10),
                    cash_tips=rng.randint(0, 3000),
                )
            )
    history.count(history.local(first + timedelta(days=days), 1), list(ITEMS))
    return history.bodies


def payloads(bodies: list[Body]) -> list[tuple[str, dict[str, Any]]]:
    return [(b.kind, b.payload()) for b in bodies]
