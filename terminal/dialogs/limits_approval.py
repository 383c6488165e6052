"""An order above the store's limits: what it goes over, and a manager's or shift lead's PIN.

Like a void, the approval is checked by the store (`access.place_with_approval`):
a wrong PIN counts toward that person's lock-out, a crew member's PIN is refused,
and the approver is recorded on the order.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input

from store_db.db import StoreDB
from store_db.services import access
from terminal.data import counter_jobs as jobs
from terminal.data.cart import Cart
from terminal.data.counter_jobs import Placed
from terminal.screens.base import StoreJobs
from terminal.widgets.fields import Field
from terminal.widgets.literal import Static


class LimitsApprovalDialog(StoreJobs, ModalScreen[Placed | None]):
    """Dismisses with the placed order, or None when the counter goes back to change it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back", id="limits_approval.cancel")
    ]

    def __init__(self, reason: str, cart: Cart, staff_id: str | None) -> None:
        super().__init__()
        self.reason = reason
        self.cart = cart
        self.staff_id = staff_id

    def compose(self) -> ComposeResult:
        with Vertical(id="limits-approval", classes="dialog"):
            yield Static(
                "A manager must approve this order — Esc goes back to change it", classes="dialog-title"
            )
            yield Static(Text(self.reason), id="limits-reason")
            yield Field(placeholder="Approved by (manager or shift lead)", id="limits-approver")
            yield Field(placeholder="Their PIN", password=True, id="limits-pin", restrict=r"\d{0,8}")
            yield Static("", id="limits-message")

    def on_mount(self) -> None:
        self.query_one("#limits-approver", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        approver = self.query_one("#limits-approver", Input)
        pin = self.query_one("#limits-pin", Input)
        for field in (approver, pin):
            if not field.value.strip():
                field.focus()
                return
        who, typed = approver.value.strip(), pin.value
        pin.value = ""
        cart, staff_id, at = self.cart, self.staff_id, self.makeline.now()
        zone = self.makeline.store.timezone

        def job(db: StoreDB) -> Placed | access.PinOutcome:
            return jobs.place_approved(db, cart, staff_id, who, typed, at, zone)

        self.run_job(job, self._done, self._refused, name="approve")

    def _done(self, result: Placed | access.PinOutcome) -> None:
        if isinstance(result, access.PinOutcome):
            self._refused(result.message)
            return
        self.dismiss(result)

    def _refused(self, text: str) -> None:
        self.query_one("#limits-message", Static).update(Text(text))
        self.query_one("#limits-pin", Input).focus()
