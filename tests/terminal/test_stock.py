"""The stock count screen and the variance view under Pilot, on a real store file.

A full count walked area by area and finalised with a PIN; a count paused on one
terminal and resumed on another; wrong units, negative quantities and unknown items
refused on screen with nothing saved; crew refused at the finalise; and the variance
view finding the cheese that went missing.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from makeline.trade.pricing import ItemRequest
from store_db.db import StoreDB
from store_db.models import OutboxEvent, Staff, StockCount, StockCountLine
from store_db.queries import stock_ledger as ledger
from store_db.queries.kitchen import open_tickets
from store_db.queries.stock import CountSheet
from store_db.services import kitchen
from store_db.services import stock_counts as counts
from terminal.app import MakelineApp
from terminal.dialogs.finalise_count import FinaliseCountDialog
from terminal.screens.login import LoginScreen
from terminal.screens.make_line import MakeLineScreen
from terminal.screens.stock import StockData, StockScreen
from tests.terminal.conftest import (
    FRIDAY,
    Clock,
    fill,
    log_in,
    make_app,
    place,
    screen_text,
    type_text,
    wait_for,
)

D = Decimal


async def at_stock(
    pilot: Pilot[None], app: MakelineApp, name: str = "dana", pin: str = "1234"
) -> StockScreen:
    await log_in(pilot, name, pin)
    await wait_for(pilot, lambda: isinstance(app.screen, StockScreen), what="the stock screen")
    screen = app.screen
    assert isinstance(screen, StockScreen)
    await wait_for(pilot, lambda: screen.data is not None, what="the count")
    return screen


def info(app: MakelineApp) -> str:
    return str(app.screen.query_one("#list-info", Static).render())


def sheet_of(screen: StockScreen) -> CountSheet:
    assert screen.data is not None and screen.data.sheet is not None
    return screen.data.sheet


def lines(db: StoreDB) -> dict[str, StockCountLine]:
    with db.read() as session:
        return {line.item: line for line in session.scalars(select(StockCountLine))}


def outbox_size(db: StoreDB) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(OutboxEvent)) or 0)


async def count_area(pilot: Pilot[None], screen: StockScreen, entries: dict[str, str]) -> str:
    """Type a count for every line of the area on screen, top to bottom; returns the area."""
    sheet = sheet_of(screen)
    area = sheet.area
    for line in sheet.lines:
        await fill(pilot, "count-entry", entries.get(line.code, "2"))
    await wait_for(
        pilot,
        lambda: next(a for a in sheet_of(screen).areas if a.area == area).counted == len(sheet.lines),
        what=f"every line of {area} saved",
    )
    return area


async def test_a_full_count_walked_area_by_area_and_finalised(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    app = make_app(store_path, "stock", clock, db)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_stock(pilot, app)
        assert "No count is open" in screen_text(app) and "66 items" in screen_text(app)
        await pilot.press("f6")
        await wait_for(pilot, lambda: screen.data is not None and screen.data.sheet is not None)
        sheet = sheet_of(screen)
        assert (sheet.kind, sheet.total, sheet.area) == ("full", 66, "walk_in")
        assert [a.name for a in sheet.areas] == ["Walk-in cooler", "Freezer", "Dry storage"]
        text = screen_text(app)
        assert 'Dough ball 10" (dough_sm) · expected 0 tray' in text  # the first line, nothing on the books
        assert "expected" in text and "count in case, tray, each" in text  # the first line's units
        walked = []
        for expected_next in ("freezer", "dry", None):
            walked.append(
                await count_area(
                    pilot, screen, {"dough_sm": "1 case + 2 tray + 3 each", "mozzarella": "3 case + 4 bag"}
                )
            )
            if expected_next:
                await wait_for(
                    pilot,
                    lambda a=expected_next: sheet_of(screen).area == a,
                    what=f"the walk to {expected_next}",
                )
        assert walked == ["walk_in", "freezer", "dry"]
        await wait_for(pilot, lambda: sheet_of(screen).counted == 66)
        await pilot.press("f10")
        await wait_for(pilot, lambda: isinstance(app.screen, FinaliseCountDialog))
        assert app.screen.query_one("#finalise-by", Input).value == "Dana"
        await fill(pilot, "finalise-pin", "1234")
        await wait_for(pilot, lambda: app.screen is screen, what="the dialog to close")
        await wait_for(pilot, lambda: "Dana finalised the full count" in info(app))
        await wait_for(pilot, lambda: "One count so far" in screen_text(app), what="the variance view")
    with db.read() as session:
        count = session.scalars(select(StockCount)).one()
        assert (count.kind, count.state, count.source) == ("full", "finalised", "screen")
    saved = lines(db)
    assert len(saved) == 66 and all(line.counted is not None for line in saved.values())
    assert (
        saved["mozzarella"].counted == D(3 * 480 + 4 * 80) and saved["mozzarella"].entry == "3 case + 4 bag"
    )
    assert saved["dough_sm"].counted == D(120 + 2 * 30 + 3)  # a tray of 30 small dough balls
    assert saved["cola_20"].counted == D(2 * 24)  # a bare number is in the counting unit (case)


async def test_a_sheet_read_before_the_counter_walked_on_does_not_walk_them_back(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    """The freezer's sheet, read while the counter finished the walk-in cooler's last line,
    arrives after they walked on to the dry storage: the screen stays on the dry storage and
    its next read is of the dry storage, not the freezer."""
    app = make_app(store_path, "stock", clock, db)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_stock(pilot, app)
        await pilot.press("f6")
        await wait_for(pilot, lambda: screen.data is not None and screen.data.sheet is not None)
        screen.area = "freezer"
        freezer = screen.load(db)
        assert freezer.sheet is not None and freezer.sheet.area == "freezer"
        screen.area = "dry"  # walked on while the freezer's sheet was being read
        screen.show(freezer)
        assert screen.area == "dry"
        screen.reload()
        await wait_for(pilot, lambda: sheet_of(screen).area == "dry", what="the dry storage's sheet")
        screen.show(StockData(sheet_of(screen), None, asked=None))  # where the count stands
        assert screen.area == "dry"


async def test_a_paused_count_resumes_where_it_was_left_on_another_terminal(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    app = make_app(store_path, "stock", clock, db)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_stock(pilot, app)
        await pilot.press("f5")
        await wait_for(pilot, lambda: screen.data is not None and screen.data.sheet is not None)
        assert sheet_of(screen).kind == "daily" and sheet_of(screen).area == "walk_in"
        await fill(pilot, "count-entry", "4")
        await fill(pilot, "count-entry", "1 case + 1 tray")
        await wait_for(pilot, lambda: sheet_of(screen).counted == 2)
        await pilot.press("f8")  # on to the freezer: the daily list has the wings there
        await wait_for(pilot, lambda: sheet_of(screen).area == "freezer")
        await fill(pilot, "count-entry", "pepperoni 3 bag + 12 oz")
        await wait_for(
            pilot, lambda: sheet_of(screen).counted == 3, what="a line of another area by its code"
        )
        await pilot.press("f9")
        await wait_for(pilot, lambda: sheet_of(screen).paused)
        assert "PAUSED" in screen_text(app)
        assert screen.query_one("#count-entry", Input).disabled
        await pilot.press("f10")
        await wait_for(pilot, lambda: "paused; F9 resumes" in info(app))
    with db.read() as session:
        count = session.scalars(select(StockCount)).one()
        assert (count.state, count.area) == ("paused", "freezer")
    app = make_app(store_path, "stock", clock, db)  # another terminal, later
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_stock(pilot, app, "chris", "2222")
        sheet = sheet_of(screen)
        assert (sheet.paused, sheet.area, sheet.counted) == (True, "freezer", 3)
        # While paused the manager reads the lines (the focus on the table); the resume still
        # puts the cursor back in the entry.
        screen.query_one("#count-lines", DataTable).focus()
        await pilot.pause()
        await pilot.press("f9")
        await wait_for(pilot, lambda: not sheet_of(screen).paused, what="the resume")
        assert "Count resumed" in info(app)
        await wait_for(pilot, lambda: app.focused is screen.query_one("#count-entry", Input))
        await type_text(pilot, "2 bag")
        await pilot.press("enter")
        await wait_for(pilot, lambda: sheet_of(screen).counted == 4)
    saved = lines(db)
    assert saved["pepperoni"].counted == D(3 * 80 + 12) and saved["pepperoni"].entry == "3 bag + 12 oz"
    assert saved["wings"].counted == D(2 * 100) and saved["wings"].counted_by is not None
    assert sum(line.counted is not None for line in saved.values()) == 4


async def test_a_wrong_unit_a_negative_quantity_or_an_unknown_item_is_refused_and_nothing_saved(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    app = make_app(store_path, "stock", clock, db)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_stock(pilot, app)
        await pilot.press("f5")
        await wait_for(pilot, lambda: screen.data is not None and screen.data.sheet is not None)
        before = outbox_size(db)
        entry = screen.query_one("#count-entry", Input)
        for typed, said in (
            ("2 crate", "Dough ball 10\" (dough_sm) is not counted in 'crate'; use case, tray, each."),
            ("-1", "is negative; enter what is there"),
            ("1 tray + 4", "'4' has no unit"),
            ("bogus 2", "There is no inventory item 'bogus'"),
            ("anchovies 1 can", "is not on this daily count"),
            ("pepperoni", "needs a quantity after it"),
        ):
            await fill(pilot, "count-entry", typed)
            await wait_for(pilot, lambda s=said: s in info(app), what=said)
            assert screen.panel.selected() is not None and screen.panel.selected().code == "dough_sm"  # type: ignore[union-attr]
            if typed != "pepperoni":  # refused by the store: what was typed stays, to be put right
                assert "Nothing was saved" in info(app) and entry.value == typed
                assert entry.cursor_position == len(typed)  # the cursor after the old text
        assert "dough_sm" in screen_text(app)
    assert all(line.counted is None for line in lines(db).values())
    assert outbox_size(db) == before


async def test_finalise_is_refused_for_crew_and_a_wrong_pin_counts(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    with db.write() as session:
        count = counts.start_count(session, "daily", FRIDAY - timedelta(minutes=20), "Chris")
        for code in [line.item for line in session.scalars(select(StockCountLine))]:
            counts.set_line(session, count.id, code, "1", FRIDAY - timedelta(minutes=10), "Chris")
    app = make_app(store_path, "stock", clock, db)
    async with app.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "alex", "3333")  # crew may not open the stock screen at all
        await wait_for(pilot, lambda: isinstance(app.screen, MakeLineScreen), what="the refusal")
        await pilot.press("ctrl+t", "7")
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen))
        screen = await at_stock(pilot, app, "chris", "2222")
        await pilot.press("f10")
        await wait_for(pilot, lambda: isinstance(app.screen, FinaliseCountDialog))
        message = app.screen.query_one("#finalise-message", Static)
        await fill(pilot, "finalise-by", "Alex")
        await fill(pilot, "finalise-pin", "3333")
        await wait_for(
            pilot, lambda: "Alex is crew; a manager or shift lead must approve" in str(message.render())
        )
        await fill(pilot, "finalise-by", "Dana")
        await fill(pilot, "finalise-pin", "9999")
        await wait_for(pilot, lambda: "Wrong PIN for Dana; 4 more wrong PIN(s)" in str(message.render()))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        assert "still open" in info(app)
    with db.read() as session:
        assert session.scalars(select(StockCount)).one().state == "open"
        dana = session.scalars(select(Staff).where(Staff.name == "Dana")).one()
        assert dana.failed_pins == 1


def count_everything(db: StoreDB, at: object, short: dict[str, Decimal] | None = None) -> None:
    """A finalised full count of what the books say is there, less `short` (base units)."""
    with db.write() as session:
        items = {c: i for c, i in ledger.catalog(session).items() if i.active}
        books = ledger.on_hand(session, at, list(items))  # type: ignore[arg-type]
        entries = [
            (code, f"{books[code] - (short or {}).get(code, D(0))} {item.units.base_unit}", None)
            for code, item in items.items()
        ]
        counts.record_count(session, "full", entries, at, "Dana")  # type: ignore[arg-type]


async def test_the_variance_view_finds_the_cheese_that_went_missing(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    with db.write() as session:
        codes = [c for c, i in ledger.catalog(session).items() if i.active]
        opening = [(c, "3 case" if c == "mozzarella" else "2", None) for c in codes]
        counts.record_count(session, "full", opening, FRIDAY - timedelta(days=2), "Dana")
    for n in range(4):
        placed = FRIDAY - timedelta(days=1, minutes=10 * n)
        place(db, [ItemRequest(product="pepperoni", size="lg")], placed)
        with db.write() as session:
            (ticket,) = open_tickets(session, "makeline")
            kitchen.bump(session, ticket.id, placed + timedelta(minutes=1))
    count_everything(db, FRIDAY - timedelta(hours=1), short={"mozzarella": D(80)})  # one bag walked
    app = make_app(store_path, "stock", clock, db)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_stock(pilot, app)
        assert "Last: full count finalised Mar 14 5:30 PM" in screen_text(app)
        await pilot.press("f3")
        await wait_for(pilot, lambda: screen.variance is not None, what="the report")
        view = screen.variance
        assert view is not None and view.closed
        top = view.rows[0]
        assert (top.code, top.variance, top.variance_cents) == ("mozzarella", D(1), 1400)
        assert all(row.variance_cents == 0 for row in view.rows[1:])  # nothing else went missing
        assert view.variance_cents == 1400 and view.variance_pct is not None
        table = screen.query_one("#variance-table", DataTable)
        assert table.row_count == len(view.rows)
        text = screen_text(app)
        first_row = next(line for line in text.splitlines() if "Mozzarella" in line)
        assert "$14.00" in first_row and " 1 " in first_row
        assert "Food cost ideal" in text and "pts of sales" in text
        assert f"variance $14.00 = {view.variance_pct:.2f} pts of sales" in text
        assert "Low stock" in text and "dough_lg" in [
            str(k.value) for k in screen.query_one("#low-stock", DataTable).rows
        ]
