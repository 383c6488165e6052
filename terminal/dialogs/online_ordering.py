"""The manager holds online delivery open, busy or paused, or hands it back to the load.

`o` open, `b` busy (online promises padded), `p` paused (carryout stays open), `a`
automatic (the kitchen's load decides again); Esc changes nothing. The choice is
recorded in the audit log with who made it (`store_db.services.throttle.hold`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen

from makeline.trade.throttle import Level, Throttle
from store_db.db import StoreDB
from store_db.services import throttle
from terminal.data.formatting import clock
from terminal.widgets.literal import Static

CHOICES: tuple[tuple[str, str, str], ...] = (
    ("o", "open", "Hold online delivery OPEN"),
    ("b", "busy", "Hold BUSY: online promises +10 min"),
    ("p", "paused", "Hold PAUSED: online delivery refused, carryout open"),
    ("a", "auto", "Automatic: the kitchen's load decides"),
)
LEFT_AS_IS = "Online ordering left as it is."
STYLE = {Level.OPEN: "bold green", Level.BUSY: "bold yellow", Level.PAUSED: "bold white on red"}


def hold_job(staff_id: str, choice: str | None, at: datetime) -> Callable[[StoreDB], str] | None:
    """The job that records the manager's choice (None: Esc, nothing to record)."""
    if choice is None:
        return None
    level = None if choice == "auto" else Level(choice)

    def job(db: StoreDB) -> str:
        return db.run(throttle.hold, staff_id, level, at).reason

    return job


def throttle_line(throttle: Throttle, zone: str) -> RenderableType:
    """One line for the manager: what online customers get, why, since when; `o` to change."""
    return Text.assemble(
        ("Online ", "bold"),
        (f" {throttle.level.value.upper()} ", STYLE[throttle.level]),
        f"  {throttle.reason} · since {clock(throttle.since, zone)}  ",
        ("o", "bold reverse"),
        " change",
    )


class OnlineOrderingDialog(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="online_ordering.cancel"),
        *(Binding(key, f"dismiss('{name}')", name, show=False) for key, name, _ in CHOICES),
    ]

    def __init__(self, throttle: Throttle) -> None:
        super().__init__()
        self.throttle = throttle

    def compose(self) -> ComposeResult:
        with Vertical(id="online-ordering", classes="dialog"):
            yield Static(
                Text(f"Online ordering: {self.throttle.reason}", style="bold"), classes="dialog-title"
            )
            for key, _name, words in CHOICES:
                yield Static(Text.assemble((f" {key} ", "bold reverse"), f"  {words}"))
            yield Static("Esc = leave it as it is")
