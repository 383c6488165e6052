"""The kitchen ticket: what the make line reads from across the room.

Order number and service large; placed and promise times; each item with its size and
crust first, then its changes, then LEFT HALF / RIGHT HALF blocks in white on black so
nobody puts pepperoni on the wrong half; item notes, then order notes last. A ticket with
allergy or special-care flags says so in white on black right under the order number, and
again under each flagged item.
"""

from __future__ import annotations

from printers.documents import KitchenTicket, TicketItem
from printers.layout.sheet import EscposPrinter, Sheet, clock, marks, printable

INDENT = 3


def kitchen_ticket(printer: EscposPrinter, ticket: KitchenTicket, columns: int, qr_size: int = 6) -> None:
    sheet = Sheet(printer, columns, qr_size)
    marks(sheet, ticket.reprint, ticket.banner)
    sheet.heading(ticket.order_label)
    sheet.heading(ticket.service.upper())
    if ticket.care:
        sheet.banner("!! " + " - ".join(ticket.care) + " !!")
    times = f"Placed {clock(ticket.placed_at, ticket.zone)}"
    if ticket.promise_at is not None:
        times += f" - Due {clock(ticket.promise_at, ticket.zone)}"
    sheet.line(times, align="center", bold=True)
    who = " - ".join(part for part in (ticket.customer, ticket.channel.upper()) if part)
    if who:
        sheet.line(who, align="center")
    sheet.rule("=")
    for number, item in enumerate(ticket.items):
        if number:
            sheet.rule()
        _item(sheet, item)
    if printable(ticket.notes).strip():
        sheet.rule("=")
        sheet.line(f"ORDER NOTE: {ticket.notes}", bold=True, tall=True)
    sheet.cut()


def _item(sheet: Sheet, item: TicketItem) -> None:
    head = " ".join(part.upper() for part in (item.size, item.crust) if part)
    if head:
        sheet.line(f"{item.quantity} {head}", bold=True, tall=True)
        sheet.line(item.product.upper(), bold=True, tall=True, indent=len(str(item.quantity)) + 1)
    else:
        sheet.line(f"{item.quantity} {item.product.upper()}", bold=True, tall=True)
    for change in item.whole:
        sheet.line(change.upper(), bold=True, indent=INDENT)
    for title, changes in (("LEFT HALF", item.left), ("RIGHT HALF", item.right)):
        if changes:
            sheet.banner(title)
            for change in changes:
                sheet.line(change.upper(), bold=True, indent=INDENT)
    if printable(item.notes).strip():
        sheet.line(f"NOTE: {item.notes}", indent=INDENT)
    for label in item.care:
        sheet.banner(f"!! {label}")
