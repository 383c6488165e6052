"""Inputs whose cursor blink follows the terminal's setting (off for stable snapshots)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.widgets import Input

if TYPE_CHECKING:
    from terminal.app import MakelineApp


class Field(Input):
    def on_mount(self) -> None:
        self.cursor_blink = cast("MakelineApp", self.app).config.cursor_blink
