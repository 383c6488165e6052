"""Printing one document now, without the queue: `makeline printer test` and checks.

Order entry never calls this (it writes print jobs and moves on); it is for a person
standing at the printer who wants to know at once whether it works.
"""

from __future__ import annotations

from printers.documents import Document
from printers.layout import render
from printers.profiles import paper_profile
from printers.transports import Timeouts, connection_for, deliver
from printers.transports.base import DEFAULT_TIMEOUTS


def print_now(
    document: Document,
    url: str,
    *,
    profile: str = "80mm",
    printer: str = "",
    timeouts: Timeouts = DEFAULT_TIMEOUTS,
    timeout: float = 30.0,
) -> int:
    """Lay `document` out for `profile` and deliver it to `url`; the number of bytes sent.

    Raises `BadPrinterUrl` / `UnknownProfile` before anything is sent, and a
    `PrinterFault` naming `printer` when the printer does not take it.
    """
    paper = paper_profile(profile)
    connection = connection_for(url, printer=printer, timeouts=timeouts)
    data = render(document, paper)
    deliver(connection, data, timeout=timeout)
    return len(data)
