"""Pricing a configured order: sizes, crusts, toppings, halves, coupons and tax.

Rules (integer cents throughout):

* A pizza costs its product's price for the size, plus the crust's upcharge for
  that size, plus its toppings beyond the product's own recipe, plus extra cheese.
* A topping counts 1 unit when normal or light, 2 when extra. On a half it counts
  1 unit when the menu charges halves as whole (the default), else 1/2 unit (the
  half's price rounded up to the cent). Only units above the recipe's own are
  charged; removing a recipe topping earns no credit.
* Coupons: one per order. `bundle` sets a fixed price for N qualifying pizzas
  (the most expensive ones qualify first, which is best for the customer);
  `amount_off` and `percent_off` need a minimum subtotal. "Best deal" tries
  every coupon and keeps the largest discount (ties: lowest code).
* Tax = (subtotal − discount) × rate, rounded half up to the cent once per
  order, never per line. A tip is not taxed.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import Field

from makeline.trade.care import CareFlags, allergens_of
from makeline.trade.errors import (
    BadInput,
    CouponNotApplicable,
    QuantityOutOfRange,
    ToppingNotAllowed,
    UnknownCoupon,
    UnknownOption,
    UnknownProduct,
    UnknownSize,
)
from makeline.trade.menu import (
    Amount,
    Coupon,
    CouponKind,
    Frozen,
    HalfCharge,
    Menu,
    Placement,
    Product,
    ProductKind,
    Station,
    ToppingChoice,
)

NONE = "none"  # sauce or cheese left off
MAX_QUANTITY = 99


class ItemRequest(Frozen):
    """One line as a person asks for it. Unset options take the product's recipe."""

    product: str
    size: str
    quantity: int = 1
    crust: str | None = None
    sauce: str | None = None
    sauce_amount: Amount = Amount.NORMAL
    cheese: str | None = None
    cheese_amount: Amount = Amount.NORMAL
    toppings: list[ToppingChoice] | None = None  # None: the recipe's toppings
    notes: str = ""
    care: CareFlags = Field(default_factory=list)  # allergy, well done, cut in squares


class PricedItem(Frozen):
    """A line with every option resolved, its price and its changes from the recipe."""

    product: str
    name: str
    kind: ProductKind
    station: Station
    size: str
    size_name: str
    quantity: int
    crust: str | None
    sauce: str | None
    sauce_amount: Amount
    cheese: str | None
    cheese_amount: Amount
    toppings: list[ToppingChoice]
    notes: str
    unit_price: int
    line_total: int
    changes: list[str] = Field(default_factory=list)
    care: CareFlags = Field(default_factory=list)
    allergens: list[str] = Field(default_factory=list)  # what the line contains, from the menu


class Quote(Frozen):
    items: list[PricedItem]
    subtotal: int
    coupon: str | None
    coupon_description: str | None
    discount: int
    tax: int
    tip: int
    total: int


def _round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def tax_on(taxable: int, rate_bp: int) -> int:
    """Tax in cents on `taxable` cents at `rate_bp` basis points, rounded half up."""
    if taxable <= 0:
        return 0
    return (taxable * rate_bp + 5000) // 10000


def _units(choice: ToppingChoice, half_charge: HalfCharge) -> Decimal:
    amount = Decimal(2) if choice.amount is Amount.EXTRA else Decimal(1)
    if choice.placement is Placement.WHOLE or half_charge is HalfCharge.WHOLE:
        return amount
    return amount / 2


def _check_size(product: Product, size: str, menu: Menu) -> str:
    if size not in product.price:
        names = ", ".join(_size_name(menu, s) for s in product.price)
        raise UnknownSize(f"{product.name} does not come in size '{size}'. Choose one of: {names}.")
    return _size_name(menu, size)


def _size_name(menu: Menu, code: str) -> str:
    found = menu.size(code)
    return found.name if found else code


# Lines and orders priced already, by menu and request: a counter sells the same few lines
# all night. Each entry holds its menu, so a key's `id` names that menu for as long as the
# entry lives. A request's key is its JSON: every field's value, lists and all, so a line
# changed after it was priced is a new key.
_PRICED: dict[tuple[int, bytes], tuple[Menu, PricedItem]] = {}
_QUOTED: dict[tuple[Any, ...], tuple[Menu, Quote]] = {}
PRICED_KEPT = 512
_request_json = ItemRequest.__pydantic_serializer__.to_json


def price_item(menu: Menu, request: ItemRequest) -> PricedItem:
    """Resolve and price one line. Raises a `BadInput` naming what to fix.

    Pure, so a line asked for again on the same menu is priced once (a refusal never is
    kept: it is raised again each time)."""
    return _priced(menu, request, _request_json(request, warnings=False))


def _priced(menu: Menu, request: ItemRequest, text: bytes) -> PricedItem:
    key = (id(menu), text)
    found = _PRICED.get(key)
    if found is not None and found[0] is menu:
        return found[1]
    priced = _price_item(menu, request)
    if len(_PRICED) >= PRICED_KEPT:
        _PRICED.clear()
    _PRICED[key] = (menu, priced)
    return priced


def _price_item(menu: Menu, request: ItemRequest) -> PricedItem:
    product = menu.product(request.product)
    if product is None:
        raise UnknownProduct(
            f"There is no product '{request.product}' on menu version {menu.version}. Pick one from the menu."
        )
    size_name = _check_size(product, request.size, menu)
    if not 1 <= request.quantity <= MAX_QUANTITY:
        raise QuantityOutOfRange(
            f"Quantity {request.quantity} for {product.name} is out of range; enter 1 to {MAX_QUANTITY}."
        )
    if product.kind is not ProductKind.PIZZA:
        if request.toppings:
            raise ToppingNotAllowed(f"{product.name} takes no toppings; remove them.")
        unit = product.price[request.size]
        return PricedItem(
            product=product.code,
            name=product.name,
            kind=product.kind,
            station=product.station,
            size=request.size,
            size_name=size_name,
            quantity=request.quantity,
            crust=None,
            sauce=None,
            sauce_amount=Amount.NORMAL,
            cheese=None,
            cheese_amount=Amount.NORMAL,
            toppings=[],
            notes=request.notes.strip(),
            unit_price=unit,
            line_total=unit * request.quantity,
            care=list(request.care),
            allergens=allergens_of(menu, product, None, None, None, []),
        )
    return _price_pizza(menu, product, request, size_name)


def _price_pizza(menu: Menu, product: Product, request: ItemRequest, size_name: str) -> PricedItem:
    size = request.size
    crust_code = request.crust or product.crust
    crust = menu.crust(crust_code) if crust_code else None
    if crust is None:
        raise UnknownOption(
            f"There is no crust '{crust_code}'. Choose one of: "
            + ", ".join(c.name for c in menu.crusts)
            + "."
        )
    if crust.sizes is not None and size not in crust.sizes:
        raise UnknownOption(
            f"{crust.name} crust does not come in {size_name}; "
            f"it comes in {', '.join(_size_name(menu, s) for s in crust.sizes)}."
        )
    sauce = request.sauce or product.sauce or NONE
    if sauce != NONE and menu.sauce(sauce) is None:
        raise UnknownOption(
            f"There is no sauce '{sauce}'. Choose one of: "
            + ", ".join(s.code for s in menu.sauces)
            + ", or none."
        )
    cheese = request.cheese or product.cheese or NONE
    if cheese != NONE and menu.cheese(cheese) is None:
        raise UnknownOption(
            f"There is no cheese '{cheese}'. Choose one of: "
            + ", ".join(c.code for c in menu.cheeses)
            + ", or none."
        )
    toppings = list(product.toppings if request.toppings is None else request.toppings)
    seen: set[str] = set()
    for choice in toppings:
        topping = menu.topping(choice.code)
        if topping is None:
            raise UnknownOption(f"There is no topping '{choice.code}' on the menu.")
        if product.allowed_toppings is not None and choice.code not in product.allowed_toppings:
            raise ToppingNotAllowed(f"{topping.name} is not allowed on {product.name}.")
        if choice.code in seen:
            raise BadInput(
                f"{topping.name} is listed twice on one pizza; put it on the whole pizza or on one half."
            )
        seen.add(choice.code)

    unit = product.price[size] + crust.upcharge.get(size, 0)
    defaults = {t.code: t for t in product.toppings}
    for choice in toppings:
        topping = menu.topping(choice.code)
        assert topping is not None
        base = defaults.get(choice.code)
        extra_units = _units(choice, menu.half_charge) - (
            _units(base, menu.half_charge) if base else Decimal(0)
        )
        if extra_units > 0:
            price = topping.price.get(size, 0)
            unit += int((price * extra_units).to_integral_value(rounding=ROUND_CEILING))
    cheese_option = menu.cheese(cheese) if cheese != NONE else None
    if cheese_option is not None and request.cheese_amount is Amount.EXTRA:
        unit += cheese_option.extra_price.get(size, 0)

    item = PricedItem(
        product=product.code,
        name=product.name,
        kind=product.kind,
        station=product.station,
        size=size,
        size_name=size_name,
        quantity=request.quantity,
        crust=crust.code,
        sauce=sauce,
        sauce_amount=request.sauce_amount,
        cheese=cheese,
        cheese_amount=request.cheese_amount,
        toppings=toppings,
        notes=request.notes.strip(),
        unit_price=unit,
        line_total=unit * request.quantity,
        care=list(request.care),
        allergens=allergens_of(menu, product, crust.code, sauce, cheese, toppings),
    )
    return item.model_copy(update={"changes": describe_changes(menu, product, item)})


def describe_changes(menu: Menu, product: Product, item: PricedItem) -> list[str]:
    """What differs from the recipe, as the make line reads it: `NO ONIONS`, `ADD HAM (LEFT)`."""
    changes: list[str] = []

    def name(code: str) -> str:
        found = menu.topping(code)
        return (found.name if found else code).upper()

    if product.crust and item.crust != product.crust:
        crust = menu.crust(item.crust or "")
        changes.append(f"{(crust.name if crust else item.crust or '').upper()} CRUST")
    for label, chosen, default, amount in (
        ("SAUCE", item.sauce, product.sauce, item.sauce_amount),
        ("CHEESE", item.cheese, product.cheese, item.cheese_amount),
    ):
        if chosen == NONE:
            if default and default != NONE:
                changes.append(f"NO {label}")
            continue
        if chosen != default:
            option = (menu.sauce if label == "SAUCE" else menu.cheese)(chosen or "")
            changes.append(f"{(option.name if option else chosen or '').upper()}")
        if amount is not Amount.NORMAL:
            changes.append(f"{amount.value.upper()} {label}")
    defaults = {t.code: t for t in product.toppings}
    chosen_codes = {t.code for t in item.toppings}
    for code in defaults:
        if code not in chosen_codes:
            changes.append(f"NO {name(code)}")
    for choice in item.toppings:
        base = defaults.get(choice.code)
        where = "" if choice.placement is Placement.WHOLE else f" ({choice.placement.value.upper()})"
        how = "" if choice.amount is Amount.NORMAL else f"{choice.amount.value.upper()} "
        if base is None:
            changes.append(f"ADD {how}{name(choice.code)}{where}")
        elif base != choice:
            changes.append(f"{how or 'NORMAL '}{name(choice.code)}{where}")
    return changes


def coupon_discount(coupon: Coupon, items: list[PricedItem], subtotal: int) -> int:
    """The discount `coupon` gives these items, or `CouponNotApplicable` saying why not."""
    if coupon.kind is CouponKind.BUNDLE:
        units: list[int] = []
        for item in items:
            if item.kind is not ProductKind.PIZZA or item.size not in coupon.sizes:
                continue
            if coupon.products and item.product not in coupon.products:
                continue
            if coupon.max_toppings is not None and len(item.toppings) > coupon.max_toppings:
                continue
            units.extend([item.unit_price] * item.quantity)
        if len(units) < coupon.pizzas:
            raise CouponNotApplicable(
                f"Coupon {coupon.code} ({coupon.description}) needs {coupon.pizzas} qualifying "
                f"pizzas; this order has {len(units)}."
            )
        units.sort(reverse=True)
        discount = sum(units[: coupon.pizzas]) - coupon.bundle_price
        if discount <= 0:
            raise CouponNotApplicable(f"Coupon {coupon.code} would not save anything on this order.")
        return discount
    if subtotal < coupon.min_subtotal:
        raise CouponNotApplicable(
            f"Coupon {coupon.code} ({coupon.description}) needs a subtotal of at least "
            f"${coupon.min_subtotal / 100:.2f}; this order is ${subtotal / 100:.2f}."
        )
    if coupon.kind is CouponKind.AMOUNT_OFF:
        return min(coupon.amount_off, subtotal)
    return _round_half_up(Decimal(subtotal) * coupon.percent_off / 100)


def best_coupon(menu: Menu, items: list[PricedItem], subtotal: int) -> tuple[Coupon, int] | None:
    best: tuple[Coupon, int] | None = None
    for coupon in sorted(menu.coupons, key=lambda c: c.code):
        try:
            discount = coupon_discount(coupon, items, subtotal)
        except CouponNotApplicable:
            continue
        if best is None or discount > best[1]:
            best = (coupon, discount)
    return best


def price_order(
    menu: Menu,
    requests: list[ItemRequest],
    tax_rate_bp: int,
    coupon_code: str | None = None,
    best_deal: bool = False,
    tip: int = 0,
) -> Quote:
    """Price a whole order. A named coupon that does not apply is refused, not ignored.

    Pure, so an order asked for again on the same menu is priced once (the same quote
    handed back; a refusal is never kept: it is raised again each time)."""
    if not requests:
        raise BadInput("The order has no items; add at least one.")
    if tip < 0:
        raise BadInput("A tip cannot be negative.")
    texts = tuple(_request_json(r, warnings=False) for r in requests)
    key = (id(menu), texts, tax_rate_bp, coupon_code, best_deal, tip)
    found = _QUOTED.get(key)
    if found is not None and found[0] is menu:
        return found[1]
    items = [_priced(menu, r, t) for r, t in zip(requests, texts, strict=True)]
    quote = _quote(menu, items, tax_rate_bp, coupon_code, best_deal, tip)
    if len(_QUOTED) >= PRICED_KEPT:
        _QUOTED.clear()
    _QUOTED[key] = (menu, quote)
    return quote


def _quote(
    menu: Menu, items: list[PricedItem], tax_rate_bp: int, coupon_code: str | None, best_deal: bool, tip: int
) -> Quote:
    subtotal = sum(i.line_total for i in items)
    chosen: tuple[Coupon, int] | None = None
    if coupon_code:
        coupon = menu.coupon(coupon_code)
        if coupon is None:
            raise UnknownCoupon(
                f"There is no coupon '{coupon_code.strip()}'. Check the code, or ask for the best deal."
            )
        chosen = (coupon, coupon_discount(coupon, items, subtotal))
    elif best_deal:
        chosen = best_coupon(menu, items, subtotal)
    discount = chosen[1] if chosen else 0
    tax = tax_on(subtotal - discount, tax_rate_bp)
    return Quote(
        items=items,
        subtotal=subtotal,
        coupon=chosen[0].code if chosen else None,
        coupon_description=chosen[0].description if chosen else None,
        discount=discount,
        tax=tax,
        tip=tip,
        total=subtotal - discount + tax + tip,
    )
