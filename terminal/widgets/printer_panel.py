"""The manager's view of the printers: each printer's health, then every job waiting to print
(oldest first) with what went wrong, so a stuck ticket can be found and reprinted."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical

from terminal.data.formatting import age, clock
from terminal.data.printer_health import PrintQueueView
from terminal.widgets.literal import DataTable, Static, literal

ERROR_WIDTH = 40  # the whole sentence is in the banner above


def state_cell(online: bool, waiting: int, stuck: bool) -> Text:
    if not online:
        return Text("DOWN", style="bold red")
    if stuck:
        return Text("STUCK", style="bold yellow")
    return Text("ok" if not waiting else "printing", style="green")


class PrinterPanel(Vertical):
    def __init__(self, widget_id: str) -> None:
        super().__init__(id=widget_id)
        self.view: PrintQueueView | None = None

    def compose(self) -> ComposeResult:
        yield DataTable(id="printer-list", cursor_type="row", zebra_stripes=True)
        yield Static("Waiting to print — p reprints the kitchen ticket, r the receipt", classes="list-title")
        yield DataTable(id="print-jobs", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        printers = self.query_one("#printer-list", DataTable)
        for label in ("Printer", "State", "Waiting", "Oldest", "Prints", "Backup"):
            printers.add_column(label, key=label.lower())
        jobs = self.query_one("#print-jobs", DataTable)
        for label in ("Order", "Document", "Printer", "Queued", "Tries"):
            jobs.add_column(label, key=label.lower())
        jobs.add_column("Last error", key="error", width=ERROR_WIDTH)

    def show_queue(self, view: PrintQueueView, zone: str, now: datetime) -> None:
        self.view = view
        printers = self.query_one("#printer-list", DataTable)
        printers.clear()
        for p in view.printers:
            printers.add_row(
                Text(p.name, style="bold"),
                state_cell(p.online, p.waiting, p.stuck),
                str(p.waiting) + (f" (+{p.set_aside} set aside)" if p.set_aside else ""),
                age(p.oldest_waiting_s) if p.oldest_waiting_s is not None else "—",
                ", ".join(p.prints),
                p.backup or "—",
                key=p.name,
            )
        jobs = self.query_one("#print-jobs", DataTable)
        keep = jobs.cursor_row
        jobs.clear()
        for job in view.waiting:
            marks = "".join(m for m, on in ((" REPRINT", job.reprint), (" BACKUP", job.backup_of)) if on)
            jobs.add_row(
                Text(job.order_label or "—", style="bold"),
                f"{job.document}{marks}",
                job.printer,
                f"{clock(job.created_at, zone)} ({age((now - job.created_at).total_seconds())} ago)",
                str(job.attempts),
                literal(job.last_error, "red"),
                key=str(job.id),
            )
        if view.waiting:
            jobs.move_cursor(row=min(max(keep, 0), len(view.waiting) - 1))

    def selected_order(self) -> tuple[str, str] | None:
        """(order id, label) of the selected waiting job, when it is about an order."""
        jobs = self.query_one("#print-jobs", DataTable)
        if self.view is None or not 0 <= jobs.cursor_row < len(self.view.waiting):
            return None
        job = self.view.waiting[jobs.cursor_row]
        return (job.order_id, job.order_label) if job.order_id else None
