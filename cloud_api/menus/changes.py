"""A head-office change to a menu (new prices, products off the menu) and what it changes:
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
from makeline.trade.menu import Menu

MenuCode = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[a-z0-9_-]+$")]
Price = Annotated[int, Field(ge=0, le=1_000_000, description="cents")]


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
    return base.model_copy(update={"products": products, "name": change.name or base.name})


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
