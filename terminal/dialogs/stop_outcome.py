"""One door of a run: delivered (the cash taken, the tip) or not delivered (why).

`services.runs.mark_stop` decides: cash short of what is due, a stop already
marked, or no reason for a failed delivery are refused with its sentence, shown
here in red, and nothing is written. Dismisses with a sentence, or None.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input

from store_db.db import StoreDB
from store_db.dispatch.driver import DoorStop
from store_db.services import runs
from terminal.data.delivery_entry import read_cents
from terminal.data.formatting import money
from terminal.screens.base import StoreJobs
from terminal.widgets.fields import Field
from terminal.widgets.literal import Static

MONEY_KEYS = r"[\d.$,]{0,10}"


class StopOutcomeDialog(StoreJobs, ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="stop_outcome.cancel")
    ]

    def __init__(self, run_id: str, stop: DoorStop, delivered: bool) -> None:
        super().__init__()
        self.run_id = run_id
        self.stop = stop
        self.delivered = delivered

    def compose(self) -> ComposeResult:
        stop = self.stop
        with Vertical(id="stop-outcome", classes="dialog"):
            if self.delivered:
                yield Static(
                    f"{stop.label} delivered — {stop.customer} — Esc cancels", classes="dialog-title"
                )
                yield Static(f"Due {money(stop.amount_due)} cash. Type the cash you were handed.")
                yield Field(
                    value=f"{stop.amount_due / 100:.2f}",
                    placeholder="Cash taken",
                    id="stop-cash",
                    restrict=MONEY_KEYS,
                )
                yield Field(
                    placeholder="Tip (blank: what is over the amount due)", id="stop-tip", restrict=MONEY_KEYS
                )
            else:
                yield Static(
                    f"{stop.label} NOT delivered — {stop.customer} — Esc cancels", classes="dialog-title"
                )
                yield Field(placeholder="Why (nobody home, wrong address, refused, …)", id="stop-reason")
            yield Static("", id="stop-message", classes="-error")

    def on_mount(self) -> None:
        self.query_one("#stop-cash" if self.delivered else "#stop-reason", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "stop-cash":
            self.query_one("#stop-tip", Input).focus()
            return
        at, run_id, order_id, label = self.makeline.now(), self.run_id, self.stop.order_id, self.stop.label
        if self.delivered:
            cash_typed = self.query_one("#stop-cash", Input).value
            tip_typed = self.query_one("#stop-tip", Input).value

            def deliver(db: StoreDB) -> str:
                cash = read_cents(cash_typed, "Cash taken")
                tip = read_cents(tip_typed, "Tip", blank=0)
                stop = db.run(runs.mark_stop, run_id, order_id, True, at, collected=cash, tip=tip)
                return f"{label} delivered: {money(stop.collected)} cash, {money(stop.tip)} tip."

            self.run_job(deliver, self._done, self._refused, name="mark-stop")
            return
        reason = self.query_one("#stop-reason", Input).value

        def not_delivered(db: StoreDB) -> str:
            stop = db.run(runs.mark_stop, run_id, order_id, False, at, reason=reason)
            return f"{label} not delivered: {stop.reason}. Bring it back to the store."

        self.run_job(not_delivered, self._done, self._refused, name="mark-stop")

    def _done(self, text: str) -> None:
        self.dismiss(text)

    def _refused(self, text: str) -> None:
        self.query_one("#stop-message", Static).update(text)
