"""The portion guide: how much of each ingredient goes on the selected ticket's pizzas."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen

from store_db.db import StoreDB
from store_db.queries.kitchen import PizzaBuild, Ticket
from store_db.queries.portions import PortionLine, PortionPick, portion_guide
from terminal.screens.base import StoreJobs
from terminal.widgets.literal import Static, literal


def picks(pizza: PizzaBuild) -> list[PortionPick]:
    found = [PortionPick(f"crust:{pizza.crust_code}")] if pizza.crust_code else []
    if pizza.sauce and pizza.sauce != "none":
        found.append(PortionPick(f"sauce:{pizza.sauce}", amount=pizza.sauce_amount))
    if pizza.cheese and pizza.cheese != "none":
        found.append(PortionPick(f"cheese:{pizza.cheese}", amount=pizza.cheese_amount))
    found += [PortionPick(f"topping:{t.code}", t.placement, t.amount) for t in pizza.toppings]
    return found


def _qty(line: PortionLine) -> str:
    text = f"{line.qty:f}"
    return (text.rstrip("0").rstrip(".") if "." in text else text) + f" {line.unit}"


class PortionGuide(StoreJobs, ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,p,q", "dismiss", "Close", id="portion_guide.close")
    ]

    def __init__(self, ticket: Ticket) -> None:
        super().__init__()
        self.ticket = ticket

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="portion-guide", classes="dialog"):
            yield Static(f"Portions for {self.ticket.label} — Esc closes", classes="dialog-title")
            yield Static("Loading…", id="portion-table")

    def on_mount(self) -> None:
        pizzas = self.ticket.pizzas

        def job(db: StoreDB) -> list[tuple[PizzaBuild, list[PortionLine]]]:
            with db.read() as session:
                return [(p, portion_guide(session, p.size_code, picks(p))) for p in pizzas]

        self.run_job(job, self._show, name="portions")

    def _show(self, guides: list[tuple[PizzaBuild, list[PortionLine]]]) -> None:
        table = Table(expand=True, show_lines=False, header_style="bold")
        table.add_column("What", ratio=3)
        table.add_column("Portion", justify="right", ratio=1)
        for pizza, lines in guides:
            table.add_row(
                literal(f"{pizza.quantity} {pizza.size} {pizza.crust} — {pizza.name}", "bold reverse"), ""
            )
            for line in lines:
                table.add_row(literal(f"  {line.label}: {line.item}"), _qty(line))
        self.query_one("#portion-table", Static).update(table)
