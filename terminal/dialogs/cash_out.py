"""A driver's cash-out at the end of the shift: the figures, then a manager's name and PIN.

The PIN is checked by the store (`staff.check_pin`): a wrong one is committed so it
counts toward that person's lock-out, and nothing else is written. A crew member or
driver cannot approve; a driver still out on a run cannot cash out
(`services.cash_out`). The cash-out queues the slip on every printer that prints
`cash-out` and ends the shift. Dismisses with a sentence, or None.
"""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input

from store_db.db import StoreDB
from store_db.queries.driver_shift import DriverShift
from store_db.services import access
from terminal.data.formatting import money
from terminal.screens.base import StoreJobs
from terminal.widgets.fields import Field
from terminal.widgets.literal import Static


def owed_sentence(name: str, owed: int) -> str:
    return f"{name} owes the store {money(owed)}" if owed >= 0 else f"the store owes {name} {money(-owed)}"


def shift_figures(shift: DriverShift) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column()
    grid.add_column(justify="right")
    for label, cents in (
        ("Starting bank", shift.starting_bank),
        ("Cash collected", shift.cash_collected),
        ("Cash tips kept", -shift.cash_tips),
        ("Tips paid with orders", -shift.card_tips),
        (f"Mileage ({shift.distance_m / 1000:.1f} km)", -shift.mileage_cents),
    ):
        grid.add_row(label, money(cents))
    grid.add_row(Text("Owed to the store", style="bold"), Text(money(shift.owed_to_store), style="bold"))
    return grid


class CashOutDialog(StoreJobs, ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="cash_out.cancel")
    ]

    def __init__(self, driver_id: str, name: str, shift: DriverShift) -> None:
        super().__init__()
        self.driver_id = driver_id
        self.driver = name
        self.shift = shift

    def compose(self) -> ComposeResult:
        shift = self.shift
        with Vertical(id="cash-out", classes="dialog"):
            yield Static(f"Cash out {self.driver} — a manager confirms — Esc cancels", classes="dialog-title")
            yield Static(
                f"{shift.runs} run(s), {shift.deliveries} delivered, {shift.not_delivered} not delivered."
            )
            yield Static(shift_figures(shift))
            yield Field(placeholder="Manager or shift lead", id="cash-out-by")
            yield Field(placeholder="Their PIN", password=True, id="cash-out-pin", restrict=r"\d{0,8}")
            yield Static("", id="cash-out-message", classes="-error")

    def on_mount(self) -> None:
        self.query_one("#cash-out-by", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        by = self.query_one("#cash-out-by", Input)
        pin = self.query_one("#cash-out-pin", Input)
        for field in (by, pin):
            if not field.value.strip():
                field.focus()
                return
        who, typed = by.value.strip(), pin.value
        pin.value = ""
        at, driver_id = self.makeline.now(), self.driver_id

        def job(db: StoreDB) -> tuple[bool, str]:
            done = db.run(access.cash_out_with_pin, driver_id, who, typed, at)
            if not done.ok:  # committed: the wrong PIN counts
                return False, f"Wrong PIN for {done.approver}; the cash-out is not recorded."
            slip = (
                f"the slip is printing on {', '.join(done.slip_printers)}"
                if done.slip_printers
                else "no printer prints cash-out slips"
            )
            return True, (
                f"Cashed out: {owed_sentence(done.driver, done.owed_to_store)}; "
                f"{done.approver} approved, {slip}. The shift is over."
            )

        self.run_job(job, self._done, self._refused, name="cash-out")

    def _done(self, result: tuple[bool, str]) -> None:
        ok, text = result
        if ok:
            self.dismiss(text)
        else:
            self._refused(text)

    def _refused(self, text: str) -> None:
        self.query_one("#cash-out-message", Static).update(text)
        self.query_one("#cash-out-pin", Input).focus()
