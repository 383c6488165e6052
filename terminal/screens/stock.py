"""The stock count and the food-cost variance, for a manager or shift lead, keyboard only.

F5 starts the daily count (the short list of costly items), F6 the full count. The
count walks the storage areas in shelf order (walk-in cooler, freezer, dry storage;
F7 / F8 the previous / next area). Type what is on the shelf for the selected line —
`2 case + 3 bag + 1.5 lb`, or a bare number in the counting unit — and Enter saves it
and moves down; Enter on an area's last line walks on to the next area. `code qty`
counts any line of the count (`pepperoni 3 bag`). ↑ / ↓ choose a line. F9 pauses or
resumes (a paused count keeps its lines and opens where it was left, on any terminal);
F10 finalises with a manager's or shift lead's PIN. F3 shows the variance report (read
again each time F3 is pressed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import ContentSwitcher, Footer, Input

from makeline.trade.units import fmt_qty
from store_db.db import StoreDB
from store_db.errors import NoCount
from store_db.queries.stock import CountChoice, CountSheet, VarianceView, count_choice, count_sheet
from store_db.queries.stock import variance_view as read_variance
from store_db.services import stock_counts as counts
from store_db.services.stock_counts import CountLineView
from terminal.data.count_entry import read_entry
from terminal.dialogs.finalise_count import FinaliseCountDialog
from terminal.errors import CountEntryError
from terminal.screens.base import LiveScreen
from terminal.widgets.count_sheet import CountSheetPanel
from terminal.widgets.fields import Field
from terminal.widgets.info_line import InfoLine
from terminal.widgets.literal import DataTable
from terminal.widgets.status_line import StatusLine
from terminal.widgets.variance_panel import VariancePanel


@dataclass(frozen=True)
class StockData:
    sheet: CountSheet | None
    choice: CountChoice | None  # what a new count would hold, when none is open
    variance: VarianceView | None = None
    no_variance: str = ""  # why there is no report yet
    asked: str | None = None  # the area the screen asked for (None: where the count stands)


class StockScreen(LiveScreen[StockData]):
    TITLE = "Stock count"
    CSS_PATH = "../styles/stock.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "view('count')", "Count", id="stock.count"),
        Binding("f3", "view('variance')", "Variance", id="stock.variance"),
        Binding("f5", "start('daily')", "Daily", id="stock.daily", tooltip="Start the daily count."),
        Binding("f6", "start('full')", "Full", id="stock.full", tooltip="Start the full count."),
        Binding("f7", "area(-1)", "◀ Area", id="stock.previous_area"),
        Binding("f8", "area(1)", "Area ▶", id="stock.next_area"),
        Binding("f9", "pause", "Pause", id="stock.pause", tooltip="Pause or resume the count."),
        Binding("f10", "finalise", "Finalise", id="stock.finalise"),
        Binding("up", "line(-1)", "Line up", show=False, id="stock.line_up"),
        Binding("down", "line(1)", "Line down", show=False, id="stock.line_down"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data: StockData | None = None
        self.view = "count"
        self.area: str | None = None  # the area on screen; None: where the count was left
        # The report reads the whole period: it is run on F3 (and after a finalise), not on
        # every order the store makes while it is on screen.
        self.variance_due = False
        self.variance: VarianceView | None = None  # the report last read

    def compose(self) -> ComposeResult:
        yield StatusLine(self.TITLE)
        with ContentSwitcher(initial="count-view", id="stock-views"):
            with Vertical(id="count-view"):
                yield CountSheetPanel("count-sheet")
                yield Field(placeholder="2 case + 3 bag + 1.5 lb   (or: code quantity)", id="count-entry")
            yield VariancePanel(id="variance-view")
        yield InfoLine()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#count-entry", Input).focus()

    @property
    def panel(self) -> CountSheetPanel:
        return self.query_one(CountSheetPanel)

    # -- loading ----------------------------------------------------------------------------
    def load(self, db: StoreDB) -> StockData:
        area, now = self.area, self.makeline.now()
        with db.read() as session:
            sheet = count_sheet(session, area)
            choice = count_choice(session) if sheet is None else None
            if not (self.view == "variance" and self.variance_due):
                return StockData(sheet, choice, asked=area)
            try:
                return StockData(sheet, choice, read_variance(session, now), asked=area)
            except NoCount as exc:
                return StockData(sheet, choice, None, str(exc), asked=area)

    def show(self, data: StockData) -> None:
        self.data = data
        zone = self.makeline.store.timezone
        entry = self.query_one("#count-entry", Input)
        if data.sheet is None:
            self.area = None
            if data.choice is not None:
                self.panel.show_choice(data.choice, zone)
        else:
            if data.asked == self.area:  # else the counter walked on while this was read
                self.area = data.sheet.area
            self.panel.show_sheet(data.sheet, zone)
        was_disabled = entry.disabled
        entry.disabled = data.sheet is None or data.sheet.paused
        # Back from a pause, or a count just started: the cursor goes back in the entry, even
        # where the pause had moved the focus on to another widget.
        if not entry.disabled and self.view == "count" and (was_disabled or self.focused is None):
            entry.focus()
        variance = self.query_one(VariancePanel)
        if data.variance is not None:
            variance.update_view(data.variance, zone)
            self.variance, self.variance_due = data.variance, False
        elif data.no_variance:
            variance.refused(data.no_variance)
            self.variance_due = False

    def action_view(self, name: str) -> None:
        self.view = name
        self.variance_due = self.variance_due or name == "variance"
        self.query_one(ContentSwitcher).current = f"{name}-view"
        if name == "variance":
            self.query_one("#variance-table", DataTable).focus()
        else:
            self.query_one("#count-entry", Input).focus()
        self.reload()

    # -- counting ---------------------------------------------------------------------------
    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "count-lines":
            self.panel.show_prompt()

    def action_line(self, rows: int) -> None:
        if self.view == "count":
            self.panel.move(rows)
        else:
            table = self.query_one("#variance-table", DataTable)
            table.move_cursor(row=max(0, table.cursor_row + rows))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        sheet = self.data.sheet if self.data else None
        if sheet is None:
            self._said("Start a count first: F5 daily, F6 full.", error=True)
            return
        typed = event.value
        try:
            entry = read_entry(typed)
        except CountEntryError as exc:
            self._said(str(exc), error=True)
            return
        line = self.panel.selected()
        if entry.code is None and line is None:
            self._said("Choose a line with ↑ / ↓ first.", error=True)
            return
        code = entry.code or (line.code if line else "")
        # On down the shelf while the store saves this one.
        last_in_area = entry.code is None and self.panel.move(1) is None
        event.input.value = ""
        at, who, count_id = self.makeline.now(), self._staff_id(), sheet.id

        def job(db: StoreDB) -> CountLineView:
            return db.run(counts.set_line, count_id, code, entry.quantity, at, who)

        def saved(view: CountLineView) -> None:
            counted = fmt_qty(view.counted) if view.counted is not None else "?"
            self._said(
                f"{view.name}: {view.entry} = {counted} {view.count_unit} (expected {fmt_qty(view.expected)})."
            )
            if last_in_area and view.area == sheet.area:
                self._walk_on(sheet)
            elif view.area != self.area and self.area is not None:
                # A stray line of another area (its code typed): the store now thinks the
                # counter is there; they are still here, and a resume should open here.
                self._go_to(sheet, self.area)
            self.reload()

        def refused(text: str) -> None:
            self.panel.select(code)
            entry_field = self.query_one("#count-entry", Input)
            entry_field.value = typed
            entry_field.cursor_position = len(typed)  # on at the end, to put it right
            entry_field.focus()
            self._said(f"{text} Nothing was saved.", error=True)

        self.run_job(job, saved, refused, name="count-line")

    def _walk_on(self, sheet: CountSheet) -> None:
        """An area's last line was counted: on to the next area, or say the walk is done."""
        names = [a.area for a in sheet.areas]
        at = names.index(sheet.area) if sheet.area in names else -1
        if at + 1 < len(names):
            self._go_to(sheet, names[at + 1])
            return
        self._said("That was the last shelf. F10 finalises the count once every line is counted.")

    def action_area(self, step: int) -> None:
        sheet = self.data.sheet if self.data else None
        if self.view != "count" or sheet is None:
            return
        names = [a.area for a in sheet.areas]
        at = names.index(sheet.area) + step if sheet.area in names else 0
        if 0 <= at < len(names):
            self._go_to(sheet, names[at])

    def _go_to(self, sheet: CountSheet, area: str) -> None:
        self.area = area
        self.reload()
        if sheet.paused:
            return
        count_id = sheet.id

        def job(db: StoreDB) -> None:
            db.run(counts.move_to_area, count_id, area)  # remembered, so a resumed count opens here

        self.run_job(job, lambda _: None, name="count-area")

    # -- starting, pausing, finalising ------------------------------------------------------
    def action_start(self, kind: str) -> None:
        at, who = self.makeline.now(), self._staff_id()

        def job(db: StoreDB) -> str:
            db.run(counts.start_count, kind, at, who)
            return f"{kind.capitalize()} count started; it stands for the shelves as of now."

        self.action_view("count")
        self.area = None
        self.run_job(job, self._changed, lambda text: self._said(text, error=True), name="count-start")

    def action_pause(self) -> None:
        sheet = self.data.sheet if self.data else None
        if sheet is None:
            self._said("No count is open; F5 starts the daily count, F6 the full count.")
            return
        at, count_id, paused = self.makeline.now(), sheet.id, sheet.paused

        def job(db: StoreDB) -> str:
            if paused:
                db.run(counts.resume, count_id, at)
                return "Count resumed."
            db.run(counts.pause, count_id, at)
            return "Count paused; what is counted stays. F9 resumes it, here or on any terminal."

        self.run_job(job, self._changed, lambda text: self._said(text, error=True), name="count-pause")

    def action_finalise(self) -> None:
        sheet = self.data.sheet if self.data else None
        if sheet is None:
            self._said("No count is open to finalise.")
            return
        area = sheet.area

        def job(db: StoreDB) -> CountSheet | None:
            with db.read() as session:  # fresh: another terminal may have counted the rest
                return count_sheet(session, area)

        self.run_job(job, self._ask_for_pin, name="count-check")

    def _ask_for_pin(self, sheet: CountSheet | None) -> None:
        if sheet is None:
            self._said("No count is open to finalise.")
            return
        if sheet.paused:
            self._said("The count is paused; F9 resumes it, then F10 finalises.", error=True)
            return
        left = [f"{a.name} {a.lines - a.counted}" for a in sheet.areas if a.counted < a.lines]
        if left:
            self._said(f"Not counted yet: {' · '.join(left)}. Enter 0 for what is not there.", error=True)
            return
        staff = self.makeline.staff
        approver = staff.name if staff and staff.role in ("manager", "shift_lead") else ""

        def closed(result: str | None) -> None:
            if result is None:
                self._said("Not finalised; the count is still open.")
                return
            self._said(result)
            self.action_view("variance")

        self.app.push_screen(FinaliseCountDialog(sheet, approver), closed)

    # -- helpers ----------------------------------------------------------------------------
    def _staff_id(self) -> str | None:
        staff = self.makeline.staff
        return staff.id if staff else None

    def _changed(self, text: str) -> None:
        self._said(text)
        self.reload()

    def _said(self, text: str, error: bool = False) -> None:
        info = self.query_one(InfoLine)
        info.set_class(error, "-error")
        info.say(text)
