"""Move an order to another driver's suggested run, or off every run, by a digit.

Dismisses with the driver's id, "" for off every run (a later run), or None when
cancelled. Whether the run has room is the board's rule (`store_db.dispatch.editing.move_order`).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.events import Key
from textual.screen import ModalScreen

from store_db.dispatch.planning import Suggestion
from terminal.widgets.literal import Static, literal


class MoveOrderDialog(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="move_order.cancel")
    ]

    def __init__(self, label: str, suggestion: Suggestion) -> None:
        super().__init__()
        self.label = label
        self.drivers = [(d.driver_id, d.name) for d in suggestion.board.drivers_in[:9]]
        self.suggestion = suggestion

    def compose(self) -> ComposeResult:
        with Vertical(id="move-order", classes="dialog"):
            yield Static(f"Move {self.label} to — press a number, Esc to leave it", classes="dialog-title")
            for n, (driver_id, name) in enumerate(self.drivers, start=1):
                run = self.suggestion.run_for(driver_id)
                stops = " ".join(s.label for s in run.stops) if run else "no run yet"
                yield Static(
                    Text.assemble((f" {n} ", "bold reverse"), literal(f"  {name}"), (f"  {stops}", "dim"))
                )
            yield Static(Text.assemble((" 0 ", "bold reverse"), "  off every run (a later run)"))

    def on_key(self, event: Key) -> None:
        if event.key == "0":
            event.stop()
            self.dismiss("")
        elif event.key.isdigit() and 1 <= int(event.key) <= len(self.drivers):
            event.stop()
            self.dismiss(self.drivers[int(event.key) - 1][0])
