"""Ideal usage from recipes: hand-computed pizzas, recorded when made, undone by a void after."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from makeline.trade.lifecycle import Stage
from makeline.trade.menu import Amount, Placement, ToppingChoice
from makeline.trade.pricing import ItemRequest, price_item
from makeline.trade.recipes import item_usage, needed_parts
from store_db.db import StoreDB
from store_db.models import InventoryItem, OutboxEvent, UsageRecord, WasteEntry, WasteLine
from store_db.queries import stock_ledger as ledger
from store_db.services import lifecycle
from store_db.services.menu import current_menu
from store_db.services.orders import place_order
from store_db.services.usage import recorded
from tests.stock.helpers import T0, approver, make
from tests.store.helpers import carryout

D = Decimal


def usage_of(db: StoreDB, request: ItemRequest) -> dict[str, Decimal]:
    with db.read() as session:
        item = price_item(current_menu(session), request)
        return item_usage(item, ledger.recipes_for(session, needed_parts([item])))


def test_a_large_pepperoni_uses_its_build_chart(db: StoreDB) -> None:
    assert usage_of(db, ItemRequest(product="pepperoni", size="lg")) == {
        "dough_lg": D(1),
        "cornmeal": D("0.25"),
        "box_lg": D(1),
        "pizza_sauce": D(5),
        "mozzarella": D(8),
        "pepperoni": D(2),
    }


def test_each_size_uses_its_own_portions(db: StoreDB) -> None:
    expected = {  # size: (dough, sauce fl oz, mozzarella oz, pepperoni oz)
        "sm": ("dough_sm", "3", "4", "1"),
        "md": ("dough_md", "4", "6", "1.5"),
        "lg": ("dough_lg", "5", "8", "2"),
        "xl": ("dough_xl", "6", "10", "2.75"),
    }
    for size, (dough, sauce, cheese, pepperoni) in expected.items():
        used = usage_of(db, ItemRequest(product="pepperoni", size=size))
        assert used[dough] == 1 and used[f"box_{size}"] == 1
        assert (used["pizza_sauce"], used["mozzarella"], used["pepperoni"]) == (
            D(sauce),
            D(cheese),
            D(pepperoni),
        )


def test_halves_use_half_and_amounts_scale(db: StoreDB) -> None:
    # Medium cheese pizza: pepperoni on the left, extra mushrooms on the right, extra cheese, light sauce.
    used = usage_of(
        db,
        ItemRequest(
            product="cheese",
            size="md",
            cheese_amount=Amount.EXTRA,
            sauce_amount=Amount.LIGHT,
            toppings=[
                ToppingChoice(code="pepperoni", placement=Placement.LEFT),
                ToppingChoice(code="mushrooms", placement=Placement.RIGHT, amount=Amount.EXTRA),
            ],
        ),
    )
    assert used == {
        "dough_md": D(1),
        "cornmeal": D("0.25"),
        "box_md": D(1),
        "pizza_sauce": D(2),  # 4 × ½
        "mozzarella": D(9),  # 6 × 1½
        "pepperoni": D("0.75"),  # 1.5 × ½ (left half)
        "mushrooms": D("1.125"),  # 1.5 × 1½ × ½ (extra, right half)
    }


def test_crusts_no_sauce_and_quantity(db: StoreDB) -> None:
    used = usage_of(db, ItemRequest(product="cheese", size="lg", crust="pan", sauce="none", quantity=2))
    assert used == {
        "pan_dough": D(3),
        "garlic_oil": D("1.5"),
        "box_lg": D(2),
        "mozzarella": D(16),
    }
    assert usage_of(db, ItemRequest(product="wings", size="16pc")) == {
        "wings": D(16),
        "buffalo_sauce": D(4),
        "blue_cheese": D(2),
        "wing_box": D(1),
    }


def test_usage_is_recorded_when_made_at_that_moment_with_its_event(db: StoreDB) -> None:
    with db.write() as session:
        order = place_order(session, carryout(ItemRequest(product="pepperoni", size="lg")), T0)
    with db.read() as session:
        assert recorded(session, order.id) == {}
    with db.write() as session:
        lifecycle.advance(session, order.id, Stage.MADE, T0 + timedelta(minutes=2))
    with db.read() as session:
        rows = session.scalars(select(UsageRecord).where(UsageRecord.order_id == order.id)).all()
        assert {r.item: r.qty for r in rows}["mozzarella"] == D(8)
        assert {r.at for r in rows} == {T0 + timedelta(minutes=2)}
        event = session.scalars(select(OutboxEvent).where(OutboxEvent.kind == "stock.usage")).one()
        lines = {line["code"]: line for line in event.payload["lines"]}  # type: ignore[union-attr]
        assert lines["mozzarella"]["quantity"] == "8" and lines["mozzarella"]["unit"] == "oz"
        assert lines["mozzarella"]["cost_cents"] == 140  # 8 oz of a $84.00 case of 480 oz
    with db.write() as session:  # moving on does not use anything again
        lifecycle.advance(session, order.id, Stage.BAKED, T0 + timedelta(minutes=9))
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(UsageRecord)) == len(rows)


def test_a_void_before_made_uses_nothing(db: StoreDB) -> None:
    with db.write() as session:
        order = place_order(session, carryout(), T0)
        lifecycle.void(session, order.id, "customer cancelled", approver(session), T0 + timedelta(minutes=1))
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(UsageRecord)) == 0
        assert session.scalar(select(func.count()).select_from(WasteEntry)) == 0


def test_a_void_after_made_turns_the_usage_into_waste(db: StoreDB) -> None:
    order_id = make(db, T0, ItemRequest(product="pepperoni", size="lg"))
    void_at = T0 + timedelta(minutes=6)
    with db.write() as session:
        lifecycle.void(session, order_id, "customer never came", approver(session), void_at)
    with db.read() as session:
        assert recorded(session, order_id) == {}  # not sold: no ideal usage left
        entry = session.scalars(select(WasteEntry)).one()
        assert (entry.reason, entry.at, entry.order_id, entry.note) == (
            "voided",
            void_at,
            order_id,
            "customer never came",
        )
        wasted = {w.item: w.qty for w in session.scalars(select(WasteLine))}
        assert wasted["mozzarella"] == D(8) and wasted["dough_lg"] == D(1)
        used_late = ledger.movements(session, T0 + timedelta(minutes=5), void_at)
        assert used_late.used["mozzarella"] == D(-8) and used_late.wasted["mozzarella"] == D(8)
        kinds = [e.kind for e in session.scalars(select(OutboxEvent).order_by(OutboxEvent.seq))]
        assert kinds.count("stock.usage") == 2 and "stock.waste" in kinds


def test_the_catalog_and_recipes_read_what_the_session_holds_unwritten_and_only_the_codes_asked(
    db: StoreDB,
) -> None:
    """The catalog and the recipes are read by pre-written SQL on the session's connection
    (they run at every bump): the same values the ORM reads, an item added in the same
    transaction and not yet written among them, a code with SQL in it only a code, none asked
    none found."""
    hostile = "x'); DROP TABLE inventory_item; --"
    with db.write() as session:
        session.add(
            InventoryItem(
                code="saffron",
                name="Saffron threads",
                storage_area="walk_in",
                base_unit="oz",
                count_unit="bunch",
                purchase_unit="case",
                cost_cents_per_purchase=1800,
                par=D("2.5"),
                daily=True,
            )
        )
        found = ledger.catalog(session, ["saffron", "mozzarella", hostile])
        assert set(found) == {"saffron", "mozzarella"}
        saffron = found["saffron"]
        assert (saffron.par, saffron.daily, saffron.active) == (D("2.5"), True, True)
        assert (saffron.units.base_unit, saffron.units.per_unit) == ("oz", {"oz": D(1)})
        assert ledger.catalog(session, []) == {}
        assert ledger.recipes_for(session, [hostile]) == {}
    with db.read() as session:
        orm = {i.code: (i.name, i.par, i.daily, i.active) for i in session.scalars(select(InventoryItem))}
        plain = {
            i.units.code: (i.units.name, i.par, i.daily, i.active) for i in ledger.catalog(session).values()
        }
        assert plain == orm and "saffron" in plain and len(plain) > 20
        assert all(
            isinstance(par, Decimal) and isinstance(daily, bool) for _, par, daily, _ in plain.values()
        )
        assert ledger.recipes_for(session, ["topping:pepperoni"])[("topping:pepperoni", "lg")] == [
            ("pepperoni", D(2))
        ]
