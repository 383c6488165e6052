"""Log-in, lock-out and the manager screen under Pilot: voids with and without approval, KPIs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from makeline.trade.pricing import ItemRequest
from makeline.trade.throttle import Level
from printers.builders import document_for
from printers.configure import add_printer
from printers.decode import decode
from printers.layout import render
from store_db.db import StoreDB
from store_db.models import AuditEntry, Order, PrintJob, Staff
from store_db.queries.kitchen import open_tickets
from store_db.queries.kpis import StageTimes, compute_kpis
from store_db.queries.online import online_ordering
from store_db.services import kitchen
from terminal.app import MakelineApp
from terminal.data.formatting import money
from terminal.dialogs.confirm import ConfirmDialog
from terminal.dialogs.online_ordering import OnlineOrderingDialog
from terminal.dialogs.void import VoidDialog
from terminal.screens.counter import CounterScreen
from terminal.screens.login import LoginScreen
from terminal.screens.make_line import MakeLineScreen
from terminal.screens.manager import ManagerScreen
from terminal.widgets.kpi_panel import kpi_style, on_time_style
from tests.terminal.conftest import FRIDAY, Clock, fill, log_in, make_app, place, screen_text, wait_for
from tests.terminal.delivery_store import sams_evening

PEPPERONI = ItemRequest(product="pepperoni", size="lg")


def audit(db: StoreDB) -> list[str]:
    with db.read() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def stage(db: StoreDB, order: Order) -> str:
    with db.read() as session:
        found = session.get(Order, order.id)
        assert found is not None
        return found.stage


def login_message(app: MakelineApp) -> str:
    return str(app.screen.query_one("#login-message", Static).render())


async def at_manager(
    pilot: Pilot[None], app: MakelineApp, name: str = "dana", pin: str = "1234"
) -> ManagerScreen:
    await log_in(pilot, name, pin)
    await wait_for(pilot, lambda: isinstance(app.screen, ManagerScreen), what="the manager screen")
    screen = app.screen
    assert isinstance(screen, ManagerScreen)
    await wait_for(pilot, lambda: screen.data is not None, what="today's figures")
    return screen


async def test_void_with_a_managers_pin(store_path: Path, db: StoreDB, clock: Clock) -> None:
    order = place(db, [PEPPERONI], FRIDAY - timedelta(minutes=2))
    app = make_app(store_path, "manager", clock, db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await at_manager(pilot, app)
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, VoidDialog))
        assert app.screen.query_one("#void-approver").value == "Dana"  # type: ignore[attr-defined]
        await fill(pilot, "void-reason", "customer cancelled")
        await fill(pilot, "void-pin", "1234")
        await wait_for(pilot, lambda: app.screen is screen, what="the dialog to close")
        await wait_for(pilot, lambda: "voided; Dana approved" in screen_text(app))
    assert stage(db, order) == "voided"
    assert audit(db)[-2:] == ["void", "refund"]  # paid in cash at the counter: handed back


async def test_voiding_a_paid_cash_order_offers_the_refund_and_prints_a_void_slip_for_the_kitchen(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    add_printer(db, "kitchen", "dummy://kitchen", ["kitchen"])  # a kitchen printer: it gets the slip
    kept = place(db, [PEPPERONI], FRIDAY - timedelta(minutes=3))
    order = place(db, [PEPPERONI], FRIDAY - timedelta(minutes=2))
    with db.write() as session:
        ticket = next(t for t in open_tickets(session, "makeline") if t.order_id == order.id)
        kitchen.bump(session, ticket.id, FRIDAY - timedelta(minutes=1))
    app = make_app(store_path, "manager", clock, db)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_manager(pilot, app)
        await pilot.press("v")  # the newest order first: #1002
        await wait_for(pilot, lambda: isinstance(app.screen, VoidDialog))
        total = money(order.total)
        assert f"Paid {total} in cash. Hand it back?" in str(
            app.screen.query_one("#void-refund-help", Static).render()
        )
        await fill(pilot, "void-reason", "wrong order")
        await fill(pilot, "void-pin", "1234")
        await wait_for(pilot, lambda: app.screen is screen, what="the dialog to close")
        await wait_for(pilot, lambda: f"Hand {total} back to the customer" in screen_text(app))
        # the other one, paid too, voided without handing the cash back
        await pilot.press("down", "v")
        await wait_for(pilot, lambda: isinstance(app.screen, VoidDialog))
        await fill(pilot, "void-reason", "left without it")
        await fill(pilot, "void-refund", "n")
        await fill(pilot, "void-pin", "1234")
        await wait_for(pilot, lambda: app.screen is screen, what="the dialog to close")
    with db.read() as session:
        voided = session.get(Order, order.id)
        other = session.get(Order, kept.id)
        assert voided is not None and other is not None
        assert (voided.payment, other.payment) == ("refunded", "paid")
        slips = {j.subject: j for j in session.scalars(select(PrintJob).where(PrintJob.document == "void"))}
        assert set(slips) == {order.id, kept.id} and slips[order.id].printer == "kitchen"
        slip = document_for(session, "void", order.id, slips[order.id].payload)
    printed = "\n".join(decode(render(slip)).texts)
    assert "** VOID **" in printed and "#1002" in printed
    assert "MADE ALREADY: SET IT ASIDE" in printed and "1 LG Pepperoni Pizza" in printed
    assert "Reason: wrong order" in printed and "Approved by: Dana" in printed
    assert "CASH HANDED BACK" in printed and total in printed


async def test_void_without_manager_approval_is_refused(store_path: Path, db: StoreDB, clock: Clock) -> None:
    order = place(db, [PEPPERONI], FRIDAY - timedelta(minutes=2))
    app = make_app(store_path, "manager", clock, db)
    async with app.run_test(size=(80, 24)) as pilot:
        await at_manager(pilot, app, "chris", "2222")
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, VoidDialog))
        message = app.screen.query_one("#void-message", Static)
        await fill(pilot, "void-reason", "wrong order")
        await fill(pilot, "void-approver", "Alex")
        await fill(pilot, "void-pin", "3333")
        await wait_for(pilot, lambda: "a manager or shift lead must approve" in str(message.render()))
        await fill(pilot, "void-approver", "Chris")
        await fill(pilot, "void-pin", "9999")
        await wait_for(pilot, lambda: "Wrong PIN for Chris" in str(message.render()))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ManagerScreen))
    assert stage(db, order) == "placed"
    assert "void" not in audit(db) and "pin_failed" in audit(db)


async def test_manager_screen_shows_todays_kpis(store_path: Path, db: StoreDB, clock: Clock) -> None:
    place(db, [PEPPERONI], FRIDAY - timedelta(minutes=5))
    with db.write() as session:
        (ticket,) = open_tickets(session, "makeline")
        kitchen.bump(session, ticket.id, FRIDAY - timedelta(minutes=5) + timedelta(seconds=48))
    app = make_app(store_path, "manager", clock, db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await at_manager(pilot, app)
        text = screen_text(app)
        assert "Make" in text and "0:48" in text
        assert "1 orders" in text
        assert screen.query_one("#orders", DataTable).row_count == 1
        assert style_of(screen, "0:48") == "bold green"  # under the store's 1-minute make target


def style_of(screen: ManagerScreen, figure: str) -> str:
    """The style the KPI panel draws `figure` in."""
    panel = screen.query_one("#kpis", Static)
    lines = panel.app.console.render_lines(panel.content, panel.app.console.options.update_width(80))
    for line in lines:
        for segment in line:
            if segment.text.strip() == figure and segment.style is not None:
                return str(segment.style)
    raise AssertionError(f"{figure} is not on the KPI panel")


async def test_kpis_that_miss_their_targets_turn_amber_then_red(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    for placed_ago, make_s in ((20, 80), (15, 200)):
        order = place(db, [PEPPERONI], FRIDAY - timedelta(minutes=placed_ago))
        with db.write() as session:
            ticket = next(t for t in open_tickets(session, "makeline") if t.order_id == order.id)
            kitchen.bump(session, ticket.id, order.placed_at + timedelta(seconds=make_s))
    app = make_app(store_path, "manager", clock, db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await at_manager(pilot, app)
        assert style_of(screen, "2:20") == "bold white on red"  # a 140 s average against 60 s
    kpis = compute_kpis(
        [StageTimes("carryout", "made", 0, FRIDAY, FRIDAY, made_at=FRIDAY + timedelta(seconds=80))]
    )
    assert kpi_style(kpis.measure("make").average_s, 60) == "bold yellow"  # within half again
    assert on_time_style(80.0) == "bold yellow" and on_time_style(60.0) == "bold white on red"


async def test_the_drivers_view_shows_delivery_kpis_per_driver(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    sams_evening(db)
    app = make_app(store_path, "manager", clock, db)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_manager(pilot, app)
        await pilot.press("f6")
        table = screen.query_one("#drivers", DataTable)
        await wait_for(pilot, lambda: table.row_count == 2)
        rows = [[str(cell) for cell in table.get_row_at(n)] for n in range(2)]
    # driver, runs, delivered, avg delivery, on time, runs per driver-hour, hours, status
    assert rows == [
        ["Priya", "0", "0", "—", "—", "0.0", "1.0", "on the clock"],
        ["Sam", "1", "2", "27:00", "50%", "0.5", "2.0", "on the clock"],
    ]


async def test_five_wrong_pins_lock_out_for_five_minutes(store_path: Path, db: StoreDB, clock: Clock) -> None:
    app = make_app(store_path, "counter", clock, db)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, LoginScreen)
        for tries_left in (4, 3, 2, 1):
            await log_in(pilot, "alex", "0000")
            await wait_for(pilot, lambda n=tries_left: f"{n} more wrong PIN" in login_message(app))
        await log_in(pilot, "alex", "0000")
        await wait_for(pilot, lambda: "locked out for 5 minutes" in login_message(app))
        await log_in(pilot, "alex", "3333")
        await wait_for(pilot, lambda: "locked out after 5 wrong PINs" in login_message(app))
        assert isinstance(app.screen, LoginScreen)
        clock.advance(301)
        await log_in(pilot, "alex", "3333")
        await wait_for(pilot, lambda: isinstance(app.screen, CounterScreen), what="the counter")
    with db.read() as session:
        alex = session.scalars(select(Staff).where(Staff.name == "Alex")).one()
        assert alex.failed_pins == 0
    assert audit(db)[-6:] == ["pin_failed"] * 4 + ["pin_locked", "login"]


async def test_crew_may_not_open_the_manager_screen_and_screens_switch_by_digit(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    app = make_app(store_path, "makeline", clock, db)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, MakeLineScreen)  # kitchen screens need no log-in
        await pilot.press("ctrl+t", "6")
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
        await log_in(pilot, "alex", "3333")
        await wait_for(pilot, lambda: isinstance(app.screen, MakeLineScreen), what="the refusal")
        await pilot.press("ctrl+t", "1")
        await wait_for(pilot, lambda: isinstance(app.screen, CounterScreen), what="the counter")
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen), what="the log-out")
    assert audit(db)[-2:] == ["login", "logout"]


async def test_the_manager_turns_the_sides_screen_on_and_orders_route_their_sides_there(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    app = make_app(store_path, "manager", clock, db)
    async with app.run_test(size=(100, 30)) as pilot:
        await at_manager(pilot, app)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="the question")
        assert "The sides screen is OFF" in str(app.screen.query_one("#confirm-question", Static).render())
        await pilot.press("y")
        await wait_for(pilot, lambda: "Sides screen on" in screen_text(app), what="the setting")
    wings = place(db, [PEPPERONI, ItemRequest(product="wings", size="8pc")], FRIDAY)
    with db.read() as session:
        assert [t.station for t in open_tickets(session, "sides")] == ["sides"]
        assert [t.order_id for t in open_tickets(session, "sides")] == [wings.id]
    assert audit(db)[-1] == "setting"


async def test_a_held_feed_entry_is_listed_with_why_and_tried_again_once_fixed(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    """F8 lists what the store set aside from the cloud's feed, held first, with the reason;
    `t` on a held entry applies it once its cause is fixed, and says so."""
    from store_db.models import FeedQuarantine
    from store_db.services import feed
    from store_db.services.orders import place_order
    from tests.store.helpers import carryout

    paid = {"cloud_order_id": "cloud-7", "payment_id": "pay-7", "amount": 1999}
    with db.write() as session:  # paid online for an order this store has not got (yet)
        feed.apply_entries(session, [(1, "order.paid", paid), (2, "order.paid", {"amount": "abc"})], FRIDAY)
    app = make_app(store_path, "manager", clock, db)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await at_manager(pilot, app)
        await pilot.press("t")
        await wait_for(pilot, lambda: "Open the held feed entries (F8)" in screen_text(app))
        await pilot.press("f8")
        await wait_for(pilot, lambda: "has no online order cloud-7" in screen_text(app), what="the reason")
        assert "Unreadable" in screen_text(app) and "order.paid" in screen_text(app)
        await pilot.press("t")
        await wait_for(pilot, lambda: "Feed entry #1 (order.paid) is still held" in screen_text(app))
        with db.write() as session:  # the fix: the order arrives
            order = place_order(session, carryout(cloud_order_id="cloud-7", tenders=[]), FRIDAY)
        await pilot.press("t")
        await wait_for(pilot, lambda: "Feed entry #1 (order.paid) is applied now, once." in screen_text(app))
        await wait_for(pilot, lambda: screen.query_one("#held", DataTable).get_row_at(0)[0].plain == "#2")
        await pilot.press("t")  # the unreadable one, first now: still held, tried three times
        await wait_for(
            pilot, lambda: "Feed entry #2 (order.paid) is still held: Unreadable" in screen_text(app)
        )
        await pilot.press("down", "t")  # the applied one: nothing more happens to it
        await wait_for(pilot, lambda: "#1 (order.paid) was applied already" in screen_text(app))
    with db.read() as session:
        rows = {r.cursor: (r.state, r.tries) for r in session.scalars(select(FeedQuarantine))}
        found = session.get(Order, order.id)
        assert found is not None and found.payment == "paid"
    assert rows == {1: ("applied", 3), 2: ("held", 2)}


async def test_the_manager_sees_online_ordering_and_holds_it(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    """The manager's line says what online customers get and why; `o` holds delivery paused
    (recorded, with who), and `o` `a` hands it back to the kitchen's load."""
    for _ in range(12):  # a busy counter: 12 pizzas ahead and no driver on the clock
        place(db, [PEPPERONI], FRIDAY)
    app = make_app(store_path, "manager", clock, db)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await at_manager(pilot, app)
        line = str(screen.query_one("#online", Static).render())
        assert "Online" in line and "a usual delivery quotes" in line and "o change" in line
        assert screen.data is not None and screen.data.online.minutes >= 30
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, OnlineOrderingDialog), what="the choices")
        await pilot.press("p")
        await wait_for(pilot, lambda: "held by Dana" in screen_text(app), what="the hold")
        screen.reload()
        await wait_for(
            pilot,
            lambda: " PAUSED " in str(screen.query_one("#online", Static).render()),
            what="the paused line",
        )
        with db.read() as session:
            held = online_ordering(session)
        assert (held.level, held.override_by) == (Level.PAUSED, "Dana")
        assert audit(db)[-1] == "throttle_hold"
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, OnlineOrderingDialog), what="the choices")
        await pilot.press("a")
        await wait_for(pilot, lambda: _auto(db), what="the load deciding again")
    assert audit(db)[-2:] == ["throttle_hold", "throttle_hold"]


def _auto(db: StoreDB) -> bool:
    with db.read() as session:
        return online_ordering(session).override is None
