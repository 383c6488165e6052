"""The end-of-day summary slip: orders, sales by channel and service, voids, cash-outs."""

from __future__ import annotations

from printers.documents import DaySummary, SalesRow
from printers.layout.sheet import EscposPrinter, Sheet, clock, marks, money


def day_summary(printer: EscposPrinter, doc: DaySummary, columns: int, qr_size: int = 6) -> None:
    sheet = Sheet(printer, columns, qr_size)
    marks(sheet, doc.reprint, doc.banner)
    sheet.heading("END OF DAY")
    sheet.line(doc.store, align="center", bold=True)
    business = doc.business_date
    sheet.line(f"{business:%a} {business.day} {business:%b %Y}", align="center")
    sheet.line(f"Printed {clock(doc.printed_at, doc.zone)}", align="center")
    sheet.rule()
    sheet.pair("Orders", str(doc.orders))
    sheet.pair("NET SALES", money(doc.net_sales), bold=True, tall=True)
    sheet.pair("Discounts", money(doc.discounts))
    sheet.pair("Tax", money(doc.tax))
    sheet.pair("Tips", money(doc.tips))
    _rows(sheet, "BY CHANNEL", doc.by_channel)
    _rows(sheet, "BY SERVICE", doc.by_service)
    sheet.rule()
    sheet.pair(f"Voids ({doc.voids})", money(doc.voided_amount), bold=True)
    if doc.drivers:
        sheet.rule()
        sheet.line("DRIVERS CASHED OUT", bold=True)
        for driver in doc.drivers:
            sheet.pair(f"{driver.driver} ({driver.deliveries})", money(driver.owed))
    sheet.cut()


def _rows(sheet: Sheet, title: str, rows: tuple[SalesRow, ...]) -> None:
    if not rows:
        return
    sheet.rule()
    sheet.line(title, bold=True)
    for row in rows:
        sheet.pair(f"{row.name} ({row.orders})", money(row.amount))
