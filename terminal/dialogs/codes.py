"""The counter's cheat sheet: how to type an item, and every product and topping code."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen

from makeline.trade.menu import Menu
from terminal.widgets.literal import Static, literal

SYNTAX = (
    "[qty] size product [crust] [+topping] [-topping] [s:sauce] [ch:cheese] [# note]\n"
    "sizes s m l x · halves +pep< (left) +pep> (right) · amounts +pep! extra, +pep~ light\n"
    "lg pep · 2 md cheese +mush · lg cheese +pep< +mush> · xl sup -oni · md pep thin ch! · 8pc wings"
)


def codes_table(menu: Menu) -> Group:
    products = Table(title="Products", expand=True, header_style="bold")
    products.add_column("Code")
    products.add_column("Name")
    products.add_column("Sizes")
    for product in menu.products:
        products.add_row(literal(product.code), literal(product.name), literal(" ".join(product.price)))
    toppings = Table(title="Toppings", expand=True, header_style="bold")
    toppings.add_column("Code")
    toppings.add_column("Name")
    for topping in menu.toppings:
        toppings.add_row(literal(topping.code), literal(topping.name))
    options = Text()
    for label, found in (
        ("Crusts", menu.crusts),
        ("Sauces (s:)", menu.sauces),
        ("Cheeses (ch:)", menu.cheeses),
    ):
        options.append(f"{label}: ", style="bold")
        options.append(literal(", ".join(o.code for o in found)))
        options.append("\n")
    coupons = Text()
    for coupon in menu.coupons:
        coupons.append(literal(coupon.code, "bold"))
        coupons.append(literal(f"  {coupon.description}"))
        coupons.append("\n")
    return Group(
        Text(SYNTAX, style="cyan"), options, products, toppings, Text("Coupons", style="bold"), coupons
    )


class CodesDialog(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,f1", "dismiss", "Close", id="codes.close")]

    def __init__(self, menu: Menu) -> None:
        super().__init__()
        self.menu = menu

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="codes", classes="dialog"):
            yield Static("Codes — Esc closes", classes="dialog-title")
            yield Static(codes_table(self.menu))
