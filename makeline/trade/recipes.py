"""Ideal usage: what one configured item takes from the shelves, by its recipes. Pure: no I/O.

A pizza uses its dough (the crust's portion at its size), its box, its sauce
and cheese scaled by their amounts, and each topping by size, amount and
placement: light ½, normal 1, extra 1½ (`AMOUNT_FACTOR`), a half uses half
(`PLACEMENT_FACTOR`). Sauce or cheese left off uses nothing. Every product
also uses its own `product:` portions (wings, a drink, a cookie). All of it
is multiplied by the line's quantity. Quantities are in base units.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from makeline.trade.menu import AMOUNT_FACTOR, PLACEMENT_FACTOR, ProductKind
from makeline.trade.pricing import NONE, PricedItem

# (part, size) → [(inventory item, base units)], e.g. ("topping:ham", "lg") → [("ham", 3)]
Recipes = Mapping[tuple[str, str], Sequence[tuple[str, Decimal]]]
Usage = dict[str, Decimal]

ONE = Decimal(1)


def parts_of(item: PricedItem) -> list[tuple[str, Decimal]]:
    """The recipe parts one unit of `item` uses, each with its scale factor."""
    parts: list[tuple[str, Decimal]] = [(f"product:{item.product}", ONE)]
    if item.kind is not ProductKind.PIZZA:
        return parts
    parts.append((f"box:{item.size}", ONE))
    if item.crust:
        parts.append((f"crust:{item.crust}", ONE))
    if item.sauce and item.sauce != NONE:
        parts.append((f"sauce:{item.sauce}", AMOUNT_FACTOR[item.sauce_amount]))
    if item.cheese and item.cheese != NONE:
        parts.append((f"cheese:{item.cheese}", AMOUNT_FACTOR[item.cheese_amount]))
    for topping in item.toppings:
        factor = AMOUNT_FACTOR[topping.amount] * PLACEMENT_FACTOR[topping.placement]
        parts.append((f"topping:{topping.code}", factor))
    return parts


def needed_parts(items: Iterable[PricedItem]) -> set[str]:
    return {part for item in items for part, _ in parts_of(item)}


def item_usage(item: PricedItem, recipes: Recipes, quantity: int | None = None) -> Usage:
    """Base units of each inventory item that `quantity` (default: the line's) of `item` use."""
    times = Decimal(item.quantity if quantity is None else quantity)
    usage: Usage = {}
    for part, factor in parts_of(item):
        for code, qty in recipes.get((part, item.size), ()):
            usage[code] = usage.get(code, Decimal(0)) + qty * factor * times
    return usage


def order_usage(items: Iterable[PricedItem], recipes: Recipes) -> Usage:
    """The sum of every line's usage."""
    total: Usage = {}
    for item in items:
        for code, qty in item_usage(item, recipes).items():
            total[code] = total.get(code, Decimal(0)) + qty
    return total
