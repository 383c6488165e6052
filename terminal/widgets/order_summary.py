"""The right side of the counter: the lines, the money, the service, tender and promise."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from makeline.trade.hours import say_time
from makeline.trade.lifecycle import Service
from makeline.trade.pricing import PricedItem
from makeline.trade.quote import Estimate
from terminal.data.cart import TENDERS, Cart
from terminal.data.counter_jobs import Priced
from terminal.data.formatting import clock, money
from terminal.widgets.literal import literal


def line_cells(item: PricedItem) -> tuple[Text, Text, Text]:
    size = item.size.upper() if item.kind.value == "pizza" else item.size_name
    name = literal(f"{size} {item.name}", "bold")
    for change in item.changes:
        name.append("\n")
        name.append(literal(f"  {change}", "yellow"))
    if item.notes:
        name.append("\n")
        name.append(literal(f"  ! {item.notes}", "italic"))
    return Text(str(item.quantity)), name, Text(money(item.line_total), justify="right")


def lines_table(items: Sequence[PricedItem | str], cursor: int) -> RenderableType:
    """The order's lines; the one F4 would remove is highlighted."""
    if not items:
        return Text("No items yet: type one on the Item line, e.g. lg pep, and press Enter.", style="dim")
    table = Table.grid(expand=True, padding=(0, 1, 0, 0))
    table.add_column(width=2, justify="right")
    table.add_column(ratio=1)
    table.add_column(justify="right")
    for n, item in enumerate(items):
        cells = line_cells(item) if not isinstance(item, str) else (Text(""), literal(item, "red"), Text(""))
        table.add_row(*cells, style="reverse" if n == cursor and len(items) > 1 else "")
    return table


def totals(cart: Cart, priced: Priced | None, zone: str, problem: str = "") -> RenderableType:
    grid = Table.grid(expand=True)
    grid.add_column(ratio=1)
    grid.add_column(justify="right")
    if priced is None:
        grid.add_row("Subtotal", "—")
        grid.add_row("Total", Text("—", style="bold"))
    else:
        quote = priced.quote
        grid.add_row("Subtotal", money(quote.subtotal))
        coupon = f"Coupon {quote.coupon}" if quote.coupon else "Discount"
        grid.add_row(literal(coupon), money(-quote.discount) if quote.discount else "—")
        grid.add_row("Tax", money(quote.tax))
        grid.add_row(Text("TOTAL", style="bold"), Text(money(quote.total), style="bold"))
        if cart.tender == "cash" and cart.cash_given is not None:
            change = cart.cash_given - quote.total
            grid.add_row("Cash given", money(cart.cash_given))
            grid.add_row(
                Text("CHANGE DUE", style="bold"),
                Text(money(change), style="bold green" if change >= 0 else "bold red"),
            )
    service = Text(" DELIVERY " if cart.service is Service.DELIVERY else " CARRYOUT ", style="bold reverse")
    service.append(f"  {TENDERS[cart.tender]}")
    if cart.best_deal and not cart.coupon:
        service.append("  best deal", style="green")
    parts: list[RenderableType] = [grid, service]
    if cart.scheduled_for is not None:
        parts.append(Text(f"FOR LATER {say_time(cart.scheduled_for, zone)}", style="bold magenta"))
    elif priced is not None:
        promise = priced.promise
        minutes = round(promise.seconds / 60)
        parts.append(
            Text(
                f"Promise {clock(promise.promise_at, zone)} · {minutes} min · {promise.pizzas_ahead} ahead",
                style="bold cyan",
            )
        )
        if cart.service is Service.DELIVERY:
            parts.append(Text(promise_parts(promise.estimate), style="cyan"))
    if problem:
        parts.append(literal(problem, "bold red"))
    return Group(*parts)


def promise_parts(found: Estimate) -> str:
    """Where a delivery promise's minutes go: make, oven, waiting on the rack for a driver, the
    drive (its stop in the bag after the first); one line of the order panel."""
    stop = f" ({ordinal(found.bag_position)})" if found.bag_position > 1 else ""
    return f"make {found.make_min} · oven {found.oven_min} · wait {found.wait_min} · drive {found.drive_min}{stop}"


def ordinal(n: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(n, f"{n}th")
