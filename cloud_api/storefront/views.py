"""What the pages show, built from the cloud's own services: the menu by category, a priced
cart in words, the promise the store is quoting now, and the tracker's first picture."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from cloud_api.models import Store
from cloud_api.orders import quote as online_quote
from cloud_api.orders.quote import OnlineQuote
from cloud_api.orders.schemas import ItemIn
from cloud_api.storefront.cart import Cart
from makeline.trade.errors import TradeError
from makeline.trade.lifecycle import Service
from makeline.trade.menu import Menu, Product, ProductKind, Station
from makeline.trade.pricing import ItemRequest, Quote, price_order
from makeline.trade.throttle import Level


@dataclass
class Section:
    code: str
    name: str
    products: list[Product]


def sections(menu: Menu) -> list[Section]:
    found = []
    for category in sorted(menu.categories, key=lambda c: c.sort):
        products = sorted((p for p in menu.products if p.category == category.code), key=lambda p: p.sort)
        if products:
            found.append(Section(category.code, category.name, products))
    return found


def from_price(product: Product) -> int:
    return min(product.price.values())


def recipe_words(menu: Menu, product: Product) -> str:
    names = [t.name for c in product.toppings if (t := menu.topping(c.code)) is not None]
    return ", ".join(names)


def is_pizza(product: Product) -> bool:
    return product.kind is ProductKind.PIZZA


def requests(lines: list[ItemIn]) -> list[ItemRequest]:
    return [ItemRequest.model_validate(line.model_dump()) for line in lines]


@dataclass
class PricedCart:
    quote: Quote | None
    problem: str = ""
    coupons: list[tuple[str, str]] = field(default_factory=list)


def priced(menu: Menu, cart: Cart, tax_rate_bp: int) -> PricedCart:
    """The cart through the order's own pricing. A coupon that does not apply is said, and the
    cart priced without it, so the customer still sees a total."""
    coupons = [(c.code, c.description) for c in menu.coupons]
    if not cart.lines:
        return PricedCart(None, "", coupons)
    tip = cart.tip if cart.service is Service.DELIVERY else 0
    try:
        quote = price_order(
            menu, requests(cart.lines), tax_rate_bp, cart.coupon, cart.best_deal and not cart.coupon, tip
        )
        return PricedCart(quote, "", coupons)
    except TradeError as exc:
        problem = str(exc)
    try:
        quote = price_order(menu, requests(cart.lines), tax_rate_bp, None, cart.best_deal, tip)
    except TradeError as exc:
        return PricedCart(None, str(exc), coupons)
    return PricedCart(quote, problem, coupons)


def cart_quote(session: Session, store: Store, cart: Cart, result: PricedCart, now: datetime) -> OnlineQuote:
    """The promise the order would get now: the store's own quote (`cloud_api.orders.quote`)."""
    pizzas = 0
    if result.quote is not None:
        pizzas = sum(i.quantity for i in result.quote.items if i.station is Station.MAKELINE)
    lat = cart.address.lat if cart.address is not None else None
    lon = cart.address.lon if cart.address is not None else None
    return online_quote.quote(session, store, cart.service, pizzas, now, lat, lon)


def paused_note(found: OnlineQuote, service: Service) -> str:
    """What the cart says while the store has paused online delivery."""
    if service is Service.DELIVERY and found.throttle is Level.PAUSED:
        return "Online delivery is paused for now: the kitchen is full. Carryout is open."
    return ""


def clock(at: datetime | None, zone: str) -> str:
    """A time as the store's clock shows it: 7:42 PM."""
    if at is None:
        return ""
    local = at.astimezone(ZoneInfo(zone))
    return local.strftime("%I:%M %p").lstrip("0")
