"""The driver's cash-out slip, signed by the driver and the manager."""

from __future__ import annotations

from printers.documents import CashOutSlip
from printers.layout.sheet import EscposPrinter, Sheet, clock, day, marks, money


def cash_out_slip(printer: EscposPrinter, doc: CashOutSlip, columns: int, qr_size: int = 6) -> None:
    sheet = Sheet(printer, columns, qr_size)
    marks(sheet, doc.reprint, doc.banner)
    sheet.heading("CASH OUT")
    sheet.line(doc.store, align="center")
    sheet.line(f"Driver: {doc.driver}", align="center", bold=True)
    sheet.line(day(doc.shift_start, doc.zone), align="center")
    start, end = clock(doc.shift_start, doc.zone), clock(doc.shift_end, doc.zone)
    sheet.line(f"Shift {start} - {end}", align="center")
    sheet.rule()
    sheet.pair("Starting bank", money(doc.starting_bank))
    sheet.pair("Cash collected", money(doc.cash_collected))
    sheet.pair("Tips", money(doc.tips))
    if doc.card_tips:
        sheet.pair("  of which paid with orders", money(doc.card_tips))
    sheet.pair("Runs / deliveries", f"{doc.runs} / {doc.deliveries}")
    sheet.pair(f"Mileage ({doc.distance_m / 1000:.1f} km)", money(doc.mileage))
    sheet.rule()
    sheet.pair("OWED TO STORE", money(doc.owed), bold=True, tall=True)
    for who in ("Driver", "Manager"):
        sheet.blank()
        sheet.blank()
        sheet.line("_" * (sheet.columns - 2))
        sheet.line(f"{who} signature")
    sheet.cut()
