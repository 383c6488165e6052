"""`makeline init-store`, `makeline show` and `makeline report sales`."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

from sqlalchemy import select

from makeline.trade.business_day import business_date
from store_db.db import StoreDB
from store_db.errors import InvalidDate
from store_db.models import Order, Store, utcnow

DEFAULT_DB = ".makeline/store.db"


def db_path(value: str | None) -> Path:
    return Path(value or os.environ.get("MAKELINE_DB") or DEFAULT_DB)


def add_db_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help=f"store database file (env MAKELINE_DB; default {DEFAULT_DB})")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    init = subparsers.add_parser("init-store", help="create or migrate a store database")
    add_db_flag(init)
    init.add_argument("--demo", action="store_true", help="fill it with the demo store")
    for flag in ("--code", "--name", "--timezone", "--address"):
        init.add_argument(flag)
    init.add_argument("--tax-rate", type=float, help="sales tax in percent, e.g. 8.25")
    init.add_argument("--lat", type=float)
    init.add_argument("--lon", type=float)
    init.add_argument("--radius-km", type=float, default=6.0)
    init.set_defaults(run=_init_store)

    pin = subparsers.add_parser(
        "staff-pin", help="give a staff member a new PIN (after makeline restore, or a forgotten one)"
    )
    add_db_flag(pin)
    pin.add_argument("name", help="the staff member, by name")
    pin.add_argument("--pin", required=True, help="the new PIN, 4 to 8 digits")
    pin.set_defaults(run=_staff_pin)

    show = subparsers.add_parser("show", help="print the store's menu and today's orders")
    add_db_flag(show)
    show.set_defaults(run=_show)

    report = subparsers.add_parser("report", help="store reports")
    reports = report.add_subparsers(dest="report", metavar="REPORT", required=True)
    sales = reports.add_parser("sales", help="sales for a period of business days")
    add_db_flag(sales)
    sales.add_argument("--from", dest="start", help="first business day, YYYY-MM-DD (default today)")
    sales.add_argument("--to", dest="end", help="last business day, YYYY-MM-DD (default --from)")
    sales.add_argument("--json", action="store_true")
    sales.set_defaults(run=_report_sales)

    from makeline.cli import stock as stock_cli

    stock_cli.register(subparsers, reports)

    from makeline.cli import dispatch as dispatch_cli

    dispatch_cli.register(subparsers)


def _init_store(args: argparse.Namespace) -> None:
    from store_db.setup import StoreDetails, init_store

    details = None
    needed = (args.code, args.name, args.timezone, args.address, args.tax_rate, args.lat, args.lon)
    if not args.demo and all(v is not None for v in needed):
        details = StoreDetails(
            code=args.code,
            name=args.name,
            timezone=args.timezone,
            tax_rate_bp=round(args.tax_rate * 100),
            address=args.address,
            lat=args.lat,
            lon=args.lon,
            delivery_radius_km=args.radius_km,
        )
    from makeline.demo.seed import seed_demo

    print(init_store(db_path(args.db), seed=seed_demo if args.demo else None, details=details))


def _staff_pin(args: argparse.Namespace) -> None:
    from store_db.services.staff import set_pin

    with StoreDB(db_path(args.db)) as db:
        staff = db.run(set_pin, args.name, args.pin, utcnow())
    print(
        f"{staff.name} ({staff.role.replace('_', ' ')}) signs in with the new PIN; written to the audit log."
    )


def _parse_day(value: str, flag: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidDate(f"{flag} '{value}' is not a date; write it as YYYY-MM-DD.") from exc


def _report_sales(args: argparse.Namespace) -> None:
    from makeline.trade.sales import render_text
    from store_db.reports.sales import sales_report

    with StoreDB(db_path(args.db)) as db, db.read() as session:
        store = session.scalars(select(Store)).one()
        today = business_date(utcnow(), store.timezone, store.day_starts_hour)
        start = _parse_day(args.start, "--from") if args.start else today
        end = _parse_day(args.end, "--to") if args.end else start
        report = sales_report(session, start, end)
    if args.json:
        json.dump(report.as_json(), sys.stdout, indent=2)
        print()
    else:
        print(render_text(report))


def _show(args: argparse.Namespace) -> None:
    from store_db.services.menu import current_menu

    with StoreDB(db_path(args.db)) as db, db.read() as session:
        store = session.scalars(select(Store)).one()
        menu = current_menu(session)
        print(f"{store.name} ({store.code}) — {store.address}")
        print(f"menu version {menu.version}: {len(menu.products)} products")
        for product in sorted(menu.products, key=lambda p: (p.category, p.sort)):
            prices = "  ".join(f"{s} ${c / 100:.2f}" for s, c in product.price.items())
            print(f"  {product.category:<10} {product.name:<24} {prices}")
        today = business_date(utcnow(), store.timezone, store.day_starts_hour)
        orders = session.scalars(
            select(Order).where(Order.business_date == today).order_by(Order.number)
        ).all()
        print(f"today ({today}): {len(orders)} orders")
        for order in orders:
            print(
                f"  #{order.number} {order.channel:<8}{order.service:<9}{order.stage:<13}"
                f"${order.total / 100:>7.2f}  {order.customer_name}"
            )
