"""Asking once before something that is not possible yet: "5:43 left on the belt — box anyway?".

`y` or Enter says yes; `n` or Esc says no. The question is a sentence the crew
can answer across the room; nothing else on the dialog.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen

from terminal.widgets.literal import Static


class ConfirmDialog(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "dismiss(True)", "Yes", id="confirm.yes", priority=True),
        Binding("n,escape", "dismiss(False)", "No", id="confirm.no", priority=True),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm", classes="dialog"):
            yield Static(Text(self.question, style="bold"), id="confirm-question", classes="dialog-title")
            yield Static("y / Enter = yes      n / Esc = no", id="confirm-keys")
