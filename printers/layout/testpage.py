"""The test page: proves the address, the paper width, the styles and native QR."""

from __future__ import annotations

from printers.documents import TestPage
from printers.layout.sheet import EscposPrinter, Sheet, clock, day, marks


def render_test_page(printer: EscposPrinter, doc: TestPage, columns: int, qr_size: int = 6) -> None:
    sheet = Sheet(printer, columns, qr_size)
    marks(sheet, doc.reprint, doc.banner)
    sheet.heading("TEST PAGE")
    sheet.line(f"Printer '{doc.printer}'", align="center", bold=True)
    sheet.line(doc.url, align="center")
    sheet.line(f"Paper {doc.profile}, {columns} columns", align="center")
    when = f"{day(doc.printed_at, doc.zone)}  {clock(doc.printed_at, doc.zone)}"
    sheet.line(when, align="center")
    sheet.rule()
    sheet.exact(("1234567890" * (columns // 10 + 1))[:columns])
    sheet.line("Bold text", bold=True)
    sheet.line("Tall text", tall=True)
    sheet.line("WIDE", wide=True, tall=True)
    sheet.banner("LEFT HALF")
    sheet.rule()
    sheet.qr(f"makeline test {doc.printer}")
    sheet.line(f"If you can read this, printer '{doc.printer}' works.", align="center")
    sheet.cut()
