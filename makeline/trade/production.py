"""Production counts: what the make line needs in the next minutes, from the build charts.

Given the pizzas about to be made (open make-line tickets, scheduled orders firing
soon), count what the crew pulls: dough balls by size and crust, and cheese and
toppings by portion (light ½, extra 1½, a half uses half, as `recipes` says) with
the weight the recipes give them. Pure: the caller brings the items and recipes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from makeline.trade.menu import ProductKind
from makeline.trade.pricing import PricedItem
from makeline.trade.recipes import Recipes, parts_of

ZERO = Decimal(0)


@dataclass
class Need:
    kind: str  # dough, cheese, topping
    code: str  # the crust, cheese or topping code
    portions: dict[str, Decimal] = field(default_factory=dict)  # by size
    base_qty: Decimal = ZERO  # in the recipes' base unit (oz for cheese and toppings)

    @property
    def total_portions(self) -> Decimal:
        return sum(self.portions.values(), ZERO)


@dataclass(frozen=True)
class Production:
    dough: list[Need]  # balls by crust and size (portions are balls)
    cheese: list[Need]
    toppings: list[Need]  # most used first
    later: int = 0  # orders for later counted in (they go to the kitchen within the window)


_KINDS = {"crust": "dough", "cheese": "cheese", "topping": "topping"}


def production_counts(
    items: Iterable[PricedItem], recipes: Recipes, top: int = 8, later: int = 0
) -> Production:
    needs: dict[tuple[str, str], Need] = {}
    for item in items:
        if item.kind is not ProductKind.PIZZA:
            continue
        for part, factor in parts_of(item):
            prefix, _, code = part.partition(":")
            kind = _KINDS.get(prefix)
            if kind is None:
                continue
            need = needs.setdefault((kind, code), Need(kind, code))
            portions = factor * item.quantity
            need.portions[item.size] = need.portions.get(item.size, ZERO) + portions
            need.base_qty += sum((qty for _, qty in recipes.get((part, item.size), ())), ZERO) * portions

    def of(kind: str) -> list[Need]:
        found = [n for (k, _), n in needs.items() if k == kind]
        return sorted(found, key=lambda n: (-n.base_qty, -n.total_portions, n.code))

    return Production(dough=of("dough"), cheese=of("cheese"), toppings=of("topping")[:top], later=later)


def portions_text(portions: Mapping[str, Decimal], order: Iterable[str]) -> str:
    """'lg 2 · md ½' in the menu's size order."""

    def amount(x: Decimal) -> str:
        whole, frac = divmod(x, 1)
        tail = {Decimal("0.5"): "½", Decimal("0.25"): "¼", Decimal("0.75"): "¾"}.get(frac, "")
        if frac and not tail:
            return f"{x.normalize():f}"
        return f"{int(whole) if whole else ''}{tail}" or "0"

    return " · ".join(f"{size} {amount(portions[size])}" for size in order if portions.get(size))
