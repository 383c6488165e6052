"""Dispatch by hand: a driver and the orders in stop order, sent now (`board.send`).

The store refuses a driver already out, an order not on the rack, or more orders
than the hot bag holds, with its own sentence; the dialog shows it in red and
nothing is written. Dismisses with a sentence saying who left with what, or None.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input

from store_db.db import StoreDB
from store_db.dispatch.driver import DriverRun, run_view
from store_db.services.dispatch import send
from terminal.data.delivery_entry import read_orders
from terminal.data.formatting import clock
from terminal.screens.base import StoreJobs
from terminal.widgets.fields import Field
from terminal.widgets.literal import Static, suggest_from


def sent_sentence(run: DriverRun) -> str:
    labels = ", ".join(s.label for s in run.stops)
    return (
        f"Run {run.number}: {run.driver} left with {labels}; back about "
        f"{clock(run.expected_return_at, run.zone)}. The run sheet is printing."
    )


class HandRunDialog(StoreJobs, ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="hand_run.cancel")
    ]

    def __init__(self, drivers: list[str], orders: str = "") -> None:
        super().__init__()
        self.drivers = drivers
        self.orders = orders

    def compose(self) -> ComposeResult:
        with Vertical(id="hand-run", classes="dialog"):
            yield Static("Dispatch by hand — Esc cancels", classes="dialog-title")
            yield Field(
                placeholder=f"Driver ({', '.join(self.drivers) or 'nobody is in'})",
                id="hand-driver",
                suggester=suggest_from(self.drivers),
            )
            yield Field(value=self.orders, placeholder="Orders in stop order: #1042 1045", id="hand-orders")
            yield Static("", id="hand-message", classes="-error")

    def on_mount(self) -> None:
        self.query_one("#hand-driver", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        driver = self.query_one("#hand-driver", Input)
        orders = self.query_one("#hand-orders", Input)
        for field in (driver, orders):
            if not field.value.strip():
                field.focus()
                return
        who, typed = driver.value.strip(), orders.value
        staff = self.makeline.staff
        at, by = self.makeline.now(), staff.id if staff else None

        def job(db: StoreDB) -> DriverRun:
            refs = read_orders(typed)
            run = db.run(send, who, refs, at, dispatched_by=by)
            with db.read() as session:
                return run_view(session, run.id)

        self.run_job(job, self._sent, self._refused, name="hand-run")

    def _sent(self, run: DriverRun) -> None:
        self.dismiss(sent_sentence(run))

    def _refused(self, text: str) -> None:
        self.query_one("#hand-message", Static).update(text)
