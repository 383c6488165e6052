"""The manager's list of feed entries from the cloud that this store set aside (quarantined):
each with its state and why, held ones first, so one can be tried again after the fix
(the missing item stocked, makeline updated); `terminal.data.feed_retry` tries it."""

from __future__ import annotations

from rich.text import Text

from store_db.queries.quarantine import SetAside
from terminal.data.formatting import clock
from terminal.widgets.literal import DataTable, literal

COLUMNS = ("Entry", "Kind", "State", "Tries", "Set aside", "Why")
_STATE_STYLE = {"held": "bold yellow", "refused": "red", "applied": "green"}


def ordered(rows: list[SetAside]) -> list[SetAside]:
    """Held entries first (they wait for someone), then the rest; oldest first within each."""
    return sorted(rows, key=lambda r: (r.state != "held", r.cursor))


class HeldFeedTable(DataTable[Text | str]):
    def __init__(self, widget_id: str) -> None:
        super().__init__(id=widget_id, cursor_type="row", zebra_stripes=True)
        self.rows_shown: list[SetAside] = []

    def on_mount(self) -> None:
        for label in COLUMNS:
            self.add_column(label, key=label.lower())

    def show(self, rows: list[SetAside], zone: str) -> None:
        keep = self.cursor_row
        self.rows_shown = ordered(rows)
        self.clear()
        for r in self.rows_shown:
            self.add_row(
                Text(f"#{r.cursor}", style="bold"),
                literal(r.kind),
                Text(r.state, style=_STATE_STYLE.get(r.state, "")),
                str(r.tries),
                clock(r.quarantined_at, zone),
                literal(r.reason),
                key=str(r.cursor),
            )
        if self.rows_shown:
            self.move_cursor(row=min(keep, len(self.rows_shown) - 1))

    def selected(self) -> SetAside | None:
        if not 0 <= self.cursor_row < len(self.rows_shown):
            return None
        return self.rows_shown[self.cursor_row]
