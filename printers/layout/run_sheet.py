"""The driver's run sheet: stops in order with address, phone and what to collect."""

from __future__ import annotations

from printers.documents import RunSheet, RunStop
from printers.layout.sheet import EscposPrinter, Sheet, clock, marks, money, printable

INDENT = 3


def run_sheet(printer: EscposPrinter, doc: RunSheet, columns: int, qr_size: int = 6) -> None:
    sheet = Sheet(printer, columns, qr_size)
    marks(sheet, doc.reprint, doc.banner)
    sheet.heading(f"RUN {doc.run_id}")
    sheet.line(f"Driver: {doc.driver}", align="center", bold=True)
    stops = "1 stop" if len(doc.stops) == 1 else f"{len(doc.stops)} stops"
    sheet.line(f"Out {clock(doc.dispatched_at, doc.zone)}, {stops}", align="center")
    sheet.rule("=")
    for number, stop in enumerate(doc.stops, start=1):
        if number > 1:
            sheet.rule()
        _stop(sheet, number, stop)
    sheet.rule("=")
    sheet.pair("CASH TO COLLECT", money(doc.cash_to_collect), bold=True, tall=True)
    sheet.cut()


def collect_text(stop: RunStop) -> str:
    if stop.collect == "cash":
        return f"COLLECT {money(stop.amount)} CASH"
    if stop.collect == "card":
        return f"CARD AT DOOR {money(stop.amount)}"
    return "PAID - COLLECT NOTHING"


def _stop(sheet: Sheet, number: int, stop: RunStop) -> None:
    sheet.line(f"{number}. {stop.label} {stop.customer}", bold=True, tall=True)
    for part in stop.address:
        sheet.line(part, indent=INDENT)
    if printable(stop.address_note).strip():
        sheet.line(f"AT THE DOOR: {stop.address_note}", bold=True, indent=INDENT)
    if stop.phone:
        sheet.line(stop.phone, indent=INDENT)
    sheet.line(collect_text(stop), bold=True, indent=INDENT)
    if printable(stop.notes).strip():
        sheet.line(f"NOTE: {stop.notes}", indent=INDENT)
    if stop.bag:
        sheet.line("IN THE BAG:", indent=INDENT)
        for item in stop.bag:
            sheet.line(f"[ ] {item}", indent=INDENT + 2)
