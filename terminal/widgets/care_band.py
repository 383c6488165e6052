"""The loud band of allergy and special-care flags: red, bold, across the whole width.

On a make-line card it is the first thing under the order's head line
(`care_line`); on the oven/cut and rack screens a `CareBand` above the list names
every flagged order on it, and the order's own cell turns red (`flagged_label`).
The flags' words come from people (what the allergy is to), so they are drawn as
literal text only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text

from terminal.widgets.literal import Static, literal

BAND_STYLE = "bold white on red"
SIGN = "⚠"


def care_line(labels: Sequence[str]) -> Text:
    """`⚠ ALLERGY: MILK · WELL DONE ⚠` as one loud block (it wraps, staying red)."""
    return literal(f"{SIGN} {' · '.join(labels)} {SIGN}", BAND_STYLE, justify="center")


def flagged_label(label: str, labels: Sequence[str]) -> Text:
    """An order's number cell: red with the sign when it carries flags."""
    if not labels:
        return Text(label, style="bold")
    return Text(f"{label} {SIGN}", style=BAND_STYLE)


class CareBand(Static):
    """Above a list of orders: every flagged order on it, with its flags; hidden when none."""

    DEFAULT_CSS: ClassVar[str] = """
    CareBand {
        background: $error;
        color: white;
        text-style: bold;
        height: auto;
        max-height: 4;
        padding: 0 1;
        display: none;
    }
    """

    def show_flags(self, orders: Sequence[tuple[str, Sequence[str]]]) -> None:
        """`orders`: (label, flags) of the orders on the screen; only flagged ones are named."""
        flagged = [(label, labels) for label, labels in orders if labels]
        self.display = bool(flagged)
        if not flagged:
            self.update("")
            return
        line = Text(style=BAND_STYLE)
        for n, (label, labels) in enumerate(flagged):
            if n:
                line.append("   ")
            line.append(literal(f"{SIGN} {label}: {' · '.join(labels)}"))
        self.update(line)
