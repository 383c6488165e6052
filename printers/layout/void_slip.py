"""The void slip: the kitchen that has an order's ticket learns, on the same printer, to stop.

VOID and the order number large, then what to do (do not make it, or set it aside
when it was made already), what was on the ticket, why, who approved, and any cash
handed back.
"""

from __future__ import annotations

from printers.documents import VoidSlip
from printers.layout.sheet import EscposPrinter, Sheet, clock, marks, money, printable

INDENT = 3


def void_slip(printer: EscposPrinter, slip: VoidSlip, columns: int, qr_size: int = 6) -> None:
    sheet = Sheet(printer, columns, qr_size)
    marks(sheet, slip.reprint, slip.banner)
    sheet.heading("** VOID **")
    sheet.heading(slip.order_label)
    sheet.line(
        f"{slip.service.upper()} - voided {clock(slip.voided_at, slip.zone)}", align="center", bold=True
    )
    sheet.rule("=")
    if slip.after_made:
        sheet.line("MADE ALREADY: SET IT ASIDE", bold=True, tall=True)
    else:
        sheet.line("DO NOT MAKE", bold=True, tall=True)
    for item in slip.items:
        sheet.line(item, indent=INDENT)
    sheet.rule()
    if printable(slip.reason).strip():
        sheet.line(f"Reason: {slip.reason}")
    sheet.line(f"Approved by: {slip.approved_by}")
    if slip.refunded_cash:
        sheet.pair("CASH HANDED BACK", money(slip.refunded_cash), bold=True)
    sheet.cut()
