"""Production counts: the make line's next needs, hand-checked against the demo's build chart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from makeline.trade.lifecycle import Channel, Service
from makeline.trade.menu import Amount, Placement, ToppingChoice
from makeline.trade.pricing import ItemRequest
from makeline.trade.production import portions_text
from store_db.db import StoreDB
from store_db.models import KitchenTicket, RecipePortion
from store_db.queries.production import make_line_needs
from store_db.services import kitchen
from store_db.services.orders import OrderRequest, TenderRequest, place_order
from tests.store.helpers import T0, carryout

AT = datetime(2025, 3, 14, 23, 30, tzinfo=UTC)


def portion(db: StoreDB, part: str, size: str) -> Decimal:
    with db.read() as session:
        rows = session.scalars(
            select(RecipePortion.qty).where(RecipePortion.part == part, RecipePortion.size == size)
        ).all()
    assert len(rows) == 1, (part, size, rows)
    return rows[0]


def order(db: StoreDB, *items: ItemRequest) -> str:
    with db.write() as session:
        placed = place_order(
            session,
            OrderRequest(
                channel=Channel.WALK_IN,
                service=Service.CARRYOUT,
                items=list(items),
                tenders=[TenderRequest(kind="cash")],
            ),
            AT,
        )
        return placed.id


def test_counts_follow_the_build_chart(db: StoreDB) -> None:
    # two large pepperoni, hand tossed; one medium thin: pepperoni on the left, extra mushrooms right,
    # light cheese; a wings order (not the make line's)
    order(db, ItemRequest(product="pepperoni", size="lg", quantity=2))
    order(
        db,
        ItemRequest(
            product="cheese",
            size="md",
            crust="thin",
            cheese_amount=Amount.LIGHT,
            toppings=[
                ToppingChoice(code="pepperoni", placement=Placement.LEFT),
                ToppingChoice(code="mushrooms", placement=Placement.RIGHT, amount=Amount.EXTRA),
            ],
        ),
    )
    with db.read() as session:
        needs = make_line_needs(session)

    dough = {(n.code, size): p for n in needs.dough for size, p in n.portions.items()}
    assert dough == {("hand_tossed", "lg"): 2, ("thin", "md"): 1}

    [cheese] = needs.cheese
    assert cheese.portions == {"lg": 2, "md": Decimal("0.5")}  # light is half a portion
    mozz_lg, mozz_md = portion(db, "cheese:mozzarella", "lg"), portion(db, "cheese:mozzarella", "md")
    assert cheese.base_qty == 2 * mozz_lg + Decimal("0.5") * mozz_md

    tops = {n.code: n for n in needs.toppings}
    assert tops["pepperoni"].portions == {"lg": 2, "md": Decimal("0.5")}  # a half uses half
    assert tops["pepperoni"].base_qty == 2 * portion(db, "topping:pepperoni", "lg") + Decimal(
        "0.5"
    ) * portion(db, "topping:pepperoni", "md")
    assert tops["mushrooms"].portions == {"md": Decimal("0.75")}  # extra (1½) on a half
    assert portions_text(tops["pepperoni"].portions, ["sm", "md", "lg", "xl"]) == "md ½ · lg 2"


def test_a_bumped_ticket_is_no_longer_needed(db: StoreDB) -> None:
    first = order(db, ItemRequest(product="pepperoni", size="lg"))
    order(db, ItemRequest(product="cheese", size="sm"))
    with db.write() as session:
        ticket = session.scalars(select(KitchenTicket).where(KitchenTicket.order_id == first)).one()
        kitchen.bump(session, ticket.id, AT)
    with db.read() as session:
        needs = make_line_needs(session)
    assert {(n.code, tuple(n.portions)) for n in needs.dough} == {("hand_tossed", ("sm",))}
    assert [n.code for n in needs.toppings] == []


def test_orders_for_later_firing_in_the_next_minutes_are_counted_and_later_ones_are_not(db: StoreDB) -> None:
    # an extra-large for 20 minutes from now fires within the quarter hour (make and oven take
    # longer than five minutes); a small cheese for three hours from now does not
    db.run(
        place_order,
        carryout(ItemRequest(product="pepperoni", size="xl"), scheduled_for=T0 + timedelta(minutes=20)),
        T0,
    )
    db.run(
        place_order,
        carryout(ItemRequest(product="cheese", size="sm"), scheduled_for=T0 + timedelta(hours=3)),
        T0,
    )
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(KitchenTicket)) == 0  # both held
        needs = make_line_needs(session, at=T0)
        much_later = make_line_needs(session, at=T0 + timedelta(hours=3))
    assert needs.later == 1
    assert {(n.code, tuple(n.portions)) for n in needs.dough} == {("hand_tossed", ("xl",))}
    assert [n.code for n in needs.toppings] == ["pepperoni"]
    assert much_later.later == 2
    [dough] = much_later.dough
    assert (dough.code, dough.portions) == ("hand_tossed", {"xl": 1, "sm": 1})
