"""The manager screen's driver hours (F7): per shift of the day, the driver-hours on runs
(needed) against on the clock (worked), checked by hand on Sam's evening."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from store_db.db import StoreDB
from store_db.models import DeliveryRun
from terminal.widgets.literal import DataTable
from tests.terminal.conftest import Clock, make_app, wait_for
from tests.terminal.delivery_store import sams_evening
from tests.terminal.test_manager import at_manager


async def test_driver_hours_needed_against_worked_per_shift(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    sams_evening(db)  # at 6:30 PM: Sam in since 4:30 PM, Priya since 5:30 PM, one run of Sam's
    with db.read() as session:
        run = session.scalars(select(DeliveryRun)).one()
        assert run.returned_at is not None
        on_run_h = (run.returned_at - run.dispatched_at).total_seconds() / 3600
    app = make_app(store_path, "manager", clock, db)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_manager(pilot, app)
        await pilot.press("f7")
        table = screen.query_one("#driver-hours", DataTable)
        await wait_for(pilot, lambda: table.row_count == 4)
        rows = [[str(cell) for cell in table.get_row_at(n)] for n in range(4)]
    # the run left at 5:52 PM, in the dinner shift; Sam's half hour before 5 PM is the afternoon's
    assert rows == [
        ["Morning", "0.0", "0.0", "+0.0"],
        ["Lunch", "0.0", "0.0", "+0.0"],
        ["Afternoon", "0.0", "0.5", "+0.5"],
        ["Dinner", f"{on_run_h:.1f}", "2.5", f"{2.5 - on_run_h:+.1f}"],
    ]
