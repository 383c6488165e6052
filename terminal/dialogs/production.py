"""Production counts: what the make line should pull for the tickets on it now and the orders
for later that reach it in the next 15 minutes, from the build charts — dough balls by crust and size, cheese and the top toppings by portion and
weight. F2 on the make line opens it; it refreshes as tickets come and go; Esc closes."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen

from makeline.trade.production import Need, Production, portions_text
from store_db.db import StoreDB
from store_db.queries.production import make_line_needs
from terminal.screens.base import StoreJobs
from terminal.widgets.literal import Static, literal

SIZES = ("sm", "md", "lg", "xl")


def _name(code: str) -> str:
    return code.replace("_", " ").capitalize()


def _oz(qty: Decimal) -> str:
    return f"{qty.quantize(Decimal('0.1')).normalize():f}"


def production_table(needs: Production) -> Table:
    table = Table(expand=True, show_lines=False, header_style="bold")
    table.add_column("Pull", ratio=3)
    table.add_column("By size", ratio=3)
    table.add_column("Amount", justify="right", ratio=1)

    def section(title: str, rows: list[Need], amount: str) -> None:
        table.add_row(literal(title, "bold reverse"), "", "")
        if not rows:
            table.add_row(literal("  nothing on the line"), "", "")
        for need in rows:
            qty = f"{need.total_portions.normalize():f}" if amount == "balls" else _oz(need.base_qty)
            table.add_row(
                literal(f"  {_name(need.code)}"), portions_text(need.portions, SIZES), f"{qty} {amount}"
            )

    section("DOUGH BALLS", needs.dough, "balls")
    section("CHEESE", needs.cheese, "oz")
    section("TOPPINGS", needs.toppings, "oz")
    return table


class ProductionCounts(StoreJobs, ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f2,q", "dismiss", "Close", id="production.close")
    ]

    def __init__(self, station: str) -> None:
        super().__init__()
        self.station = station

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="production", classes="dialog"):
            yield Static(
                "What the line needs for its open tickets and the next 15 minutes — Esc closes",
                classes="dialog-title",
            )
            yield Static("", id="production-later")
            yield Static("Loading…", id="production-table")

    def on_mount(self) -> None:
        self.reload()
        self.set_interval(2.0, self.reload)  # tickets come and go while it is open

    def reload(self) -> None:
        station = self.station

        def job(db: StoreDB) -> Production:
            with db.read() as session:
                return make_line_needs(session, station)

        self.run_job(job, self._show, name="production")

    def _show(self, needs: Production) -> None:
        later = (
            f"Includes {needs.later} order{'s' if needs.later != 1 else ''} for later firing in the "
            "next 15 minutes."
            if needs.later
            else "No orders for later fire in the next 15 minutes."
        )
        self.query_one("#production-later", Static).update(later)
        self.query_one("#production-table", Static).update(production_table(needs))
