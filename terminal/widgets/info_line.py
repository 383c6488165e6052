"""The line under a list: what this screen last did, then how many are waiting.

What was done fades after a few seconds of the store's clock (a refusal stays a
little longer), so "Bumped #1012" does not sit there for the rest of the rush
looking like news.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import cast

from rich.text import Text

from terminal.widgets.literal import Static, literal

SAID_FOR_S = 15
REFUSED_FOR_S = 30


class InfoLine(Static):
    def __init__(self, widget_id: str = "list-info") -> None:
        super().__init__(id=widget_id)
        self.said = ""
        self.refused = False
        self.counts = ""
        self._said_at: datetime | None = None

    def on_mount(self) -> None:
        self.set_interval(1.0, self.expire)

    def _now(self) -> datetime | None:
        now = getattr(self.app, "now", None)
        return cast(Callable[[], datetime], now)() if callable(now) else None

    def say(self, text: str, refused: bool = False) -> None:
        """`refused`: the store said no; the sentence shows in red."""
        self.said = text
        self.refused = refused
        self._said_at = self._now()
        self._show()

    def count(self, text: str) -> None:
        self.counts = text
        self._show()

    def expire(self) -> None:
        """Drop what was said once it is old news."""
        now = self._now()
        if not self.said or self._said_at is None or now is None:
            return
        keep = REFUSED_FOR_S if self.refused else SAID_FOR_S
        if (now - self._said_at).total_seconds() >= keep:
            self.said, self.refused, self._said_at = "", False, None
            self._show()

    def _show(self) -> None:
        line = Text(no_wrap=True, overflow="ellipsis")
        if self.said:
            line.append(literal(self.said, "bold red" if self.refused else "bold"))
            line.append("   ")
        line.append(literal(self.counts, "dim" if self.said else ""))
        self.update(line)
