"""Layouts: documents to ESC/POS bytes for a paper profile, and to text for screens.

`render(document, profile)` lays a document out on a python-escpos `Dummy` printer and
returns its bytes. `preview(document, columns)` is the same layout read back as plain text
(through `printers.decode`), so the screen shows exactly what the paper will.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from printers.decode import decode
from printers.documents import (
    CashOutSlip,
    DaySummary,
    Document,
    KitchenTicket,
    Receipt,
    RunSheet,
    TestPage,
    VoidSlip,
)
from printers.errors import BadDocument
from printers.layout.cash_out import cash_out_slip
from printers.layout.day_summary import day_summary
from printers.layout.kitchen import kitchen_ticket
from printers.layout.receipt import receipt
from printers.layout.run_sheet import run_sheet
from printers.layout.sheet import EscposPrinter, money
from printers.layout.testpage import render_test_page
from printers.layout.void_slip import void_slip
from printers.profiles import PaperProfile, paper_profile, profile_for_columns

Layout = Callable[[EscposPrinter, Any, int, int], None]

LAYOUTS: dict[type[Document], Layout] = {
    KitchenTicket: kitchen_ticket,
    Receipt: receipt,
    RunSheet: run_sheet,
    CashOutSlip: cash_out_slip,
    DaySummary: day_summary,
    TestPage: render_test_page,
    VoidSlip: void_slip,
}

__all__ = ["LAYOUTS", "lay_out", "money", "preview", "render"]


def lay_out(printer: EscposPrinter, document: Document, profile: PaperProfile) -> None:
    """Write `document` onto any python-escpos printer object for `profile`'s paper."""
    layout = LAYOUTS.get(type(document))
    if layout is None:
        raise BadDocument(f"There is no layout for a {type(document).__name__}.")
    printer.hw("INIT")  # ESC @: drop whatever a cut-off job left in the printer's buffer
    layout(printer, document, profile.columns, profile.qr_size)


def render(document: Document, profile: PaperProfile | str = "80mm") -> bytes:
    """The ESC/POS bytes of `document` on `profile`'s paper, ending with a cut."""
    paper = paper_profile(profile) if isinstance(profile, str) else profile
    printer = paper.printer()
    lay_out(printer, document, paper)
    data: bytes = printer.output
    return data


def preview(document: Document, columns: int = 42) -> str:
    """The document as plain text lines `columns` wide, for a screen."""
    paper = profile_for_columns(columns)
    return decode(render(document, paper)).as_text(paper.columns)
