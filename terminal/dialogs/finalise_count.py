"""Finalising a stock count: the name and PIN of a manager or shift lead.

The store checks it (`access.finalise_count`): a wrong PIN counts toward that
person's lock-out, a crew member's PIN is refused, and a finalised count never
changes again.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input

from store_db.db import StoreDB
from store_db.queries.stock import CountSheet
from store_db.services import access
from terminal.data.formatting import clock
from terminal.screens.base import StoreJobs
from terminal.widgets.fields import Field
from terminal.widgets.literal import Static


class FinaliseCountDialog(StoreJobs, ModalScreen[str | None]):
    """Dismisses with a sentence saying who finalised the count, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="finalise_count.cancel")
    ]

    def __init__(self, sheet: CountSheet, approver: str = "") -> None:
        super().__init__()
        self.sheet = sheet
        self.approver = approver

    def compose(self) -> ComposeResult:
        started = clock(self.sheet.started_at, self.makeline.store.timezone)
        with Vertical(id="finalise-count", classes="dialog"):
            yield Static(
                f"Finalise the {self.sheet.kind} count of {started} ({self.sheet.total} items) — Esc cancels",
                classes="dialog-title",
            )
            yield Static(f"It stands for the shelves at {started}; once finalised it cannot change.")
            yield Field(
                value=self.approver, placeholder="Finalised by (manager or shift lead)", id="finalise-by"
            )
            yield Field(placeholder="Their PIN", password=True, id="finalise-pin", restrict=r"\d{0,8}")
            yield Static("", id="finalise-message", classes="-error")

    def on_mount(self) -> None:
        field = "#finalise-pin" if self.approver else "#finalise-by"
        self.query_one(field, Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        by = self.query_one("#finalise-by", Input)
        pin = self.query_one("#finalise-pin", Input)
        for field in (by, pin):
            if not field.value.strip():
                field.focus()
                return
        who, typed = by.value.strip(), pin.value
        pin.value = ""
        at, count_id = self.makeline.now(), self.sheet.id

        def job(db: StoreDB) -> access.PinOutcome:
            return db.run(access.finalise_count, count_id, who, typed, at)

        self.run_job(job, self._done, self._refused, name="finalise")

    def _done(self, outcome: access.PinOutcome) -> None:
        if not outcome.ok:
            self._refused(outcome.message)
            return
        self.dismiss(outcome.message)

    def _refused(self, text: str) -> None:
        self.query_one("#finalise-message", Static).update(text)
        self.query_one("#finalise-pin", Input).focus()
