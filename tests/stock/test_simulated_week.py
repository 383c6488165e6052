"""A simulated week: opening count, deliveries, 700 orders, waste, voids, and a closing count
with known shrinkage. The variance report finds exactly the shrinkage put in, and nothing else."""

from __future__ import annotations

import io
import math
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from makeline.demo.simulate import simulate
from makeline.trade.pricing import ItemRequest
from makeline.trade.recipes import item_usage, needed_parts
from store_db.db import StoreDB
from store_db.models import Order, OrderLine, OutboxEvent
from store_db.queries import stock_ledger as ledger
from store_db.queries import variance_report as report
from store_db.services import lifecycle, waste
from store_db.services import stock_counts as counts
from store_db.services.orders import place_order
from store_db.services.receiving import ReceiptLineIn, receive
from store_db.services.usage import priced_items
from tests.stock.helpers import CREW, MANAGER, T0, ZERO, add, approver, recipe_usage
from tests.store.helpers import carryout

D = Decimal
SHRINK = {  # what walked out of the store, in base units
    "mozzarella": D(168),  # 2 bags and half a pound
    "pepperoni": D("37.5"),
    "dough_lg": D(5),
    "cola_20": D(3),
}
ORDERS = 700


@pytest.mark.slow
def test_a_simulated_week_finds_exactly_the_shrinkage(db: StoreDB) -> None:
    # Opening full count: every item at its par, in counting units; cheese in mixed units.
    with db.write() as session:
        items = {c: i for c, i in ledger.catalog(session).items() if i.active}
        entries = [(c, str(i.par), i.units.count_unit) for c, i in items.items() if c != "mozzarella"]
        entries.append(("mozzarella", "3 case + 3 bag + 1.5 lb", None))
        counts.record_count(session, "full", entries, T0, MANAGER)
    opening = {c: i.units.to_base(i.par) for c, i in items.items()} | {"mozzarella": D(1704)}
    received: dict[str, Decimal] = {}

    def deliver(at: object, wanted: dict[str, Decimal], invoice: str) -> None:
        lines = []
        for code, qty in sorted(wanted.items()):
            size = items[code].units.per_unit[items[code].units.purchase_unit]
            cases = math.ceil(qty / size)
            if cases > 0:
                lines.append(
                    ReceiptLineIn(code, str(cases), None, cases * (items[code].cost_cents_per_purchase + 37))
                )
                received[code] = received.get(code, ZERO) + cases * size
        with db.write() as session:
            receive(session, lines, at, "Sysco", invoice, CREW)  # type: ignore[arg-type]

    deliver(T0 + timedelta(hours=1), {c: items[c].units.to_base(items[c].par) for c in items}, "W-1")

    simulate(db, ORDERS, io.StringIO(), through="made", seed=2026, clock=lambda: T0 + timedelta(hours=20))

    # Waste: expired dough, a dropped pizza, a remake, an order voided after it was made;
    # and an order voided before it was made (uses nothing).
    later = T0 + timedelta(hours=21)
    with db.write() as session:
        waste.waste_item(session, "dough_md", "1 tray + 6 each", "expired", CREW, later)
        pizza_lines = session.scalars(
            select(OrderLine).where(OrderLine.kind == "pizza").order_by(OrderLine.id).limit(3)
        ).all()
        waste.waste_pizza(session, pizza_lines[0].id, "dropped", CREW, later)
        waste.remake(session, pizza_lines[1].id, CREW, later)
        thrown = add(
            {"dough_md": D(30)},
            *(
                item_usage(i, ledger.recipes_for(session, needed_parts([i])), 1)
                for i in priced_items(pizza_lines[:2])
            ),
        )
        lifecycle.void(session, pizza_lines[2].order_id, "wrong address", approver(session), later)
        unmade = place_order(session, carryout(ItemRequest(product="supreme", size="xl")), later)
        lifecycle.void(
            session,
            unmade.id,
            "customer cancelled",
            approver(session),
            later + timedelta(minutes=1),
        )
        made = recipe_usage(session)  # every pizza that was made, the voided one too
        sold = recipe_usage(
            session,
            session.scalars(select(Order.id).where(Order.made_at.is_not(None), Order.stage != "voided")),
        )
    physical_use = add(made, thrown)
    short = {
        c: physical_use.get(c, ZERO) + SHRINK.get(c, ZERO) - opening[c] - received.get(c, ZERO) for c in items
    }
    deliver(T0 + timedelta(hours=22), {c: q + 1 for c, q in short.items() if q > -1}, "W-2")

    # Closing count two days after opening: what is physically there, less the shrinkage.
    closing = {
        c: opening[c] + received.get(c, ZERO) - physical_use.get(c, ZERO) - SHRINK.get(c, ZERO) for c in items
    }
    assert all(q >= 0 for q in closing.values())
    with db.write() as session:
        entries = [(c, items[c].units.describe(q), None) for c, q in closing.items()]
        count = counts.record_count(session, "full", entries, T0 + timedelta(days=2), MANAGER)

    with db.read() as session:
        result = report.variance_report(session, T0 + timedelta(days=2, hours=1))
        usage_events = session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.kind == "stock.usage")
        )
        priced = ledger.catalog(session)  # the costs the deliveries left (weighted average)
    assert result["closing_count"] == count.id and len(result["items"]) == len(items)
    found = {r["code"]: D(r["variance_base"]) for r in result["items"] if D(r["variance_base"]) != 0}
    assert found == SHRINK
    worth = sum(priced[c].price.value(q) for c, q in SHRINK.items())
    assert result["totals"]["variance_cents"] == worth
    assert [r["code"] for r in result["items"][: len(SHRINK)]] == sorted(
        SHRINK, key=lambda c: -priced[c].price.value(SHRINK[c])
    )
    rows = {r["code"]: r for r in result["items"]}
    assert D(rows["mozzarella"]["ideal"]) == (sold["mozzarella"] / 80).quantize(D("0.0001"))
    assert result["totals"]["net_sales_cents"] > 0 and result["totals"]["actual_food_cost_pct"] is not None
    assert usage_events == ORDERS + 1  # one per order made, one for the void after it was made
