"""The counter says what it understood: each item-line message, and an order above the store's
limits placed only with a manager's PIN (recorded on the order)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import Input, Static

from makeline.trade.menu import Amount, Placement, ToppingChoice
from store_db.db import StoreDB
from store_db.models import AuditEntry, Order, OrderLine, Staff
from terminal.app import MakelineApp
from terminal.dialogs.limits_approval import LimitsApprovalDialog
from terminal.screens.counter import CounterScreen
from tests.terminal.conftest import Clock, fill, make_app
from tests.terminal.conftest import wait_for as wait_briefly
from tests.terminal.test_counter import at_counter, message, orders


async def wait_for(pilot: Pilot[None], condition: Callable[[], bool], what: str) -> None:
    """Store work (PIN checks, placing 99 pizzas) runs in threads on a shared machine: be patient."""
    await wait_briefly(pilot, condition, timeout=30, what=what)


def item_field(app: MakelineApp) -> str:
    return app.screen.query_one("#item", Input).value


async def _walk_in(pilot: Pilot[None], app: MakelineApp) -> CounterScreen:
    screen = await at_counter(pilot, app)
    await pilot.press("enter")  # a walk-in: no phone
    await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "item", what="the item line")
    return screen


async def test_a_topping_named_twice_is_asked_about_and_enter_takes_the_retyped_line(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    app = make_app(store_path, "counter", clock, db)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _walk_in(pilot, app)
        await fill(pilot, "item", "lg pep +pep")
        await wait_for(pilot, lambda: "twice" in message(app), what="the question")
        assert (
            message(app) == "Pepperoni twice: extra pepperoni? Enter adds 'lg pep +pep!'; or change the line."
        )
        assert item_field(app) == "lg pep +pep!" and screen.cart.lines == ()
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(screen.cart.lines) == 1, what="the retyped line")
        assert screen.cart.lines[0].toppings == [ToppingChoice(code="pepperoni", amount=Amount.EXTRA)]
        assert message(app) == 'Added 1 Large 14" Pepperoni Pizza: EXTRA PEPPERONI.'

        await fill(pilot, "item", "lg cheese +pep< +pep>")
        await wait_for(pilot, lambda: "both halves" in message(app), what="the halves question")
        assert message(app).startswith("Pepperoni on both halves: on the whole pizza?")
        assert item_field(app) == "lg cheese +pep"
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(screen.cart.lines) == 2, what="the whole-pizza line")
        assert screen.cart.lines[1].toppings == [ToppingChoice(code="pepperoni", placement=Placement.WHOLE)]


async def test_marks_that_contradict_and_characters_it_cannot_read_are_refused_by_name(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    app = make_app(store_path, "counter", clock, db)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _walk_in(pilot, app)
        for typed, says in (
            ("lg cheese +mush<>", "'+mush<>' asks for left and right at once; type +mush< for the left half"),
            ("lg cheese +mush!~", "'+mush!~' asks for extra and light at once"),
            ("+mush<", "'+mush<' changes a pizza, but no pizza is named yet"),
            ("lg pep +mush$ %", "Cannot read '$' '%' in 'lg pep +mush$ %'"),
            ("lg pep @", "Type the care after @"),
        ):
            await fill(pilot, "item", typed)
            await wait_for(pilot, lambda says=says: says in message(app), what=f"the refusal of {typed!r}")
            assert item_field(app) == typed  # left as typed, to fix
            assert "-error" in app.screen.query_one("#counter-message", Static).classes
        assert screen.cart.lines == ()
        await fill(pilot, "item", "lg pep # ring twice, $5 tip")  # anything goes in a note
        await wait_for(pilot, lambda: len(screen.cart.lines) == 1, what="the line with a note")
        assert message(app) == 'Added 1 Large 14" Pepperoni Pizza (note: ring twice, $5 tip).'


def _staff_id(db: StoreDB, name: str) -> str:
    with db.read() as session:
        return session.scalars(select(Staff.id).where(Staff.name == name)).one()


async def test_99_pizzas_are_flagged_at_once_and_placed_only_with_a_managers_pin(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    app = make_app(store_path, "counter", clock, db)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _walk_in(pilot, app)
        await wait_for(pilot, lambda: screen.limits is not None, what="the store's limits")
        await fill(pilot, "item", "99 lg pep")
        await wait_for(pilot, lambda: len(screen.cart.lines) == 1, what="the 99 pizzas")
        assert message(app) == (
            'Added 99 Large 14" Pepperoni Pizza. '
            "99 pizzas: above this store's limit of 10 per line; a manager must approve."
        )
        await pilot.press("f8", "f10")  # card, place
        await wait_for(
            pilot, lambda: isinstance(app.screen, LimitsApprovalDialog), what="the approval dialog"
        )
        reason = str(app.screen.query_one("#limits-reason", Static).render())
        assert "$1,864.24: above this store's limit of $500.00 per order" in reason
        assert "99 pizzas: above this store's limit of 20 per order" in reason
        assert orders(db) == []

        await fill(pilot, "limits-approver", "Dana")
        await fill(pilot, "limits-pin", "0000")
        await wait_for(
            pilot,
            lambda: "Wrong PIN for Dana" in str(app.screen.query_one("#limits-message", Static).render()),
            what="the wrong PIN",
        )
        assert orders(db) == []
        await fill(pilot, "limits-approver", "Alex")  # crew may not approve
        await fill(pilot, "limits-pin", "3333")
        await wait_for(
            pilot,
            lambda: "Alex is crew" in str(app.screen.query_one("#limits-message", Static).render()),
            what="crew refused",
        )
        await fill(pilot, "limits-approver", "Dana")
        await fill(pilot, "limits-pin", "1234")
        await wait_for(pilot, lambda: "placed" in message(app), what="the approved order")
        assert isinstance(app.screen, CounterScreen)
        assert message(app).endswith("approved by Dana")
    [order] = orders(db)
    assert order.limits_approved_by == _staff_id(db, "Dana") and order.taken_by == _staff_id(db, "Alex")
    with db.read() as session:
        line = session.scalars(select(OrderLine).where(OrderLine.order_id == order.id)).one()
        assert line.quantity == 99
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "override")).one()
        assert "over the store's limits approved by Dana" in audit.detail


async def test_going_back_from_the_approval_places_nothing(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    app = make_app(store_path, "counter", clock, db)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _walk_in(pilot, app)
        await fill(pilot, "item", "12 md cheese")
        await wait_for(pilot, lambda: len(screen.cart.lines) == 1, what="the line")
        await pilot.press("f10")
        await wait_for(
            pilot, lambda: isinstance(app.screen, LimitsApprovalDialog), what="the approval dialog"
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, CounterScreen), what="the counter")
        assert message(app).startswith("Not placed: change the order")
        await pilot.press("f4")  # take the line off; an ordinary order places at once
        await fill(pilot, "item", "2 md cheese")
        await wait_for(pilot, lambda: len(screen.cart.lines) == 1, what="the smaller line")
        await pilot.press("f10")
        await wait_for(pilot, lambda: "placed" in message(app), what="the ordinary order")
    assert [o.limits_approved_by for o in orders(db)] == [None]
    with db.read() as session:
        assert session.scalars(select(Order)).one().total > 0


async def test_an_address_it_cannot_use_gets_a_hint_from_the_stores_street_list(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    app = make_app(store_path, "counter", clock, db)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await at_counter(pilot, app)
        await fill(pilot, "phone", "7085550199")
        await wait_for(
            pilot, lambda: app.focused is not None and app.focused.id == "name", what="a new caller"
        )
        await fill(pilot, "name", "Pat Doe")
        # Too far: the streets spelled like it that run through the area, and their numbers there.
        await fill(pilot, "address", "3200 N Harlem Ave")
        await wait_for(pilot, lambda: "6.4 km" in message(app), what="the far address")
        assert message(app) == (
            "3200 N Harlem Ave is 6.4 km from makeline Oak Park; this store delivers within 6 km. "
            "In the area: N Harlem Ave 1-2996, S Harlem Ave 1-2996, N Maple Ave 1-2843; check the number "
            "and the spelling. Otherwise offer carryout, or send the caller to the nearer store."
        )
        assert screen.cart.address is None
        # Misspelled: the names spelled most like it.
        await fill(pilot, "address", "1200 N Harlam Ave")
        await wait_for(pilot, lambda: "Harlam" in message(app), what="the misspelled street")
        assert message(app) == (
            "We cannot find the street 'N Harlam Ave' in this store's area; check the spelling. "
            "Did you mean N Harlem Ave, S Harlem Ave or N Hannah Ave?"
        )
        await fill(pilot, "address", "1200 N Harlem Ave")
        await wait_for(pilot, lambda: "in the delivery area" in message(app), what="the corrected address")
        assert screen.cart.address is not None and screen.cart.address.line1 == "1200 N Harlem Ave"
