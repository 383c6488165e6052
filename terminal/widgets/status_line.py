"""The one-line status bar on every screen: store, screen, clock, orders in progress, sync, staff."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.widget import Widget

from store_db.queries.store import StatusCounts
from terminal.data.formatting import clock

if TYPE_CHECKING:
    from terminal.app import MakelineApp


class StatusLine(Widget):
    """Redrawn once a second for the clock, and when the app's counts or staff change."""

    def __init__(self, title: str) -> None:
        super().__init__(id="status-line")
        self.title = title

    @property
    def makeline(self) -> MakelineApp:
        return cast("MakelineApp", self.app)

    def on_mount(self) -> None:
        self.set_interval(1.0, self.refresh)
        self.watch(self.app, "counts", self._changed, init=False)
        self.watch(self.app, "staff", self._changed, init=False)
        self.watch(self.app, "sync_text", self._changed, init=False)

    def _changed(self, _value: object) -> None:
        self.refresh()

    def render(self) -> Text:
        app = self.makeline
        counts: StatusCounts = app.counts
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f" {app.store.name} ", style="bold")
        text.append(f"│ {self.title.upper()} ", style="bold reverse")
        text.append(f" {clock(app.now(), app.store.timezone)} ", style="bold")
        text.append(f"│ {counts.in_progress} in progress ")
        text.append(f"│ {app.sync_text} ", style="bold red" if "OFFLINE" in app.sync_text else "dim")
        if app.staff is not None:
            text.append(f"│ {app.staff.name} ({app.staff.role.replace('_', ' ')}) ", style="bold")
        # The stage breakdown is the first thing to go on a narrow screen.
        breakdown = f"│ make {counts.placed} · oven {counts.made + counts.baked} · rack {counts.ready}"
        if text.cell_len + len(breakdown) <= self.size.width:
            text.append(breakdown, style="dim")
        return text
