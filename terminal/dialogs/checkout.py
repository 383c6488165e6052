"""Checking a run in on return: the cash the driver brings back from it.

`services.runs.checkout` closes the run only when every stop is marked and the
cash matches what the stops collected; otherwise its sentence shows here in red
and nothing is written. Dismisses with a sentence, or None.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input

from store_db.db import StoreDB
from store_db.dispatch.driver import DriverRun
from store_db.errors import BadInput
from store_db.services import runs
from terminal.data.delivery_entry import read_cents
from terminal.data.formatting import money
from terminal.dialogs.stop_outcome import MONEY_KEYS
from terminal.screens.base import StoreJobs
from terminal.widgets.fields import Field
from terminal.widgets.literal import Static


class CheckoutDialog(StoreJobs, ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="checkout.cancel")
    ]

    def __init__(self, run: DriverRun, starting_bank: int = 0) -> None:
        super().__init__()
        self.run = run
        self.starting_bank = starting_bank

    def compose(self) -> ComposeResult:
        with Vertical(id="checkout", classes="dialog"):
            yield Static(f"Check in run {self.run.number} — Esc cancels", classes="dialog-title")
            yield Static(self.what_to_count(), id="checkout-help")
            yield Field(placeholder="Cash in hand", id="checkout-cash", restrict=MONEY_KEYS)
            yield Static("", id="checkout-message", classes="-error")

    def what_to_count(self) -> str:
        if not self.starting_bank:
            return "Count the cash you bring back from this run, tips included (you took no starting bank)."
        return (
            "Count the cash you bring back from this run, tips included, WITHOUT your "
            f"{money(self.starting_bank)} starting bank: the bank stays with you until the cash-out."
        )

    def on_mount(self) -> None:
        self.query_one("#checkout-cash", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        typed, at, run_id, number = event.value, self.makeline.now(), self.run.run_id, self.run.number

        bank, from_stops = self.starting_bank, self.run.cash_collected

        def job(db: StoreDB) -> str:
            cash = read_cents(typed, "Cash in hand")
            if bank and from_stops != cash == from_stops + bank:
                raise BadInput(
                    f"{money(cash)} includes your {money(bank)} starting bank; "
                    "enter the cash from the run without it."
                )
            closed = db.run(runs.checkout, run_id, cash, at)
            return (
                f"Run {number} checked in: {money(closed.cash_collected)} cash, "
                f"{money(closed.tips)} tips, {money(closed.mileage_cents)} mileage. Welcome back."
            )

        self.run_job(job, self._done, self._refused, name="checkout")

    def _done(self, text: str) -> None:
        self.dismiss(text)

    def _refused(self, text: str) -> None:
        self.query_one("#checkout-message", Static).update(text)
