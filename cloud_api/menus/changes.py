"""A head-office change to a menu (new prices, products off the menu, products new to it) and
what it changes:
pure rules over `Menu` documents, no database.

`apply_change` builds the new document from the version it starts from; `diff` says, for one
store's current menu, which products a new version adds, removes or reprices, so head
office sees what each store will sell before publishing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from cloud_api.api.types import Clean, EntityId
from cloud_api.errors import BadRequest
from makeline.trade.menu import Menu, Product

MenuCode = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[a-z0-9_-]+$")]
Price = Annotated[int, Field(ge=0, le=1_000_000, description="cents")]


AllergenCode = Annotated[str, StringConstraints(min_length=1, max_length=30, pattern=r"^[a-z][a-z_-]*$")]


class NewProduct(BaseModel):
    """A product the base menu does not sell yet. It is made like the products already in its
    category (kind, station, and for a pizza the same crust, sauce and cheese); its sizes are
    sizes the menu knows."""

    model_config = ConfigDict(extra="forbid")

    code: MenuCode
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80), Clean]
    category: MenuCode
    prices: Annotated[dict[MenuCode, Price], Field(min_length=1, max_length=20)] = Field(
        description="size code → cents"
    )
    allergens: Annotated[list[AllergenCode], Field(max_length=20)] = Field(default_factory=list)


class MenuChange(BaseModel):
    """What head office changes, starting from one published version."""

    model_config = ConfigDict(extra="forbid")

    base_version: Annotated[int, Field(ge=1, le=1_000_000)] | None = Field(
        default=None, description="the version to start from; none: the store's current, else the newest"
    )
    name: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120), Clean] | None
    ) = None
    prices: Annotated[dict[MenuCode, dict[MenuCode, Price]], Field(max_length=500)] = Field(
        default_factory=dict, description="new prices: product code → size code → cents"
    )
    remove: Annotated[list[MenuCode], Field(max_length=500)] = Field(
        default_factory=list, description="product codes taken off the menu"
    )
    add: Annotated[list[NewProduct], Field(max_length=20)] = Field(
        default_factory=list, description="products new to the menu"
    )
    store_id: EntityId | None = Field(default=None, description="one store only; none: every store")


@dataclass(frozen=True)
class PriceChange:
    product: str
    name: str
    size: str
    before: int | None  # None: the size was not sold before
    after: int | None  # None: the size is no longer sold


@dataclass(frozen=True)
class MenuDiff:
    added: list[str] = field(default_factory=list)  # product names
    removed: list[str] = field(default_factory=list)
    prices: list[PriceChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.prices)


def apply_change(base: Menu, change: MenuChange) -> Menu:
    """The new document: `base` with the change's prices and without its removed products.
    A product or size the base menu does not sell is refused, naming it."""
    known = {p.code: p for p in base.products}
    for code in [*change.prices, *change.remove]:
        if code not in known:
            raise BadRequest(f"Menu v{base.version} has no product '{code}'.", "prices")
    products = []
    for product in base.products:
        if product.code in change.remove:
            continue
        new_prices = change.prices.get(product.code, {})
        unknown = sorted(set(new_prices) - set(product.price))
        if unknown:
            raise BadRequest(f"{product.name} is not sold in size '{unknown[0]}'.", "prices")
        products.append(product.model_copy(update={"price": product.price | new_prices}))
    if not products:
        raise BadRequest("A menu needs at least one product; this change takes them all off.", "remove")
    products += [_made_like(base, known, new, products) for new in change.add]
    return base.model_copy(update={"products": products, "name": change.name or base.name})


def _made_like(base: Menu, known: dict[str, Product], new: NewProduct, so_far: list[Product]) -> Product:
    """The new product, made like the first product of its category; refused by field."""
    if new.code in known or any(p.code == new.code for p in so_far):
        raise BadRequest(
            f"Menu v{base.version} already has a product '{new.code}'; pick another code.", "code"
        )
    if all(c.code != new.category for c in base.categories):
        raise BadRequest(f"Menu v{base.version} has no category '{new.category}'.", "add.category")
    like = next((p for p in base.products if p.category == new.category), None)
    if like is None:
        raise BadRequest(
            f"Category '{new.category}' has no product to make the new one like.", "add.category"
        )
    sizes = {size.code for size in base.sizes}
    unknown = sorted(set(new.prices) - sizes)
    if unknown:
        raise BadRequest(f"Menu v{base.version} has no size '{unknown[0]}'.", "add.prices")
    return Product(
        code=new.code,
        name=new.name,
        category=new.category,
        kind=like.kind,
        station=like.station,
        price=dict(new.prices),
        crust=like.crust,
        sauce=like.sauce,
        cheese=like.cheese,
        sort=max((p.sort for p in base.products), default=0) + 1,
        allergens=sorted(set(new.allergens)),
    )


def diff(before: Menu, after: Menu) -> MenuDiff:
    """What `after` changes for a store selling `before`: products added, removed, repriced."""
    old = {p.code: p for p in before.products}
    new = {p.code: p for p in after.products}
    added = [new[c].name for c in new if c not in old]
    removed = [old[c].name for c in old if c not in new]
    prices = []
    for code, product in new.items():
        if code not in old:
            continue
        was = old[code].price
        for size in sorted(set(was) | set(product.price)):
            if was.get(size) != product.price.get(size):
                prices.append(PriceChange(code, product.name, size, was.get(size), product.price.get(size)))
    return MenuDiff(added, removed, prices)
