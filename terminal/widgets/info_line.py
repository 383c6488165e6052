"""The line under a list: what this screen last did, then how many are waiting."""

from __future__ import annotations

from rich.text import Text

from terminal.widgets.literal import Static, literal


class InfoLine(Static):
    def __init__(self, widget_id: str = "list-info") -> None:
        super().__init__(id=widget_id)
        self.said = ""
        self.refused = False
        self.counts = ""

    def say(self, text: str, refused: bool = False) -> None:
        """`refused`: the store said no; the sentence shows in red."""
        self.said = text
        self.refused = refused
        self._show()

    def count(self, text: str) -> None:
        self.counts = text
        self._show()

    def _show(self) -> None:
        line = Text(no_wrap=True, overflow="ellipsis")
        if self.said:
            line.append(literal(self.said, "bold red" if self.refused else "bold"))
            line.append("   ")
        line.append(literal(self.counts, "dim" if self.said else ""))
        self.update(line)
