"""The customer's receipt: store header, lines, discounts, tax, total, tenders and change,
the order number, and a QR code to the order's tracking page."""

from __future__ import annotations

from printers.documents import Receipt
from printers.layout.sheet import EscposPrinter, Sheet, clock, day, marks, money

DETAIL_INDENT = 4


def receipt(printer: EscposPrinter, doc: Receipt, columns: int, qr_size: int = 6) -> None:
    sheet = Sheet(printer, columns, qr_size)
    marks(sheet, doc.reprint, doc.banner)
    sheet.heading(doc.store.name)
    for part in doc.store.address:
        sheet.line(part, align="center")
    if doc.store.phone:
        sheet.line(doc.store.phone, align="center")
    sheet.blank()
    sheet.heading(doc.order_label)
    sheet.line(doc.service.upper(), align="center", bold=True)
    when = f"{day(doc.placed_at, doc.zone)}  {clock(doc.placed_at, doc.zone)}"
    sheet.line(when, align="center")
    if doc.customer:
        sheet.line(doc.customer, align="center")
    sheet.rule()
    for line in doc.lines:
        sheet.pair(f"{line.quantity} {line.description}", money(line.amount))
        for detail in line.details:
            sheet.line(detail, indent=DETAIL_INDENT)
    sheet.rule()
    sheet.pair("Subtotal", money(doc.subtotal))
    if doc.discount:
        label = f"Discount {doc.coupon}" if doc.coupon else "Discount"
        sheet.pair(label, money(-doc.discount))
    if doc.delivery_fee:
        sheet.pair("Delivery fee", money(doc.delivery_fee))
    sheet.pair("Tax", money(doc.tax))
    if doc.tip:
        sheet.pair("Tip", money(doc.tip))
    sheet.pair("TOTAL", money(doc.total), bold=True, tall=True)
    for tender in doc.tenders:
        sheet.pair(tender.kind, money(tender.amount))
    if doc.change:
        sheet.pair("Change", money(doc.change), bold=True)
    if doc.tracking_url:
        sheet.blank()
        sheet.line("Track your order:", align="center")
        sheet.qr(doc.tracking_url)
        sheet.line(doc.tracking_url, align="center")
    if doc.footer:
        sheet.blank()
        sheet.line(doc.footer, align="center", bold=True)
    sheet.cut()
