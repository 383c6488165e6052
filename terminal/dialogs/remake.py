"""Sending a checked pizza back to the make line: why it must be made again.

The reason goes on the make-line ticket (`REMAKE: cheese burnt`) and to the cloud with the
check. Enter sends it back; Esc keeps it waiting for its check at the cut table.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input

from makeline.trade.errors import BadInput
from makeline.trade.lifecycle import MAX_REMAKE_REASON, remake_reason
from terminal.widgets.fields import Field
from terminal.widgets.literal import Static


class RemakeDialog(ModalScreen[str | None]):
    """Dismisses with the reason, or None when the send-back is called off."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back", id="remake.cancel", priority=True)
    ]

    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label

    def compose(self) -> ComposeResult:
        with Vertical(id="remake", classes="dialog"):
            yield Static(f"Send {self.label} back to the make line to be made again", classes="dialog-title")
            yield Field(
                placeholder="Why? (cheese burnt, wrong half, …)",
                id="remake-reason",
                max_length=MAX_REMAKE_REASON,
            )
            yield Static("Enter = send it back      Esc = keep it for its check", id="remake-keys")
            yield Static("", id="remake-message")

    def on_mount(self) -> None:
        self.query_one("#remake-reason", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            reason = remake_reason(event.value)
        except BadInput as exc:
            self.query_one("#remake-message", Static).update(str(exc))
            return
        self.dismiss(reason)
