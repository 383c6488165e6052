"""The oven exit and cut table: what is on the belt with time left, what is out to box.

One key boxes an order (1–9 by row, or Enter on the selected row): it records
`baked` at the moment the belt let it out (made + the store's oven time, or now
if pulled early) and boxes it; the order goes on the rack when its other
stations are done too (a boxed order waiting for the sides screen stays here,
last, saying so). Boxing an order that is still on the belt asks once first.
`o` marks an order out of the oven without boxing it, for stores that stage
pizzas at the cut table. In a store with a quality check (`Store.quality_check`), a boxed
order waits for it: `c` passes it (on to the rack), `x` sends it back to the make line to be
made again, with the reason. `r` takes back this screen's last box, out-of-oven, pass or
send-back for a minute, like the make line's recall.
"""

from __future__ import annotations

from dataclasses import dataclass
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
from store_db.services import quality_check
from terminal.data.formatting import age
from terminal.dialogs.confirm import ConfirmDialog
from terminal.dialogs.remake import RemakeDialog
from terminal.screens.base import LiveScreen
from terminal.widgets.care_band import CareBand, flagged_label
from terminal.widgets.info_line import InfoLine
from terminal.widgets.literal import DataTable
from terminal.widgets.status_line import StatusLine

SERVICE = {"delivery": "DELIV", "carryout": "CARRY"}


@dataclass(frozen=True)
class DoneHere:
    """What this screen did to an order, so `r` can take it back."""

    order_id: str
    label: str
    kind: str  # box, out, pass, send_back
    before: Stage = Stage.MADE


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
            "c",
            "pass_check",
            "Check passed",
            id="oven.pass_check",
            show=False,
            tooltip="Pass the quality check.",
        ),
        Binding(
            "x",
            "send_back",
            "Send back",
            id="oven.send_back",
            show=False,
            tooltip="Back to the make line to be made again.",
        ),
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
        self.done_here: list[DoneHere] = []  # newest last

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
        remakes = sum(1 for o in data if o.remake is not None)
        checking = sum(1 for o in data if o.checking)
        boxed = sum(1 for o in data if o.boxed and not o.checking and o.remake is None)
        counts = (
            f"{on_belt} on the belt · {len(data) - on_belt - boxed - checking - remakes} out to cut and box"
        )
        if checking:
            counts += f" · {checking} to check (c passes, x sends back)"
        if boxed:
            counts += f" · {boxed} boxed, waiting for another station"
        if remakes:
            counts += f" · {remakes} sent back to the make line"
        self.query_one(InfoLine).count(
            counts if data else "Nothing in the oven. Bumped pizzas show here as they go in."
        )

    def _oven_cell(self, order: OvenOrder, now: datetime) -> Text:
        if order.remake is not None:
            return Text("REMAKE: make line", style="bold white on red")
        if order.checking:
            return Text(f"CHECK {age((now - (order.boxed_at or now)).total_seconds())}", style="bold reverse")
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
        if order.remake is not None:
            self._said(f"{order.label} was sent back: the make line is making it again ({order.remake}).")
            return
        if order.checking:
            self._said(f"{order.label} waits for its quality check: c passes it, x sends it back.")
            return
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
            self.done_here.append(DoneHere(order.order_id, order.label, "box", before))
            if boxed.checking:
                self._said(f"{order.label} boxed — check it: c passes, x sends it back. r takes it back.")
            elif boxed.ready:
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
            self.done_here.append(DoneHere(order.order_id, label, "out"))
            self._said(f"{label} is out of the oven. r takes it back.")

        self.run_job(job, done, name="out")

    def _to_check(self) -> OvenOrder | None:
        """The selected order if it waits for its check, else the one waiting longest."""
        selected = self._selected_id()
        chosen = next((o for o in self.orders if o.order_id == selected and o.checking), None)
        chosen = chosen or next((o for o in self.orders if o.checking), None)
        if chosen is None:
            self._said("Nothing waits for a quality check: box an order first.")
        return chosen

    def _checker(self) -> str | None:
        return self.makeline.staff.name if self.makeline.staff else None

    def action_pass_check(self) -> None:
        order, at, by = self._to_check(), self.makeline.now(), self._checker()
        if order is None:
            return

        def job(db: StoreDB) -> str:
            passed = db.run(quality_check.pass_check, order.order_id, at, by)
            return "on the rack" if passed.stage == Stage.READY.value else "waits for another station"

        def done(where: str) -> None:
            self.done_here.append(DoneHere(order.order_id, order.label, "pass"))
            self._said(f"{order.label} passed its check — {where}. r takes it back.")

        self.run_job(job, done, self._refused, name="check")

    def action_send_back(self) -> None:
        order = self._to_check()
        if order is None:
            return

        def answered(reason: str | None) -> None:
            if reason is None:
                self._said(f"{order.label} still waits for its check.")
                return
            at, by = self.makeline.now(), self._checker()

            def job(db: StoreDB) -> str:
                db.run(quality_check.send_back, order.order_id, reason, at, by)
                return reason

            def done(why: str) -> None:
                self.done_here.append(DoneHere(order.order_id, order.label, "send_back"))
                self._said(f"{order.label} sent back to the make line: {why}. r takes it back.")

            self.run_job(job, done, self._refused, name="check")

        self.app.push_screen(RemakeDialog(order.label), answered)

    def action_recall(self) -> None:
        if not self.done_here:
            self._said("Nothing to take back: nothing was boxed here.")
            return
        last = self.done_here.pop()
        at = self.makeline.now()

        def job(db: StoreDB) -> str:
            if last.kind == "pass":
                db.run(quality_check.undo_pass, last.order_id, at)
            elif last.kind == "send_back":
                db.run(quality_check.undo_send_back, last.order_id, at)
            else:
                db.run(cut_service.unbox, last.order_id, last.before, at)
            return last.label

        where = {
            "pass": "waiting for its check again",
            "send_back": "off the make line, waiting for its check again",
        }.get(last.kind, "back on the belt" if last.before is Stage.MADE else "back on the cut table")
        self.run_job(job, lambda text: self._said(f"{text} is {where}."), self._refused, name="recall")

    def _said(self, text: str) -> None:
        self.query_one(InfoLine).say(text)

    def _refused(self, text: str) -> None:
        self.query_one(InfoLine).say(text, refused=True)
