"""The shape of a menu version: what can be sold, at what price, made of what.

A menu is published whole (by head office, or by the demo seed) and applied
whole. Prices are integer cents keyed by size code; recipe portions are
`Decimal` quantities in the inventory item's base unit.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Placement(StrEnum):
    WHOLE = "whole"
    LEFT = "left"
    RIGHT = "right"


class Amount(StrEnum):
    LIGHT = "light"
    NORMAL = "normal"
    EXTRA = "extra"


# How much of a portion an amount uses; a half uses half of that again.
AMOUNT_FACTOR: dict[Amount, Decimal] = {
    Amount.LIGHT: Decimal("0.5"),
    Amount.NORMAL: Decimal("1"),
    Amount.EXTRA: Decimal("1.5"),
}
PLACEMENT_FACTOR: dict[Placement, Decimal] = {
    Placement.WHOLE: Decimal("1"),
    Placement.LEFT: Decimal("0.5"),
    Placement.RIGHT: Decimal("0.5"),
}


class ProductKind(StrEnum):
    PIZZA = "pizza"
    SIDE = "side"
    DRINK = "drink"
    DESSERT = "dessert"


class Station(StrEnum):
    """Where an item is made. Drinks need no station: they go to the rack."""

    MAKELINE = "makeline"
    SIDES = "sides"
    RACK = "rack"


# What an item contains that people are allergic to ("gluten", "milk", "egg"); empty: unknown
# or none. The allergens of a pizza are those of its product, crust, sauce, cheese and toppings.
Allergens = Annotated[list[Annotated[str, Field(min_length=1, max_length=30)]], Field(max_length=20)]


class Portion(Frozen):
    item: str
    qty: Decimal


class Size(Frozen):
    code: str
    name: str
    inches: int | None = None
    sort: int = 0
    box: list[Portion] = Field(default_factory=list)


class Option(Frozen):
    """A crust, sauce or cheese: recipe portions per size and, for crusts, an upcharge."""

    code: str
    name: str
    upcharge: dict[str, int] = Field(default_factory=dict)
    extra_price: dict[str, int] = Field(default_factory=dict)
    portions: dict[str, list[Portion]] = Field(default_factory=dict)
    sizes: list[str] | None = None  # None: every pizza size
    allergens: Allergens = Field(default_factory=list)


class Topping(Frozen):
    code: str
    name: str
    kind: str = "veg"  # meat, veg, cheese
    price: dict[str, int]
    portions: dict[str, list[Portion]] = Field(default_factory=dict)
    allergens: Allergens = Field(default_factory=list)


class ToppingChoice(Frozen):
    code: str
    placement: Placement = Placement.WHOLE
    amount: Amount = Amount.NORMAL


class Product(Frozen):
    code: str
    name: str
    category: str
    kind: ProductKind
    station: Station
    price: dict[str, int]  # by size code
    crust: str | None = None
    sauce: str | None = None
    cheese: str | None = None
    toppings: list[ToppingChoice] = Field(default_factory=list)
    allowed_toppings: list[str] | None = None  # None: every topping
    portions: dict[str, list[Portion]] = Field(default_factory=dict)  # non-pizza recipes
    sort: int = 0
    allergens: Allergens = Field(default_factory=list)


class Category(Frozen):
    code: str
    name: str
    sort: int = 0


class CouponKind(StrEnum):
    BUNDLE = "bundle"  # a fixed price for a set of pizzas
    AMOUNT_OFF = "amount_off"  # cents off above a minimum subtotal
    PERCENT_OFF = "percent_off"  # percent off above a minimum subtotal


class Coupon(Frozen):
    code: str
    description: str
    kind: CouponKind
    # bundle
    pizzas: int = 0
    sizes: list[str] = Field(default_factory=list)
    max_toppings: int | None = None
    bundle_price: int = 0
    products: list[str] = Field(default_factory=list)  # the pizzas it counts; empty: any pizza
    # amount / percent off
    amount_off: int = 0
    percent_off: int = 0
    min_subtotal: int = 0


class HalfCharge(StrEnum):
    WHOLE = "whole"  # a half topping is charged as a whole one (the trade's usual rule)
    HALF = "half"  # a half topping costs half, rounded up to the cent


class Menu(Frozen):
    version: int
    name: str = "makeline menu"
    half_charge: HalfCharge = HalfCharge.WHOLE
    categories: list[Category]
    sizes: list[Size]
    crusts: list[Option]
    sauces: list[Option]
    cheeses: list[Option]
    toppings: list[Topping]
    products: list[Product]
    coupons: list[Coupon] = Field(default_factory=list)

    def size(self, code: str) -> Size | None:
        return next((s for s in self.sizes if s.code == code), None)

    def product(self, code: str) -> Product | None:
        return next((p for p in self.products if p.code == code), None)

    def topping(self, code: str) -> Topping | None:
        return next((t for t in self.toppings if t.code == code), None)

    def crust(self, code: str) -> Option | None:
        return next((c for c in self.crusts if c.code == code), None)

    def sauce(self, code: str) -> Option | None:
        return next((c for c in self.sauces if c.code == code), None)

    def cheese(self, code: str) -> Option | None:
        return next((c for c in self.cheeses if c.code == code), None)

    def coupon(self, code: str) -> Coupon | None:
        wanted = code.strip().upper()
        return next((c for c in self.coupons if c.code.upper() == wanted), None)

    def inventory_items(self) -> set[str]:
        """Every inventory item a recipe of this menu uses (the store must stock each)."""
        recipes: list[dict[str, list[Portion]]] = [
            *(o.portions for o in (*self.crusts, *self.sauces, *self.cheeses)),
            *(t.portions for t in self.toppings),
            *(p.portions for p in self.products),
        ]
        found = {p.item for s in self.sizes for p in s.box}
        return found | {p.item for recipe in recipes for portions in recipe.values() for p in portions}
