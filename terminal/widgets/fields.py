"""Inputs whose cursor blink follows the terminal's setting (off for stable snapshots), and
whose value and placeholder are drawn with control characters made visible (a saved name or
address put back in a field is shown as typed, never sent to the terminal)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.widgets import Input

from terminal.widgets.literal import LiteralHighlighter, clean

if TYPE_CHECKING:
    from terminal.app import MakelineApp


class Field(Input):
    def __init__(self, value: str | None = None, placeholder: str = "", **options: Any) -> None:
        options.setdefault("highlighter", LiteralHighlighter())
        super().__init__(value, clean(placeholder), **options)

    def on_mount(self) -> None:
        self.cursor_blink = cast("MakelineApp", self.app).config.cursor_blink
