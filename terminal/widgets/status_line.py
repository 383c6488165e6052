"""The status bar on every screen: store, screen, clock, orders in progress, sync, staff; and
under it, while an online order is neither on a make-line screen nor printed, a loud alarm
bar, and while a printer needs someone, a red banner line per printer."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text
from textual.widget import Widget

from store_db.queries.store import StatusCounts
from terminal.data.formatting import clock
from terminal.widgets.literal import literal

if TYPE_CHECKING:
    from terminal.app import MakelineApp


class StatusLine(Widget):
    """Redrawn once a second for the clock, and when the app's counts, staff or printers change."""

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
        self.watch(self.app, "printer_banner", self._banner_changed, init=False)
        self.watch(self.app, "unseen_alarm", self._banner_changed, init=False)
        self._banner_changed()  # a screen opened later

    def _changed(self, _value: object) -> None:
        self.refresh()

    def _banner_changed(self, _value: object = None) -> None:
        app = self.makeline
        # One line, or as many as the alarm and the banner take.
        self.set_class(bool(app.printer_banner or app.unseen_alarm), "-banner")
        self.refresh(layout=True)

    def render(self) -> RenderableType:
        status = self._status()
        banner, alarm = self.makeline.printer_banner, self.makeline.unseen_alarm
        if not banner and not alarm:
            return status
        status.truncate(self.size.width, overflow="ellipsis")  # the banner may wrap; this may not
        red = "bold white on dark_red"
        lines: list[RenderableType] = [status]
        if alarm:
            lines.append(Padding(literal(f" !! {alarm} !!"), 0, style="bold blink yellow on red"))
        lines += [Padding(literal(f" PRINTER  {line}"), 0, style=red) for line in banner]
        return Group(*lines)

    def _status(self) -> Text:
        app = self.makeline
        counts: StatusCounts = app.counts
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(literal(f" {app.store.name} ", "bold"))
        text.append(f"│ {self.title.upper()} ", style="bold reverse")
        text.append(f" {clock(app.now(), app.store.timezone)} ", style="bold")
        text.append(f"│ {counts.in_progress} in progress ")
        text.append(f"│ {app.sync_text} ", style="bold red" if "OFFLINE" in app.sync_text else "dim")
        if app.staff is not None:
            text.append(literal(f"│ {app.staff.name} ({app.staff.role.replace('_', ' ')}) ", "bold"))
        # The stage breakdown is the first thing to go on a narrow screen.
        breakdown = f"│ make {counts.placed} · oven {counts.made + counts.baked} · rack {counts.ready}"
        if text.cell_len + len(breakdown) <= self.size.width:
            text.append(breakdown, style="dim")
        return text
