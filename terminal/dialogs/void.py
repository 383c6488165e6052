"""Voiding an order: a reason, and a manager's or shift lead's name and PIN.

The approval is checked by the store (`access.void_with_approval`): a wrong PIN
counts toward that person's lock-out; a crew member's PIN is refused.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input

from store_db.db import StoreDB
from store_db.queries.manager import OrderRow
from store_db.services import access
from terminal.data.formatting import money
from terminal.screens.base import StoreJobs
from terminal.widgets.fields import Field
from terminal.widgets.literal import Static


class VoidDialog(StoreJobs, ModalScreen[str | None]):
    """Dismisses with a sentence saying what was voided, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel", id="void.cancel")]

    def __init__(self, order: OrderRow, approver: str = "") -> None:
        super().__init__()
        self.order = order
        self.approver = approver
        self._refund = False

    def compose(self) -> ComposeResult:
        with Vertical(id="void", classes="dialog"):
            yield Static(
                f"Void {self.order.label} ({self.order.customer_name or 'walk-in'}) — Esc cancels",
                classes="dialog-title",
            )
            yield Field(placeholder="Reason (customer cancelled, wrong order, …)", id="void-reason")
            yield Field(
                value=self.approver, placeholder="Approved by (manager or shift lead)", id="void-approver"
            )
            if self.order.cash_paid:
                yield Static(
                    f"Paid {money(self.order.cash_paid)} in cash. Hand it back? y = yes (recorded as "
                    "refunded), n = no",
                    id="void-refund-help",
                )
                yield Field(value="y", id="void-refund", restrict=r"[ynYN]?")
            yield Field(placeholder="Their PIN", password=True, id="void-pin", restrict=r"\d{0,8}")
            yield Static("", id="void-message")

    def on_mount(self) -> None:
        self.query_one("#void-reason", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        reason = self.query_one("#void-reason", Input)
        approver = self.query_one("#void-approver", Input)
        pin = self.query_one("#void-pin", Input)
        fields = [reason, approver]
        refund = False
        if self.order.cash_paid:
            answer = self.query_one("#void-refund", Input)
            fields.append(answer)
            refund = answer.value.strip().lower() == "y"
        for field in (*fields, pin):
            if not field.value.strip():
                field.focus()
                return
        why, who, typed = reason.value.strip(), approver.value.strip(), pin.value
        pin.value = ""
        at, order_id = self.makeline.now(), self.order.id
        asked_by = self.makeline.staff.id if self.makeline.staff else None

        def job(db: StoreDB) -> access.PinOutcome:
            return db.run(
                access.void_with_approval, order_id, why, who, typed, at, asked_by, refund_cash=refund
            )

        self._refund = refund
        self.run_job(job, self._done, self._refused, name="void")

    def _done(self, outcome: access.PinOutcome) -> None:
        if not outcome.ok:
            self._refused(outcome.message)
            return
        refunded = (
            f" Hand {money(self.order.cash_paid)} back to the customer."
            if self.order.cash_paid and self._refund
            else ""
        )
        self.dismiss(f"{self.order.label} voided; {outcome.name} approved.{refunded}")

    def _refused(self, text: str) -> None:
        self.query_one("#void-message", Static).update(text)
        self.query_one("#void-pin", Input).focus()
