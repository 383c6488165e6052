"""`makeline printer add|list|test|remove|reprint|jobs` (`makeline agent`, which runs the print
queue beside the sync, is registered by the command's composition root).

Every refusal is a `PrinterError` or a store `StoreError` with one sentence a manager can
act on; the command line prints it and nothing is written.

The printer modules behind the actions (connections, layouts, the queue: a quarter of a
second) are imported by the action that uses them: every `makeline` command registers these,
and most print nothing.
"""

from __future__ import annotations

import argparse
from datetime import date

from sqlalchemy import select

from makeline.cli.store import add_db_flag, db_path
from makeline.trade.business_day import business_date
from printers.documents import DOCUMENT_NAMES, PRINTABLE, TestPage
from printers.errors import BadPrinterConfig
from store_db.db import StoreDB
from store_db.errors import InvalidDate, NotFound
from store_db.models import Order, Printer, Store, utcnow
from store_db.services import printing


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    printer = subparsers.add_parser("printer", help="set up the store's printers; reprint")
    commands = printer.add_subparsers(dest="printer_command", metavar="ACTION", required=True)

    add = commands.add_parser("add", help="add a printer")
    add_db_flag(add)
    add.add_argument("name", help="a short name: kitchen, front, bar")
    add.add_argument("url", help="tcp://HOST:9100, serial:///dev/ttyUSB0?baud=115200, usb://VID:PID, …")
    add.add_argument("--prints", required=True, help=f"comma list of: {','.join(PRINTABLE)}")
    add.add_argument("--backup", help="the printer that takes its jobs while it is down")
    add.add_argument("--profile", default="80mm", help="paper: 80mm (default) or 58mm")
    add.set_defaults(run=_add)

    show = commands.add_parser("list", help="the printers, what they print, and their health")
    add_db_flag(show)
    show.set_defaults(run=_list)

    test = commands.add_parser("test", help="print a test page now (a printer's name, or a URL)")
    add_db_flag(test)
    test.add_argument("printer", help="a configured printer's name, or a printer URL to try")
    test.add_argument("--profile", help="paper for a URL: 80mm or 58mm")
    test.set_defaults(run=_test)

    remove = commands.add_parser("remove", help="remove a printer")
    add_db_flag(remove)
    remove.add_argument("name")
    remove.add_argument("--move-to", help="print its waiting jobs on this printer instead")
    remove.set_defaults(run=_remove)

    reprint = commands.add_parser("reprint", help="print an order's ticket again, marked REPRINT")
    add_db_flag(reprint)
    reprint.add_argument("order", help="today's order number (1042 or #1042), or an order id")
    reprint.add_argument("--document", default="kitchen", choices=printing.REPRINTABLE)
    reprint.add_argument("--date", help="the business day of the order number (YYYY-MM-DD)")
    reprint.set_defaults(run=_reprint)

    jobs = commands.add_parser("jobs", help="jobs waiting to print, oldest first")
    add_db_flag(jobs)
    jobs.set_defaults(run=_jobs)


def _db(args: argparse.Namespace) -> StoreDB:
    return StoreDB(db_path(args.db))


def _add(args: argparse.Namespace) -> int:
    from printers.configure import add_printer  # see the module's note

    prints = [p for p in args.prints.split(",") if p.strip()]
    with _db(args) as db:
        printer = add_printer(db, args.name, args.url, prints, backup=args.backup, profile=args.profile)
    backup = f", backup '{printer.backup}'" if printer.backup else ""
    print(
        f"Added printer '{printer.name}' at {printer.url} ({printer.profile} paper{backup}), "
        f"printing {printer.prints.replace(',', ', ')}."
    )
    print(f"Print a test page with: makeline printer test {printer.name}")
    return 0


def _list(args: argparse.Namespace) -> int:
    from printers.configure import list_printers
    from printers.store_jobs import health

    with _db(args) as db:
        printers = list_printers(db)
        states = {h.name: h for h in health(db)}
    if not printers:
        print("No printers are set up. Add one with: makeline printer add NAME URL --prints kitchen")
        return 0
    rows = [("NAME", "URL", "PAPER", "PRINTS", "BACKUP", "STATE")]
    for p in printers:
        h = states.get(p.name)
        state = "?" if h is None else ("ok" if h.online else "DOWN") + f", {h.waiting} waiting"
        rows.append((p.name, p.url, p.profile, p.prints, p.backup or "-", state))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    for h in states.values():
        if (line := h.banner()) is not None:
            print(line)
    return 0


def _test(args: argparse.Namespace) -> int:
    from printers.send import print_now

    name, url, profile, zone = "", args.printer, args.profile or "80mm", "UTC"
    path = db_path(args.db)
    if "://" not in args.printer or path.exists():
        with StoreDB(path) as db, db.read() as session:
            store = session.scalars(select(Store)).first()
            zone = store.timezone if store else zone
            if "://" not in args.printer:
                found = session.get(Printer, args.printer.strip().lower())
                if found is None:
                    known = ", ".join(session.scalars(select(Printer.name))) or "none yet"
                    raise NotFound(f"There is no printer '{args.printer}'; printers: {known}.")
                name, url, profile = found.name, found.url, args.profile or found.profile
    page = TestPage(printer=name or url, url=url, profile=profile, printed_at=utcnow(), zone=zone)
    size = print_now(page, url, profile=profile, printer=name)
    who = f"'{name}' at {url}" if name else url
    print(f"Test page printed on {who} ({size:,} bytes).")
    return 0


def _remove(args: argparse.Namespace) -> int:
    from printers.configure import remove_printer

    with _db(args) as db:
        moved = remove_printer(db, args.name, args.move_to)
    tail = f"; its {moved} waiting job(s) print on '{args.move_to}'" if moved else ""
    print(f"Removed printer '{args.name.strip().lower()}'{tail}.")
    return 0


def find_order(db: StoreDB, text: str, day: date | None = None) -> Order:
    """An order by its number on a business day (today by default), or by its id."""
    raw = text.strip().lstrip("#")
    with db.read() as session:
        if not raw.isdigit():
            order = session.get(Order, raw)
            if order is None:
                raise NotFound(f"There is no order '{text}'; give today's number (1042) or an order id.")
            return order
        store = session.scalars(select(Store)).one()
        day = day or business_date(utcnow(), store.timezone, store.day_starts_hour)
        order = session.scalars(
            select(Order).where(Order.business_date == day, Order.number == int(raw))
        ).first()
        if order is None:
            raise NotFound(f"There is no order #{raw} on {day.isoformat()}; check the number or --date.")
        return order


def _reprint(args: argparse.Namespace) -> int:
    try:
        day = date.fromisoformat(args.date) if args.date else None
    except ValueError as exc:
        raise InvalidDate(f"'{args.date}' is not a date; write it as YYYY-MM-DD.") from exc
    with _db(args) as db:
        order = find_order(db, args.order, day)
        jobs = db.run(printing.reprint, order.id, args.document, utcnow())
        names = [j.printer for j in jobs]
    if not names:
        raise BadPrinterConfig(
            f"No printer prints {DOCUMENT_NAMES[args.document]}s, so nothing was queued; add one with: "
            f"makeline printer add NAME URL --prints {args.document}"
        )
    what = DOCUMENT_NAMES[args.document].capitalize()
    print(f"{what} for {order.label} queued on {', '.join(names)}, marked REPRINT.")
    return 0


def _jobs(args: argparse.Namespace) -> int:
    from printers.store_jobs import waiting_jobs

    with _db(args) as db:
        jobs = waiting_jobs(db)
    if not jobs:
        print("Nothing is waiting to print.")
    for job in jobs:
        marks = "".join(f" {m}" for m, on in (("REPRINT", job.reprint), ("BACKUP", job.backup_of)) if on)
        print(
            f"job {job.id}  {job.printer}  {job.document} {job.order_label}{marks}  "
            f"tries {job.attempts}  {job.last_error}".rstrip()
        )
    return 0
