"""The oven exit and cut table: what is on the belt with time left, what is out to box.

One key boxes an order (1–9 by row, or Enter on the selected row): it records
`baked` at the moment the belt let it out (made + the store's oven time, or now
if pulled early) and boxes it; the order goes on the rack when its other
stations are done too (a boxed order waiting for the sides screen stays here,
last, saying so). Boxing an order that is still on the belt asks once first.
`o` marks an order out of the oven without boxing it, for stores that stage
pizzas at the cut table. `r` takes back this screen's last box or out-of-oven
for a minute, like the make line's recall.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer

from makeline.trade.lifecycle import Stage
from store_db.db import StoreDB
from store_db.queries.cut_table import OvenOrder, cut_table
from store_db.services import cut_table as cut_service
from terminal.data.formatting import age
from terminal.dialogs.confirm import ConfirmDialog
from terminal.screens.base import LiveScreen
from terminal.widgets.care_band import CareBand, flagged_label
from terminal.widgets.info_line import InfoLine
from terminal.widgets.literal import DataTable
from terminal.widgets.status_line import StatusLine

SERVICE = {"delivery": "DELIV", "carryout": "CARRY"}


def _rows_bindings(prefix: str, action: str, verb: str) -> list[Binding]:
    return [
        Binding(
            str(n),
            f"{action}({n})",
            verb,
            show=n == 1,
            key_display="1-9",
            id=f"{prefix}.{action}_{n}",
        )
        for n in range(1, 10)
    ]


class OvenScreen(LiveScreen[list[OvenOrder]]):
    TITLE = "Oven / cut table"
    CSS_PATH = "../styles/lists.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        *_rows_bindings("oven", "box", "Box"),
        Binding("enter", "box_selected", "Box selected", id="oven.box_selected", priority=True),
        Binding("o", "out_of_oven", "Out of oven", id="oven.out_of_oven"),
        Binding(
            "r",
            "recall",
            "Undo last",
            id="oven.recall",
            tooltip="Take back the last box or out-of-oven done here (within a minute).",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.orders: list[OvenOrder] = []
        self.done_here: list[tuple[str, str, Stage]] = []  # (order id, label, stage before), newest last

    def compose(self) -> ComposeResult:
        yield StatusLine(self.TITLE)
        yield CareBand(id="care-band")
        yield DataTable(id="oven-table", cursor_type="row", zebra_stripes=True)
        yield InfoLine()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("#", key="pos", width=2)
        table.add_column("Order", key="order", width=8)
        table.add_column("", key="service", width=5)
        table.add_column("Oven", key="oven", width=18)
        table.add_column("In the box", key="what")
        self.set_interval(1.0, self._tick)
        table.focus()

    def load(self, db: StoreDB) -> list[OvenOrder]:
        with db.read() as session:
            return cut_table(session)

    def show(self, data: list[OvenOrder]) -> None:
        self.orders = data
        table = self.query_one(DataTable)
        selected = self._selected_id()
        table.clear()
        now = self.makeline.now()
        for n, order in enumerate(data, start=1):
            table.add_row(
                str(n) if n <= 9 else "",
                flagged_label(order.label, order.care),
                SERVICE.get(order.service, order.service),
                self._oven_cell(order, now),
                " · ".join(line.text() for line in order.lines),
                key=order.order_id,
            )
        if selected is not None and selected in {o.order_id for o in data}:
            table.move_cursor(row=table.get_row_index(selected))
        self.query_one(CareBand).show_flags([(o.label, o.care) for o in data])
        on_belt = sum(1 for o in data if o.seconds_left(now) > 0)
        boxed = sum(1 for o in data if o.boxed)
        counts = f"{on_belt} on the belt · {len(data) - on_belt - boxed} out to cut and box"
        if boxed:
            counts += f" · {boxed} boxed, waiting for another station"
        self.query_one(InfoLine).count(
            counts if data else "Nothing in the oven. Bumped pizzas show here as they go in."
        )

    def _oven_cell(self, order: OvenOrder, now: datetime) -> Text:
        if order.boxed:
            stations = ", ".join(order.waiting_for) or "the rack"
            return Text(f"BOXED, needs {stations}", style="bold yellow")
        left = order.seconds_left(now)
        if left > 0:
            return Text(f"IN {age(left)}", style="bold")
        waiting = (now - order.out_at).total_seconds()
        style = "bold red" if waiting >= 120 else "bold green"
        return Text(f"OUT {age(waiting)}", style=style)

    def _tick(self) -> None:
        table = self.query_one(DataTable)
        now = self.makeline.now()
        for order in self.orders:
            if order.order_id in table.rows:
                table.update_cell(order.order_id, "oven", self._oven_cell(order, now))

    def _selected_id(self) -> str | None:
        table = self.query_one(DataTable)
        if not self.orders or table.cursor_row >= len(self.orders) or table.cursor_row < 0:
            return None
        return self.orders[table.cursor_row].order_id

    def action_box(self, row: int) -> None:
        if row <= len(self.orders):
            self._box(self.orders[row - 1])

    def action_box_selected(self) -> None:
        selected = self._selected_id()
        if selected is not None:
            self._box(next(o for o in self.orders if o.order_id == selected))

    def _box(self, order: OvenOrder) -> None:
        if order.boxed:
            self._said(f"{order.label} is boxed already; it waits for: {', '.join(order.waiting_for)}.")
            return
        left = order.seconds_left(self.makeline.now())
        if left > 0:

            def answered(yes: bool | None) -> None:
                if yes:
                    self._box_now(order)
                else:
                    self._said(f"{order.label} stays on the belt.")

            self.app.push_screen(
                ConfirmDialog(f"{order.label}: {age(left)} left on the belt — box anyway?"), answered
            )
            return
        self._box_now(order)

    def _box_now(self, order: OvenOrder) -> None:
        at = self.makeline.now()
        before = Stage(order.stage)

        def job(db: StoreDB) -> cut_service.Boxed:
            return db.run(cut_service.box, order.order_id, at)

        def done(boxed: cut_service.Boxed) -> None:
            self.done_here.append((order.order_id, order.label, before))
            if boxed.ready:
                self._said(f"{order.label} boxed — on the rack. r takes it back.")
            else:
                self._said(f"{order.label} boxed — waits for the sides before the rack. r takes it back.")

        self.run_job(job, done, name="box")

    def action_out_of_oven(self) -> None:
        selected = self._selected_id()
        if selected is None:
            return
        order = next(o for o in self.orders if o.order_id == selected)
        if order.stage != Stage.MADE.value:
            self._said(f"{order.label} is out of the oven already.")
            return
        left = order.seconds_left(self.makeline.now())
        if left > 0:

            def answered(yes: bool | None) -> None:
                if yes:
                    self._out_now(order)
                else:
                    self._said(f"{order.label} stays on the belt.")

            self.app.push_screen(
                ConfirmDialog(f"{order.label}: {age(left)} left on the belt — out of the oven anyway?"),
                answered,
            )
            return
        self._out_now(order)

    def _out_now(self, order: OvenOrder) -> None:
        at = self.makeline.now()

        def job(db: StoreDB) -> str:
            db.run(cut_service.out_of_oven, order.order_id, at)
            return order.label

        def done(label: str) -> None:
            self.done_here.append((order.order_id, label, Stage.MADE))
            self._said(f"{label} is out of the oven. r takes it back.")

        self.run_job(job, done, name="out")

    def action_recall(self) -> None:
        if not self.done_here:
            self._said("Nothing to take back: nothing was boxed here.")
            return
        order_id, label, before = self.done_here.pop()
        at = self.makeline.now()

        def job(db: StoreDB) -> str:
            db.run(cut_service.unbox, order_id, before, at)
            return label

        where = "back on the belt" if before is Stage.MADE else "back on the cut table"
        self.run_job(job, lambda text: self._said(f"{text} is {where}."), self._refused, name="recall")

    def _said(self, text: str) -> None:
        self.query_one(InfoLine).say(text)

    def _refused(self, text: str) -> None:
        self.query_one(InfoLine).say(text, refused=True)
