"""`makeline dispatch plan|send` and `makeline driver clock-in|run|deliver|checkout|cash-out`.

The dispatch board and the driver's night from a command line, for scripts and a
store whose screens are down. Whoever runs these holds the store file; PINs are
still asked where the store's rules ask for them (clocking in, a cash-out).
"""

from __future__ import annotations

import argparse
import json
import re
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from makeline.cli.store import add_db_flag, db_path
from store_db.db import StoreDB
from store_db.errors import AccessDenied, BadInput
from store_db.models import utcnow

if TYPE_CHECKING:
    from store_db.dispatch.planning import Suggestion

    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]

MONEY = re.compile(r"^\$?(\d{1,6})(?:\.(\d{1,2}))?$")


def register(subparsers: Subparsers) -> None:
    dispatch = subparsers.add_parser("dispatch", help="suggested delivery runs; dispatch a run by hand")
    verbs = dispatch.add_subparsers(dest="dispatch", metavar="ACTION", required=True)
    plan = verbs.add_parser("plan", help="the runs to send now for the drivers in the store")
    add_db_flag(plan)
    plan.add_argument("--json", action="store_true")
    plan.add_argument("--time-limit-ms", type=int, default=250, help="planning time (default 250)")
    plan.set_defaults(run=_plan)
    send = verbs.add_parser("send", help="send a driver with orders, in the stop order given")
    add_db_flag(send)
    send.add_argument("--driver", required=True, help="the driver's name")
    send.add_argument("--by", help="who dispatched (staff name)")
    send.add_argument("orders", nargs="+", metavar="ORDER", help="today's order numbers: #1042 1045 …")
    send.set_defaults(run=_send)

    driver = subparsers.add_parser("driver", help="a driver's shift: clock in, run, checkout, cash-out")
    actions = driver.add_subparsers(dest="driver", metavar="ACTION", required=True)
    clock_in = actions.add_parser("clock-in", help="start a driver's shift with the driver's PIN")
    add_db_flag(clock_in)
    clock_in.add_argument("name")
    clock_in.add_argument("--pin", required=True)
    clock_in.add_argument("--bank", default="0", help="starting bank handed over, e.g. 20.00")
    clock_in.set_defaults(run=_clock_in)
    show = actions.add_parser("run", help="the driver's current run: stops, amount due, collect how")
    add_db_flag(show)
    show.add_argument("name")
    show.set_defaults(run=_show_run)
    deliver = actions.add_parser("deliver", help="mark a stop of a run delivered, or not")
    add_db_flag(deliver)
    deliver.add_argument("order", help="today's order number")
    deliver.add_argument("--cash", default="0", help="cash taken at the door, tip included")
    deliver.add_argument("--tip", default="0", help="the tip, when not the cash over the amount due")
    deliver.add_argument("--not-delivered", metavar="REASON", help="not delivered, and why")
    deliver.set_defaults(run=_deliver)
    checkout = actions.add_parser("checkout", help="close the driver's run on return")
    add_db_flag(checkout)
    checkout.add_argument("name")
    checkout.add_argument("--cash", required=True, help="cash the driver brings back from the run")
    checkout.set_defaults(run=_checkout)
    cash_out = actions.add_parser("cash-out", help="end a driver's shift; a manager confirms with a PIN")
    add_db_flag(cash_out)
    cash_out.add_argument("name")
    cash_out.add_argument("--manager", required=True, help="the approving manager or shift lead")
    cash_out.add_argument("--pin", required=True, help="the approver's PIN")
    cash_out.set_defaults(run=_cash_out)


def cents(value: str, flag: str) -> int:
    match = MONEY.match(value.strip().replace(",", ""))
    if match is None:
        raise BadInput(f"{flag} '{value}' is not an amount of money; write it like 20 or 20.50.")
    whole, part = match.groups()
    return int(whole) * 100 + int((part or "0").ljust(2, "0"))


def _money(amount: int) -> str:
    return f"-${-amount / 100:,.2f}" if amount < 0 else f"${amount / 100:,.2f}"


def _clock(at: datetime | None, zone: str) -> str:
    """`6:42 PM` in the store's zone, as the printed slips say it."""
    if at is None:
        return "--"
    local = at.astimezone(ZoneInfo(zone))
    return f"{local.hour % 12 or 12}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"


def _plan(args: argparse.Namespace) -> None:
    from store_db.dispatch.planning import suggest

    with StoreDB(db_path(args.db)) as db:
        suggestion = suggest(db, time_limit_ms=args.time_limit_ms)
    if args.json:
        print(json.dumps(suggestion.to_json(), indent=2))
    else:
        print(render_suggestion(suggestion))


def render_suggestion(suggestion: Suggestion) -> str:
    board, zone = suggestion.board, suggestion.board.zone
    lines = [f"Dispatch at {_clock(board.at, zone)}, hot bag {board.capacity} orders"]
    ins = ", ".join(f"{d.name} (in since {_clock(d.since, zone)})" for d in board.drivers_in)
    lines.append(f"Drivers in: {ins or 'none'}")
    for out in board.drivers_out:
        lines.append(
            f"Out: {out.name} with {', '.join(out.orders)}, back about {_clock(out.expected_return_at, zone)}"
        )
    lines.append("")
    if not suggestion.runs:
        lines.append(
            "No run to send: " + ("no driver is in." if not board.drivers_in else "no order is ready.")
        )
    for run in suggestion.runs:
        leave = _clock(run.leave_at, zone)
        waits = f" (waits for {', '.join(run.waits_for)})" if run.waits_for else ""
        lines.append(
            f"{run.driver:<10} leaves {leave}{waits}, back {_clock(run.return_at, zone)}, "
            f"{run.distance_m / 1000:.1f} km"
        )
        for n, stop in enumerate(run.stops, start=1):
            late = "  LATE" if stop.late else ""
            lines.append(
                f"  {n}. {stop.label:<7} ETA {_clock(stop.eta_at, zone)}  "
                f"promised {_clock(stop.promise_at, zone)}{late}"
            )
    if suggestion.unassigned:
        later = []
        for label in suggestion.unassigned:
            order = board.order(label)
            when = "" if order.ready else f" (ready about {_clock(order.expected_ready_at, zone)})"
            later.append(label + when)
        lines.append(f"Left for a later run: {', '.join(later)}")
    unmade = [o for o in board.orders if o.expected_ready_at is None]
    if unmade:
        lines.append(
            "Not made yet: " + ", ".join(f"{o.label} (promised {_clock(o.promise_at, zone)})" for o in unmade)
        )
    return "\n".join(lines)


def _send(args: argparse.Namespace) -> None:
    from store_db.dispatch.driver import run_view
    from store_db.services.dispatch import send
    from store_db.services.staff import find_staff

    at = utcnow()
    with StoreDB(db_path(args.db)) as db:
        if args.by:
            with db.read() as session:
                by: str | None = find_staff(session, args.by).id
        else:
            by = None
        run = db.run(send, args.driver, args.orders, at, dispatched_by=by)
        with db.read() as session:
            view = run_view(session, run.id)
    stops = ", ".join(f"{s.label} ETA {_clock(s.eta_at, view.zone)}" for s in view.stops)
    print(
        f"Run {view.number}: {view.driver} takes {stops}; back about "
        f"{_clock(view.expected_return_at, view.zone)}. Cash to collect {_money(view.cash_due)}."
    )


def _clock_in(args: argparse.Namespace) -> None:
    from store_db.services import access

    at = utcnow()
    bank = cents(args.bank, "--bank")
    with StoreDB(db_path(args.db)) as db:
        outcome = db.run(access.clock_in_with_pin, args.name, args.pin, at, starting_bank=bank)
    if not outcome.ok:  # the failed PIN is committed first, so it counts
        raise AccessDenied(outcome.message)
    print(f"{outcome.name} is clocked in with a {_money(bank)} starting bank.")


def _show_run(args: argparse.Namespace) -> None:
    from makeline.trade.address import format_phone
    from store_db.dispatch.driver import current_run
    from store_db.services.staff import find_staff

    with StoreDB(db_path(args.db)) as db, db.read() as session:
        staff = find_staff(session, args.name)
        run = current_run(session, staff.id)
    if run is None:
        print(f"{staff.name} is in the store, not out on a run.")
        return
    print(
        f"Run {run.number}: {run.driver}, out {_clock(run.dispatched_at, run.zone)}, "
        f"back about {_clock(run.expected_return_at, run.zone)}"
    )
    for n, stop in enumerate(run.stops, start=1):
        collect = f"COLLECT {_money(stop.amount_due)} CASH" if stop.collect == "cash" else "PAID"
        done = "" if stop.pending else f"  [{stop.outcome.replace('_', ' ')}]"
        print(
            f"  {n}. {stop.label} {stop.customer}, {stop.address}, {format_phone(stop.phone)}: {collect}{done}"
        )
    print(f"Cash due {_money(run.cash_due)}, collected so far {_money(run.cash_collected)}.")


def _deliver(args: argparse.Namespace) -> None:
    from store_db.services.dispatch import deliver

    at = utcnow()
    delivered = args.not_delivered is None
    collected, tip = cents(args.cash, "--cash"), cents(args.tip, "--tip")
    with StoreDB(db_path(args.db)) as db:
        order = db.run(
            deliver, args.order, delivered, at, collected=collected, tip=tip, reason=args.not_delivered or ""
        )
    print(f"{order.label} marked {'delivered' if delivered else 'not delivered'}.")


def _checkout(args: argparse.Namespace) -> None:
    from store_db.services.dispatch import check_in

    at = utcnow()
    cash = cents(args.cash, "--cash")
    with StoreDB(db_path(args.db)) as db:
        staff, closed = db.run(check_in, args.name, cash, at)
    tips, mileage = closed.tips, closed.mileage_cents
    print(f"{staff.name} is back: {_money(cash)} cash, {_money(tips)} tips, {_money(mileage)} mileage.")


def _cash_out(args: argparse.Namespace) -> None:
    from store_db.services import access

    at = utcnow()
    with StoreDB(db_path(args.db)) as db:
        done = db.run(access.cash_out_with_pin, args.name, args.manager, args.pin, at)
    if not done.ok:  # the failed PIN is committed first, so it counts
        raise AccessDenied(f"Wrong PIN for {done.approver}; the cash-out is not recorded.")
    owed, name = done.owed_to_store, done.driver
    who = "owes the store" if owed >= 0 else "is owed by the store"
    print(f"{name} {who} {_money(abs(owed))}; the cash-out slip is queued to print.")
