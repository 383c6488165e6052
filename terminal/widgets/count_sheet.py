"""The count sheet on screen: which count, the storage areas in walking order with their
progress, one area's lines in shelf order with what the books expect, and the line being
typed. Quantities are in each item's counting unit."""

from __future__ import annotations

from decimal import Decimal

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical

from makeline.trade.units import fmt_qty
from store_db.queries.stock import CountChoice, CountSheet
from store_db.services.stock_counts import CountLineView
from terminal.data.formatting import clock, day_and_clock
from terminal.widgets.literal import DataTable, Static, literal

COLUMNS = ("item", "expected", "counted", "diff", "entry")


def quantity(value: Decimal | None, unit: str) -> str:
    return "" if value is None else f"{fmt_qty(value)} {unit}"


def difference(line: CountLineView) -> Text:
    """Counted − expected: a big gap is more often a typo than a theft, so it shows at once."""
    if line.counted is None:
        return Text("")
    gap = line.counted - line.expected
    text = fmt_qty(gap)
    if gap > 0:
        return Text(f"+{text}", justify="right")
    return Text(text, style="bold red" if gap < 0 else "dim", justify="right")


class CountSheetPanel(Vertical):
    def __init__(self, widget_id: str) -> None:
        super().__init__(id=widget_id)
        self.sheet: CountSheet | None = None

    def compose(self) -> ComposeResult:
        yield Static("Loading the count…", id="count-head")
        yield Static("", id="count-areas")
        yield DataTable(id="count-lines", cursor_type="row", zebra_stripes=True)
        yield Static("", id="count-prompt")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for column in COLUMNS:
            table.add_column(column.capitalize(), key=column)

    # -- what is shown ----------------------------------------------------------------------
    def show_choice(self, choice: CountChoice, zone: str) -> None:
        self.sheet = None
        last = (
            f"Last: {choice.last_kind} count finalised {day_and_clock(choice.last_finalised_at, zone)}."
            if choice.last_kind and choice.last_finalised_at
            else "No count has been finalised yet."
        )
        self.query_one("#count-head", Static).update(
            Text.assemble(("No count is open. ", "bold"), (last, "dim"))
        )
        self.query_one("#count-areas", Static).update(
            Text.assemble(
                (" F5 ", "bold reverse"),
                f" daily count — {choice.daily_items} costly items   ",
                (" F6 ", "bold reverse"),
                f" full count — {choice.full_items} items",
            )
        )
        self.query_one(DataTable).clear()
        self.query_one("#count-prompt", Static).update("")

    def show_sheet(self, sheet: CountSheet, zone: str) -> None:
        """Put `sheet` up. The same lines are updated in place and the cursor stays where the
        person has moved it (saves still on their way must not pull it back); a new area
        opens on its first line not counted."""
        before = {line.code: line for line in self.sheet.lines} if self.sheet else {}
        self.sheet = sheet
        head = Text.assemble(
            (f"{sheet.kind.upper()} COUNT", "bold"),
            f" · stands for the shelves at {clock(sheet.started_at, zone)}",
            literal(f" · by {sheet.started_by}") if sheet.started_by else "",
            f" · {sheet.counted} of {sheet.total} counted",
        )
        if sheet.paused:
            head.append("   PAUSED — F9 resumes; what is counted stays ", style="bold black on yellow")
        self.query_one("#count-head", Static).update(head)
        strip = Text(no_wrap=True, overflow="ellipsis")
        for n, area in enumerate(sheet.areas):
            if n:
                strip.append(" │ ", style="dim")
            style = (
                "bold reverse" if area.area == sheet.area else "green" if area.counted == area.lines else ""
            )
            strip.append(literal(f" {area.name} {area.counted}/{area.lines} ", style))
        self.query_one("#count-areas", Static).update(strip)
        table = self.query_one(DataTable)
        codes = [line.code for line in sheet.lines]
        if [str(key.value) for key in table.rows] == codes:
            # The same lines: only the ones that changed are redrawn, and the cursor stays put.
            for line in (x for x in sheet.lines if before.get(x.code) != x):
                for column, cell in zip(COLUMNS, self._cells(line), strict=True):
                    table.update_cell(line.code, column, cell, update_width=True)
        else:
            table.clear()
            for line in sheet.lines:
                table.add_row(*self._cells(line), key=line.code)
            first = next((n for n, line in enumerate(sheet.lines) if line.counted is None), 0)
            table.move_cursor(row=first)
        self.show_prompt()

    @staticmethod
    def _cells(line: CountLineView) -> tuple[object, ...]:
        return (
            literal(line.name, "" if line.counted is not None else "bold"),
            Text(quantity(line.expected, line.count_unit), justify="right"),
            Text(quantity(line.counted, line.count_unit), style="bold", justify="right"),
            difference(line),
            literal(line.entry, "dim"),
        )

    def show_prompt(self) -> None:
        line = self.selected()
        prompt = self.query_one("#count-prompt", Static)
        if line is None:
            prompt.update("")
            return
        text = Text.assemble(
            literal(line.name, "bold"),
            (f" ({line.code})", "dim"),
            f" · expected {quantity(line.expected, line.count_unit)}",
            f" · count in {', '.join(line.units)}",
        )
        if line.counted is not None:
            text.append(f" · counted {quantity(line.counted, line.count_unit)}", style="bold")
        prompt.update(text)

    # -- the cursor -------------------------------------------------------------------------
    def selected(self) -> CountLineView | None:
        table = self.query_one(DataTable)
        if self.sheet is None or not 0 <= table.cursor_row < len(self.sheet.lines):
            return None
        return self.sheet.lines[table.cursor_row]

    def select(self, code: str) -> bool:
        if self.sheet is None:
            return False
        codes = [line.code for line in self.sheet.lines]
        if code not in codes:
            return False
        self.query_one(DataTable).move_cursor(row=codes.index(code))
        self.show_prompt()
        return True

    def move(self, rows: int) -> CountLineView | None:
        """Move the cursor `rows` down (up when negative); None when it would leave the area."""
        table = self.query_one(DataTable)
        if self.sheet is None:
            return None
        row = table.cursor_row + rows
        if not 0 <= row < len(self.sheet.lines):
            return None
        table.move_cursor(row=row)
        self.show_prompt()
        return self.sheet.lines[row]
