"""Before a flagged ticket leaves the make line: read its allergy and care flags, say who did.

The dialog repeats the flags in the loud band and asks for a name or initials
(the person logged in at this screen, if any, is filled in). Enter confirms and
the bump is recorded with that name and the time; Esc goes back with the ticket
still on the screen.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input

from makeline.trade.care import MAX_ACK_BY, ack_name
from makeline.trade.errors import BadCareFlag
from store_db.queries.kitchen import Ticket
from terminal.widgets.care_band import care_line
from terminal.widgets.fields import Field
from terminal.widgets.literal import Static


class CareAckDialog(ModalScreen[str | None]):
    """Dismisses with the name that read the flags, or None when the bump is called off."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back", id="care_ack.cancel", priority=True)
    ]

    def __init__(self, ticket: Ticket, name: str = "") -> None:
        super().__init__()
        self.ticket = ticket
        self.name_given = name

    def compose(self) -> ComposeResult:
        with Vertical(id="care-ack", classes="dialog"):
            yield Static(
                f"Bump {self.ticket.label}: read its allergy and care flags first",
                classes="dialog-title",
            )
            yield Static(care_line(self.ticket.care), id="care-ack-flags")
            yield Field(
                value=self.name_given[:MAX_ACK_BY],
                placeholder="Who checked it? (name or initials)",
                id="care-ack-by",
                max_length=MAX_ACK_BY,
            )
            yield Static(
                "Enter = checked, bump it      Esc = back, keep it on the screen", id="care-ack-keys"
            )
            yield Static("", id="care-ack-message")

    def on_mount(self) -> None:
        self.query_one("#care-ack-by", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            name = ack_name(event.value)
        except BadCareFlag as exc:
            self.query_one("#care-ack-message", Static).update(str(exc))
            return
        self.dismiss(name)
