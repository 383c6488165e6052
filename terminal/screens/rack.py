"""The heat rack: carryout orders waiting for their customer, delivery orders for a driver.

1–9 (or Enter on the selected row) hands a carryout order over: picked up. An
order with money still due asks once whether it was collected; `r` takes the
last hand-over back for a minute (the customer came back to the counter).
Delivery orders wait here until dispatch sends a driver; their rack time turns
amber at the store's rack target and red at twice it, because that is cold pizza.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer

from makeline.trade.lifecycle import Stage
from store_db.db import StoreDB
from store_db.queries.rack import RackOrder, rack
from store_db.services import lifecycle
from terminal.data.formatting import age, clock, money
from terminal.dialogs.confirm import ConfirmDialog
from terminal.screens.base import LiveScreen
from terminal.widgets.care_band import CareBand, flagged_label
from terminal.widgets.info_line import InfoLine
from terminal.widgets.literal import DataTable, Static
from terminal.widgets.status_line import StatusLine


class RackScreen(LiveScreen[list[RackOrder]]):
    TITLE = "Rack"
    CSS_PATH = "../styles/lists.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        *[
            Binding(
                str(n),
                f"pick_up({n})",
                "Picked up",
                show=n == 1,
                key_display="1-9",
                id=f"rack.pick_up_{n}",
            )
            for n in range(1, 10)
        ],
        Binding("enter", "pick_up_selected", "Picked up", id="rack.pick_up_selected", priority=True),
        Binding(
            "r",
            "recall",
            "Undo last",
            id="rack.recall",
            tooltip="Put the last order handed over here back on the rack (within a minute).",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.carryout: list[RackOrder] = []
        self.delivery: list[RackOrder] = []
        self.handed_over: list[tuple[str, str]] = []  # (order id, label), newest last

    def compose(self) -> ComposeResult:
        yield StatusLine(self.TITLE)
        yield CareBand(id="care-band")
        with Horizontal(id="rack-columns"):
            with Vertical():
                yield Static("CARRYOUT — waiting for the customer", classes="list-title")
                yield DataTable(id="rack-carryout", cursor_type="row", zebra_stripes=True)
            with Vertical():
                yield Static("DELIVERY — waiting for a driver", classes="list-title")
                yield DataTable(id="rack-delivery", cursor_type="row", zebra_stripes=True)
        yield InfoLine()
        yield Footer()

    def on_mount(self) -> None:
        carry = self.query_one("#rack-carryout", DataTable)
        for label, key, width in (
            ("#", "pos", 1),
            ("Order", "order", 7),
            ("Rack", "rack", 5),
            ("Name", "name", 10),
            ("Due", "due", 8),
        ):
            carry.add_column(label, key=key, width=width)
        deliv = self.query_one("#rack-delivery", DataTable)
        for label, key, width in (("Order", "order", 7), ("Rack", "rack", 5), ("Promise", "promise", 8)):
            deliv.add_column(label, key=key, width=width)
        deliv.add_column("Address", key="address")
        self.set_interval(1.0, self._tick)
        carry.focus()

    def load(self, db: StoreDB) -> list[RackOrder]:
        with db.read() as session:
            return rack(session)

    def show(self, data: list[RackOrder]) -> None:
        now = self.makeline.now()
        self.carryout = [o for o in data if o.service == "carryout"]
        self.delivery = [o for o in data if o.service == "delivery"]
        carry = self.query_one("#rack-carryout", DataTable)
        keep = carry.cursor_row
        carry.clear()
        for n, order in enumerate(self.carryout, start=1):
            due = "paid" if order.payment == "paid" else money(order.total)
            carry.add_row(
                str(n) if n <= 9 else "",
                flagged_label(order.label, order.care),
                self._rack_cell(order, now),
                order.customer_name,
                due,
                key=order.order_id,
            )
        if self.carryout:
            carry.move_cursor(row=min(keep, len(self.carryout) - 1))
        deliv = self.query_one("#rack-delivery", DataTable)
        deliv.clear()
        zone = self.makeline.store.timezone

        for order in self.delivery:
            deliv.add_row(
                flagged_label(order.label, order.care),
                self._rack_cell(order, now),
                clock(order.promise_at, zone),
                order.address,
                key=order.order_id,
            )
        self.query_one(CareBand).show_flags([(o.label, o.care) for o in data])
        self.query_one(InfoLine).count(
            f"{len(self.carryout)} carryout · {len(self.delivery)} delivery on the rack"
        )

    def _rack_cell(self, order: RackOrder, now: datetime) -> Text:
        seconds = (now - order.ready_at).total_seconds()
        target = self.makeline.store.rack_target_s
        style = "bold red" if seconds >= 2 * target else "bold yellow" if seconds >= target else "bold"
        return Text(age(seconds), style=style)

    def _tick(self) -> None:
        now = self.makeline.now()
        for table_id, orders in (("#rack-carryout", self.carryout), ("#rack-delivery", self.delivery)):
            table = self.query_one(table_id, DataTable)
            for order in orders:
                if order.order_id in table.rows:
                    table.update_cell(order.order_id, "rack", self._rack_cell(order, now))

    def action_pick_up(self, row: int) -> None:
        if row <= len(self.carryout):
            self._pick_up(self.carryout[row - 1])

    def action_pick_up_selected(self) -> None:
        table = self.query_one("#rack-carryout", DataTable)
        if self.focused is table and 0 <= table.cursor_row < len(self.carryout):
            self._pick_up(self.carryout[table.cursor_row])
        elif self.focused is not table:
            self._said("Delivery orders leave with a driver from the dispatch screen.")

    def _pick_up(self, order: RackOrder) -> None:
        if order.payment != "paid":

            def answered(yes: bool | None) -> None:
                if yes:
                    self._pick_up_now(order)
                else:
                    self._said(f"{order.label} stays on the rack until {money(order.total)} is paid.")

            self.app.push_screen(
                ConfirmDialog(f"{order.label}: {money(order.total)} due — collected? Hand it over?"),
                answered,
            )
            return
        self._pick_up_now(order)

    def _pick_up_now(self, order: RackOrder) -> None:
        at = self.makeline.now()

        def job(db: StoreDB) -> str:
            db.run(lifecycle.advance, order.order_id, Stage.PICKED_UP, at)
            return order.label

        def done(label: str) -> None:
            self.handed_over.append((order.order_id, label))
            self._said(f"{label} picked up. Thank you! r puts it back.")

        self.run_job(job, done, name="pick-up")

    def action_recall(self) -> None:
        if not self.handed_over:
            self._said("Nothing to put back: no order was handed over here.")
            return
        order_id, label = self.handed_over.pop()
        at = self.makeline.now()

        def job(db: StoreDB) -> str:
            db.run(lifecycle.undo, order_id, Stage.READY, at)
            return label

        self.run_job(
            job, lambda text: self._said(f"{text} is back on the rack."), self._refused, name="recall"
        )

    def _said(self, text: str) -> None:
        self.query_one(InfoLine).say(text)

    def _refused(self, text: str) -> None:
        self.query_one(InfoLine).say(text, refused=True)
