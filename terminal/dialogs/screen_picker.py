"""Pick another screen by its digit; PIN screens go through the log-in screen."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.events import Key
from textual.screen import ModalScreen

from terminal.data.roles import SCREENS
from terminal.widgets.literal import Static


class ScreenPicker(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="screen_picker.cancel")
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="screen-picker", classes="dialog"):
            yield Static("Go to screen — press its number, Esc to stay", classes="dialog-title")
            for found in SCREENS:
                line = Text.assemble(
                    (f" {found.key} ", "bold reverse"),
                    f"  {found.title}",
                    (" (PIN)" if found.needs_pin else "", "dim"),
                )
                yield Static(line)

    def on_key(self, event: Key) -> None:
        for found in SCREENS:
            if event.key == found.key:
                event.stop()
                self.dismiss(found.name)
