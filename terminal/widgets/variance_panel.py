"""The variance view: food cost against sales, every item sorted by money lost, and what is
under par with the order that brings it back.

Variance is actual usage − ideal usage (positive: more left the shelves than the
pizzas sold should have used). 0.5 % of sales is good; 4–5 points is a problem.
"""

from __future__ import annotations

from decimal import Decimal

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical

from makeline.trade.units import fmt_qty
from store_db.queries.stock import VarianceRow, VarianceView
from terminal.data.formatting import day_and_clock, money
from terminal.widgets.literal import DataTable, Static, literal

GOOD_PCT = Decimal("0.5")
PROBLEM_PCT = Decimal("4")


def _qty(value: Decimal | None) -> str:
    return "—" if value is None else fmt_qty(value)


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}%"


def verdict(points: Decimal | None) -> Text:
    """The variance in points of sales, judged as the trade judges it."""
    if points is None:
        return Text("no sales in the period", style="dim")
    if points <= GOOD_PCT:
        return Text(f"{points:.2f} pts of sales — good", style="bold green")
    if points < PROBLEM_PCT:
        return Text(f"{points:.2f} pts of sales — watch it", style="bold yellow")
    return Text(f"{points:.2f} pts of sales — a problem", style="bold red")


def head(view: VarianceView, zone: str) -> RenderableType:
    period = Text.assemble(
        ("Food-cost variance ", "bold"),
        f"{day_and_clock(view.period_from, zone)} → {day_and_clock(view.period_to, zone)}",
        f" · net sales {money(view.net_sales_cents)}",
    )
    if not view.closed:
        return Group(
            period,
            Text("One count so far: actual usage and variance come with the next count.", style="bold"),
        )
    cost = Text.assemble(
        ("Food cost ", "bold"),
        f"ideal {_pct(view.ideal_pct)} · actual {_pct(view.actual_pct)} · ",
        ("variance ", "bold"),
        f"{money(view.variance_cents or 0)} = ",
        verdict(view.variance_pct),
        f" · waste {money(view.waste_cents or 0)}",
    )
    return Group(period, cost)


def money_cell(cents: int | None) -> Text:
    if cents is None:
        return Text("—", justify="right")
    style = "bold red" if cents > 0 else "green" if cents < 0 else ""
    return Text(money(cents), style=style, justify="right")


class VariancePanel(Vertical):
    def compose(self) -> ComposeResult:
        yield Static("F3 reads the report of the last two counts.", id="variance-head")
        yield DataTable(id="variance-table", cursor_type="row", zebra_stripes=True)
        yield Static("Low stock — under par, with the suggested order", classes="list-title")
        yield DataTable(id="low-stock", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#variance-table", DataTable)
        for label, key in (
            ("Item", "item"),
            ("Unit", "unit"),
            ("Ideal", "ideal"),
            ("Actual", "actual"),
            ("Variance", "variance"),
            ("Money", "money"),
            ("Waste", "waste"),
        ):
            table.add_column(label, key=key)
        low = self.query_one("#low-stock", DataTable)
        for label, key in (("Item", "item"), ("On hand", "on_hand"), ("Par", "par"), ("Order", "order")):
            low.add_column(label, key=key)

    def refused(self, text: str) -> None:
        self.query_one("#variance-head", Static).update(literal(text, "bold"))
        self.query_one("#variance-table", DataTable).clear()
        self.query_one("#low-stock", DataTable).clear()

    def update_view(self, view: VarianceView, zone: str) -> None:
        self.query_one("#variance-head", Static).update(head(view, zone))
        table = self.query_one("#variance-table", DataTable)
        table.clear()
        for row in view.rows:
            table.add_row(*self._cells(row), key=row.code)
        low = self.query_one("#low-stock", DataTable)
        low.clear()
        for item in view.low_stock:
            low.add_row(
                item.name,
                Text(f"{fmt_qty(item.on_hand)} {item.unit}", justify="right"),
                Text(f"{fmt_qty(item.par)} {item.unit}", justify="right"),
                Text(f"{item.suggested_order} {item.purchase_unit}", style="bold"),
                key=item.code,
            )

    @staticmethod
    def _cells(row: VarianceRow) -> tuple[object, ...]:
        over = row.variance is not None and row.variance > 0
        return (
            literal(row.name, "bold" if over else ""),
            row.unit,
            Text(_qty(row.ideal), justify="right"),
            Text(_qty(row.actual), justify="right"),
            Text(_qty(row.variance), style="bold red" if over else "", justify="right"),
            money_cell(row.variance_cents),
            Text(_qty(row.waste), justify="right"),
        )
