"""A driver's night under Pilot on one terminal: clock in with a bank, a run accepted from the
dispatch board's suggestion, each door marked, the run checked in, the shift cashed out with a
manager's PIN and its slip queued. A checkout with a stop not marked, cash that does not match
and a wrong PIN are each a clear sentence, and nothing is saved."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from makeline.trade.lifecycle import Service, Stage
from makeline.trade.pricing import ItemRequest
from printers.builders import document_for
from printers.configure import add_printer
from printers.decode import decode
from printers.layout import render
from store_db.db import StoreDB
from store_db.models import CashOut, DeliveryRun, PrintJob, Shift
from store_db.services import lifecycle
from store_db.services.dispatch import send
from terminal.app import MakelineApp
from terminal.data.formatting import money
from terminal.dialogs.cash_out import CashOutDialog
from terminal.dialogs.checkout import CheckoutDialog
from terminal.dialogs.stop_outcome import StopOutcomeDialog
from terminal.screens.dispatch import DispatchScreen
from terminal.screens.driver import DriverScreen
from terminal.screens.login import LoginScreen
from terminal.widgets.info_line import InfoLine
from tests.dispatch.store_orders import clock_in, order_at
from tests.store.helpers import fingerprint
from tests.terminal.conftest import (
    FRIDAY,
    REPEAT_ADDRESS,
    REPEAT_PHONE,
    Clock,
    fill,
    log_in,
    make_app,
    place,
    screen_text,
    wait_for,
)


async def as_driver(pilot: Pilot[None], app: MakelineApp, name: str, pin: str) -> DriverScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
    await log_in(pilot, name, pin)
    await wait_for(pilot, lambda: isinstance(app.screen, DriverScreen), what="the driver screen")
    screen = app.screen
    assert isinstance(screen, DriverScreen)
    await wait_for(pilot, lambda: screen.data is not None and screen.data.name == name.title())
    return screen


def said(app: MakelineApp) -> str:
    return app.screen.query_one(InfoLine).said


def dialog_message(app: MakelineApp, widget_id: str) -> str:
    return str(app.screen.query_one(f"#{widget_id}", Static).render())


async def test_clock_in_take_a_run_deliver_check_in_and_cash_out(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    add_printer(db, "office", "dummy://office", ["run-sheet", "cash-out"])
    placed = FRIDAY - timedelta(minutes=15)
    cash_order = order_at(db, 1.0, placed=placed, stage_at=FRIDAY - timedelta(minutes=2))
    paid_order = order_at(db, 1.5, placed=placed, stage_at=FRIDAY - timedelta(minutes=2), paid=True)
    app = make_app(store_path, "driver", clock, db)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await as_driver(pilot, app, "sam", "5101")
        assert screen.data is not None and screen.data.shift is None
        assert "not clocked in" in screen_text(app)
        await fill(pilot, "bank", "20")
        await wait_for(pilot, lambda: screen.data is not None and screen.data.shift is not None)
        assert "clocked in with a $20.00 starting bank" in said(app)

        # the manager accepts the board's suggestion for Sam on the dispatch screen
        await pilot.press("ctrl+t", "8")
        await log_in(pilot, "dana", "1234")
        await wait_for(pilot, lambda: isinstance(app.screen, DispatchScreen), what="the dispatch board")
        board = app.screen
        assert isinstance(board, DispatchScreen)
        await wait_for(pilot, lambda: board.plan is not None and len(board.plan.runs) == 1, timeout=10)
        assert board.plan is not None
        (run,) = board.plan.runs
        assert run.driver == "Sam" and [s.order_id for s in run.stops] == [cash_order, paid_order]
        board.query_one("#runs", DataTable).focus()
        await pilot.press("a")
        await wait_for(pilot, lambda: "Run 1: Sam left with" in said(app), what="the run to leave")

        # back on the driver screen: the run, door by door
        clock.advance(120)
        await pilot.press("ctrl+t", "9")
        screen = await as_driver(pilot, app, "sam", "5101")
        await wait_for(pilot, lambda: screen.data is not None and screen.data.run is not None)
        door_run = screen.data.run  # type: ignore[union-attr]
        assert door_run is not None
        cash_stop, paid_stop = door_run.stops
        text = screen_text(app)
        assert "RUN 1" in text and "(708) 555-0199" in text and cash_stop.address in text
        assert f"CASH {money(cash_stop.amount_due)}" in text and "PAID" in text

        # checking in with a stop not marked: refused, nothing saved
        before = fingerprint(db)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CheckoutDialog))
        await fill(pilot, "checkout-cash", "0")
        await wait_for(
            pilot,
            lambda: (
                f"Mark {cash_stop.label}, {paid_stop.label} delivered or not delivered"
                in dialog_message(app, "checkout-message")
            ),
        )
        await pilot.press("escape")
        assert fingerprint(db) == before

        # the cash door: $3 over the amount due is the tip; the paid door: one key
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, StopOutcomeDialog))
        assert app.screen.query_one("#stop-cash", Input).value == f"{cash_stop.amount_due / 100:.2f}"
        handed = cash_stop.amount_due + 300
        await fill(pilot, "stop-cash", f"{handed / 100:.2f}")
        await fill(pilot, "stop-tip", "")
        await wait_for(pilot, lambda: app.screen is screen)
        await wait_for(
            pilot, lambda: f"{cash_stop.label} delivered: {money(handed)} cash, $3.00 tip" in said(app)
        )
        await wait_for(
            pilot,
            lambda: (
                screen.data is not None and screen.data.run is not None and len(screen.data.run.pending) == 1
            ),
        )
        await pilot.press("d")
        await wait_for(pilot, lambda: f"{paid_stop.label} delivered (paid already)" in said(app))

        # cash that does not match the stops: refused, nothing saved
        await wait_for(
            pilot,
            lambda: screen.data is not None and screen.data.run is not None and not screen.data.run.pending,
        )
        before = fingerprint(db)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CheckoutDialog))
        await fill(pilot, "checkout-cash", f"{(handed - 500) / 100:.2f}")
        await wait_for(
            pilot,
            lambda: f"but the stops add up to {money(handed)}" in dialog_message(app, "checkout-message"),
        )
        assert "WITHOUT your $20.00 starting bank" in dialog_message(app, "checkout-help")
        # the bank counted in by mistake: said so, nothing saved
        await fill(pilot, "checkout-cash", f"{(handed + 2000) / 100:.2f}")
        await wait_for(
            pilot,
            lambda: "includes your $20.00 starting bank" in dialog_message(app, "checkout-message"),
        )
        assert fingerprint(db) == before
        await fill(pilot, "checkout-cash", f"{handed / 100:.2f}")
        await wait_for(pilot, lambda: app.screen is screen)
        await wait_for(pilot, lambda: "Run 1 checked in" in said(app))
        await wait_for(pilot, lambda: screen.data is not None and screen.data.run is None)

        # the cash-out: a wrong PIN is refused (and counts), a manager's PIN ends the shift
        await pilot.press("f10")
        await wait_for(pilot, lambda: isinstance(app.screen, CashOutDialog))
        dialog = app.screen
        assert isinstance(dialog, CashOutDialog)
        expected_owed = dialog.shift.owed_to_store
        assert money(expected_owed) in screen_text(app)
        await fill(pilot, "cash-out-by", "Dana")
        await fill(pilot, "cash-out-pin", "0000")
        await wait_for(pilot, lambda: "Wrong PIN for Dana" in dialog_message(app, "cash-out-message"))
        with db.read() as session:
            assert session.scalars(select(CashOut)).first() is None
        await fill(pilot, "cash-out-pin", "1234")
        # the shift is over: Sam is logged out, the sentence stays up for whoever reads it
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen), what="the log-out")
        assert app.staff is None
        notes = [n.message for n in app._notifications]
        assert any("Cashed out: Sam owes the store" in n for n in notes), notes
        assert any("the slip is printing on office" in n for n in notes)

    with db.read() as session:
        record = session.scalars(select(CashOut)).one()
        (closed,) = session.scalars(select(DeliveryRun)).all()
        shift = session.scalars(select(Shift).where(Shift.id == record.shift_id)).one()
        jobs = {j.document: j for j in session.scalars(select(PrintJob))}
        slip = document_for(session, "cash-out", record.id, jobs["cash-out"].payload)
    assert record.owed_to_store == expected_owed
    assert (record.starting_bank, record.cash_collected, record.cash_tips) == (2000, handed, 300)
    assert record.owed_to_store == 2000 + handed - 300 - record.card_tips - closed.mileage_cents
    assert closed.status == "closed" and closed.cash_collected == handed and closed.tips == 300
    assert shift.clock_out_at is not None and "run-sheet" in jobs
    assert any("Sam" in t for t in decode(render(slip)).texts)


async def test_a_driver_may_not_open_the_dispatch_board(store_path: Path, db: StoreDB, clock: Clock) -> None:
    app = make_app(store_path, "dispatch", clock, db)
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "sam", "5101")
        await wait_for(pilot, lambda: not isinstance(app.screen, LoginScreen), what="the refusal")
        assert not isinstance(app.screen, DispatchScreen)


async def test_the_driver_sees_and_the_run_sheet_prints_the_door_note_and_the_bag(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    add_printer(db, "office", "dummy://office", ["run-sheet"])
    items = [ItemRequest(product="pepperoni", size="lg"), ItemRequest(product="cola", size="2l")]
    first = place(
        db,
        items,
        FRIDAY - timedelta(minutes=20),
        Service.DELIVERY,
        phone=REPEAT_PHONE,
        name="Maria",
        address=REPEAT_ADDRESS,
        address_note="side door, ring twice",
    )
    # She calls again next week: the saved note comes with her address.
    again = place(
        db,
        items[:1],
        FRIDAY - timedelta(minutes=19),
        Service.DELIVERY,
        phone=REPEAT_PHONE,
        address=REPEAT_ADDRESS,
    )
    with db.write() as session:
        for order in (first, again):
            for step in (Stage.MADE, Stage.BAKED, Stage.READY):
                lifecycle.advance(session, order.id, step, FRIDAY - timedelta(minutes=5))
    clock_in(db, "Sam", at=FRIDAY - timedelta(hours=1))
    with db.write() as session:
        run = send(session, "Sam", [first.id, again.id], FRIDAY - timedelta(minutes=2))
        run_id = run.id
    app = make_app(store_path, "driver", clock, db)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await as_driver(pilot, app, "sam", "5101")
        await wait_for(pilot, lambda: screen.data is not None and screen.data.run is not None)
        detail = screen.query_one("#stop-detail", Static)
        await wait_for(pilot, lambda: "AT THE DOOR:" in str(detail.render()))
        text = str(detail.render())
        assert "side door, ring twice" in text
        assert "IN THE BAG: 1 LG Pepperoni Pizza · 1 2 Liter Cola" in text
        await pilot.press("down")
        await wait_for(pilot, lambda: "IN THE BAG: 1 LG Pepperoni Pizza" in str(detail.render()))
        assert "side door, ring twice" in str(detail.render())
        assert "Cola" not in str(detail.render())
    with db.read() as session:
        job = session.scalars(select(PrintJob).where(PrintJob.document == "run-sheet")).one()
        sheet = document_for(session, "run-sheet", run_id, job.payload)
    printed = "\n".join(decode(render(sheet)).texts)
    assert "AT THE DOOR: side door, ring twice" in printed
    assert "[ ] 1 LG Pepperoni Pizza" in printed and "[ ] 1 2 Liter Cola" in printed
