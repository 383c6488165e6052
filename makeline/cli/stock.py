"""`makeline stock sheet|count|receive|waste` and `makeline report variance`.

For handheld counts and scripts. Whoever runs these commands on the store
computer holds the store file already, so the command line records a count
without a PIN; `--by` names who did it.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from makeline.cli.store import add_db_flag, db_path
from makeline.trade.business_day import business_date
from store_db.db import StoreDB
from store_db.errors import BadInput, InvalidDate, NotFound
from store_db.models import Order, OrderLine, Store, utcnow

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


def register(subparsers: Subparsers, reports: Subparsers) -> None:
    stock = subparsers.add_parser("stock", help="count sheets, counts, deliveries and waste")
    verbs = stock.add_subparsers(dest="stock", metavar="ACTION", required=True)

    sheet = verbs.add_parser("sheet", help="write the count sheet as CSV (expected on hand)")
    add_db_flag(sheet)
    sheet.add_argument("--kind", choices=("full", "daily"), default="full")
    sheet.add_argument("--out", help="file to write (default: standard output)")
    sheet.set_defaults(run=_sheet)

    count = verbs.add_parser("count", help="record a finalised count from a CSV of code,quantity,unit")
    add_db_flag(count)
    count.add_argument("--csv", required=True, help="the count file")
    count.add_argument("--kind", choices=("full", "daily"), default="full")
    count.add_argument("--at", help="the count's moment, ISO date-time (default now)")
    count.add_argument("--by", help="who counted (staff name)")
    count.set_defaults(run=_count)

    receive = verbs.add_parser("receive", help="receive a delivery from a CSV of code,quantity,unit,cost")
    add_db_flag(receive)
    receive.add_argument("--csv", required=True, help="the invoice's lines")
    receive.add_argument("--supplier", default="")
    receive.add_argument("--invoice", default="", help="invoice number (received once)")
    receive.add_argument("--at", help="ISO date-time (default now)")
    receive.add_argument("--by", help="who received it (staff name)")
    receive.set_defaults(run=_receive)

    waste = verbs.add_parser("waste", help="record waste: an item, or pizzas of an order")
    add_db_flag(waste)
    waste.add_argument("--item", help="inventory item code (expired dough: --item dough_lg)")
    waste.add_argument("--quantity", help='with --item: "6", "1.5 lb", "1 tray + 4 each"')
    waste.add_argument("--unit", help="with --item: unit of a bare quantity (default counting unit)")
    waste.add_argument("--order", type=int, help="order number (a dropped or remade pizza)")
    waste.add_argument("--day", help="the order's business day, YYYY-MM-DD (default today)")
    waste.add_argument("--line", type=int, help="the order's line number (default: its only pizza)")
    waste.add_argument("--pizzas", type=int, default=1)
    waste.add_argument("--reason", required=True, help="dropped, burnt, remake, expired, spoiled, other")
    waste.add_argument("--by", required=True, help="who threw it out (staff name)")
    waste.add_argument("--note", default="")
    waste.add_argument("--at", help="ISO date-time (default now)")
    waste.set_defaults(run=_waste)

    variance = reports.add_parser("variance", help="food-cost variance between the last two counts")
    add_db_flag(variance)
    variance.add_argument("--json", action="store_true")
    variance.set_defaults(run=_variance)


def _moment(value: str | None, timezone: str) -> datetime:
    """An ISO date-time; without an offset it is the store's local time."""
    if not value:
        return utcnow()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise InvalidDate(f"--at '{value}' is not a date-time; write it like 2026-11-20T22:30.") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(timezone))


def _zone(db: StoreDB) -> str:
    with db.read() as session:
        return session.scalars(select(Store.timezone)).one()


def _sheet(args: argparse.Namespace) -> None:
    from store_db.queries.count_sheet import count_sheet
    from store_db.services.stock_files import write_sheet

    with StoreDB(db_path(args.db)) as db, db.read() as session:
        lines = count_sheet(session, utcnow(), args.kind)
    if args.out:
        with Path(args.out).open("w", encoding="utf-8", newline="") as out:
            write_sheet(out, lines)
        print(f"{args.out}: {len(lines)} items to count.")
    else:
        write_sheet(sys.stdout, lines)


def _count(args: argparse.Namespace) -> None:
    from store_db.services.stock_counts import record_count
    from store_db.services.stock_files import count_entries

    entries = count_entries(Path(args.csv))
    with StoreDB(db_path(args.db)) as db:
        zone = _zone(db)
        at = _moment(args.at, zone)
        count = db.run(record_count, args.kind, entries, at, args.by)
        kind, moment = count.kind, count.started_at.astimezone(ZoneInfo(zone))
    print(f"The {kind} count at {moment:%Y-%m-%d %H:%M} (store time) is finalised ({len(entries)} lines).")


def _receive(args: argparse.Namespace) -> None:
    from store_db.services.receiving import receive
    from store_db.services.stock_files import receipt_lines

    lines = receipt_lines(Path(args.csv))
    with StoreDB(db_path(args.db)) as db:
        at = _moment(args.at, _zone(db))
        receipt = db.run(receive, lines, at, args.supplier, args.invoice, args.by)
        total = receipt.total_cents
    print(f"Received {len(lines)} lines, ${total / 100:,.2f}.")


def _waste(args: argparse.Namespace) -> None:
    from store_db.services import waste

    if (args.item is None) == (args.order is None):
        raise BadInput("Say what was thrown out: --item CODE --quantity Q, or --order NUMBER.")
    with StoreDB(db_path(args.db)) as db:
        at = _moment(args.at, _zone(db))
        if args.item is not None:
            if not args.quantity:
                raise BadInput("--item needs --quantity (e.g. 6, or 1.5 lb).")
            entry = db.run(
                waste.waste_item, args.item, args.quantity, args.reason, args.by, at, args.unit, args.note
            )
        else:
            with db.read() as session:
                line = _order_line(session, args.order, args.day, args.line)
            entry = db.run(waste.waste_pizza, line.id, args.reason, args.by, at, args.pizzas, args.note)
        text = f"Waste recorded: {entry.description}, ${entry.cost_cents / 100:,.2f} ({entry.reason})."
    print(text)


def _order_line(session: Session, number: int, day: str | None, line_no: int | None) -> OrderLine:
    store = session.scalars(select(Store)).one()
    try:
        when = (
            date.fromisoformat(day) if day else business_date(utcnow(), store.timezone, store.day_starts_hour)
        )
    except ValueError as exc:
        raise InvalidDate(f"--day '{day}' is not a date; write it as YYYY-MM-DD.") from exc
    order = session.scalars(
        select(Order).where(Order.business_date == when, Order.number == number)
    ).one_or_none()
    if order is None:
        raise NotFound(f"There is no order #{number} on {when}; pass --day for another day.")
    lines = session.scalars(
        select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.line_no)
    ).all()
    if line_no is not None:
        found = [line for line in lines if line.line_no == line_no]
        if not found:
            raise NotFound(f"Order #{number} has no line {line_no}; it has lines 1 to {len(lines)}.")
        return found[0]
    pizzas = [line for line in lines if line.kind == "pizza"]
    if len(pizzas) != 1:
        raise BadInput(f"Order #{number} has {len(pizzas)} pizza lines; say which with --line.")
    return pizzas[0]


def _variance(args: argparse.Namespace) -> None:
    from store_db.queries.variance_report import render_text, variance_report

    with StoreDB(db_path(args.db)) as db, db.read() as session:
        report = variance_report(session, utcnow())
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
    else:
        print(render_text(report))
