"""Pricing, checked by hand against the demo menu (prices in cents; tax 10.25 %)."""

from __future__ import annotations

import pytest

from makeline.demo.menu import demo_menu
from makeline.trade.menu import Amount, HalfCharge, Placement, ToppingChoice
from makeline.trade.pricing import ItemRequest, price_order, tax_on
from store_db.errors import BadInput, CouponNotApplicable, QuantityOutOfRange, UnknownCoupon

MENU = demo_menu()
TAX = 1025


def test_large_pepperoni() -> None:
    quote = price_order(MENU, [ItemRequest(product="pepperoni", size="lg")], TAX)
    # 17.08 + 10.25 % = 1.7507 → 1.75
    assert (quote.subtotal, quote.tax, quote.total) == (1708, 175, 1883)
    assert quote.items[0].changes == []


def test_half_and_half_is_charged_as_whole_by_default() -> None:
    item = ItemRequest(
        product="cheese",
        size="lg",
        toppings=[
            ToppingChoice(code="pepperoni", placement=Placement.LEFT),
            ToppingChoice(code="mushrooms", placement=Placement.RIGHT),
        ],
    )
    quote = price_order(MENU, [item], TAX)
    assert quote.subtotal == 1499 + 209 + 209
    assert quote.items[0].changes == ["ADD PEPPERONI (LEFT)", "ADD MUSHROOMS (RIGHT)"]


def test_half_price_halves_round_up_when_the_store_says_so() -> None:
    menu = MENU.model_copy(update={"half_charge": HalfCharge.HALF})
    item = ItemRequest(
        product="cheese", size="lg", toppings=[ToppingChoice(code="pepperoni", placement=Placement.LEFT)]
    )
    assert price_order(menu, [item], TAX).subtotal == 1499 + 105  # 2.09 / 2 = 1.045 → 1.05


def test_extra_cheese_and_extra_of_a_recipe_topping() -> None:
    cheese = ItemRequest(product="cheese", size="lg", cheese_amount=Amount.EXTRA)
    pep = ItemRequest(
        product="pepperoni", size="lg", toppings=[ToppingChoice(code="pepperoni", amount=Amount.EXTRA)]
    )
    quote = price_order(MENU, [cheese, pep], TAX)
    assert [i.unit_price for i in quote.items] == [1499 + 209, 1708 + 209]
    assert quote.items[0].changes == ["EXTRA CHEESE"]
    assert quote.items[1].changes == ["EXTRA PEPPERONI"]


def test_removing_a_recipe_topping_earns_no_credit_and_reads_no() -> None:
    supreme = MENU.product("supreme")
    assert supreme is not None
    kept = [t for t in supreme.toppings if t.code != "onions"]
    quote = price_order(MENU, [ItemRequest(product="supreme", size="md", crust="pan", toppings=kept)], TAX)
    assert quote.subtotal == 1699 + 150
    assert quote.items[0].changes == ["PAN CRUST", "NO ONIONS"]


def test_bundle_coupon_two_large_one_topping() -> None:
    two = [ItemRequest(product="pepperoni", size="lg", quantity=2)]
    quote = price_order(MENU, two, TAX, coupon_code="2lg1999")
    assert (quote.subtotal, quote.discount) == (3416, 3416 - 1999)
    assert quote.tax == 205  # 19.99 × 10.25 % = 2.049 → 2.05
    assert quote.total == 1999 + 205


def test_amount_off_needs_its_minimum() -> None:
    two = [ItemRequest(product="supreme", size="lg", quantity=2)]
    assert price_order(MENU, two, TAX, coupon_code="5OFF30").discount == 500
    with pytest.raises(CouponNotApplicable, match=r"at least \$30.00; this order is \$19.99"):
        price_order(MENU, [ItemRequest(product="supreme", size="lg")], TAX, coupon_code="5OFF30")


def test_percent_off_rounds_half_up() -> None:
    three = [ItemRequest(product="supreme", size="lg", quantity=3)]
    assert price_order(MENU, three, TAX, coupon_code="20OFF50").discount == 1199  # 11.994


def test_best_deal_picks_the_largest_discount() -> None:
    two = [ItemRequest(product="pepperoni", size="lg", quantity=2)]
    quote = price_order(MENU, two, TAX, best_deal=True)
    assert quote.coupon == "2LG1999"
    assert quote.discount == 1417
    nothing = price_order(MENU, [ItemRequest(product="cola", size="20oz")], TAX, best_deal=True)
    assert nothing.coupon is None and nothing.discount == 0


def test_a_specialty_coupon_counts_only_specialty_pizzas() -> None:
    supreme = price_order(MENU, [ItemRequest(product="supreme", size="lg")], TAX, coupon_code="LG1199")
    assert supreme.discount == 1999 - 1199
    with pytest.raises(CouponNotApplicable, match="LG1199"):
        price_order(MENU, [ItemRequest(product="cheese", size="lg")], TAX, coupon_code="LG1199")
    plain = price_order(MENU, [ItemRequest(product="cheese", size="lg")], TAX, best_deal=True)
    assert plain.coupon != "LG1199"


def test_unknown_coupon_is_refused_by_name() -> None:
    with pytest.raises(UnknownCoupon, match="no coupon 'FREEPIZZA'"):
        price_order(MENU, [ItemRequest(product="cheese", size="sm")], TAX, coupon_code="FREEPIZZA")


@pytest.mark.parametrize(
    ("taxable", "rate", "tax"),
    [(1000, 825, 83), (1000, 824, 82), (1, 1025, 0), (5, 1000, 1), (0, 1025, 0), (-300, 1025, 0)],
)
def test_tax_rounds_half_up_once_per_order(taxable: int, rate: int, tax: int) -> None:
    assert tax_on(taxable, rate) == tax


def test_tip_is_not_taxed() -> None:
    quote = price_order(MENU, [ItemRequest(product="pepperoni", size="lg")], TAX, tip=300)
    assert (quote.tax, quote.total) == (175, 1708 + 175 + 300)


def test_a_line_asked_for_again_is_priced_the_same_and_each_menu_by_its_own_prices() -> None:
    item = ItemRequest(
        product="cheese", size="lg", toppings=[ToppingChoice(code="pepperoni", placement=Placement.LEFT)]
    )
    first = price_order(MENU, [item, item], TAX)
    again = price_order(MENU, [item.model_copy()], TAX)
    assert first.items[0] == first.items[1] == again.items[0]
    halves = MENU.model_copy(update={"half_charge": HalfCharge.HALF})
    assert price_order(halves, [item], TAX).subtotal == 1499 + 105
    other = ItemRequest(
        product="cheese", size="lg", toppings=[ToppingChoice(code="pepperoni", placement=Placement.RIGHT)]
    )
    assert price_order(MENU, [other], TAX).items[0].changes == ["ADD PEPPERONI (RIGHT)"]


def test_a_refused_line_is_refused_every_time() -> None:
    bad = ItemRequest(product="cheese", size="lg", quantity=0)
    for _ in range(2):
        with pytest.raises(QuantityOutOfRange):
            price_order(MENU, [bad], TAX)


def test_an_order_asked_for_again_is_quoted_once_and_a_line_changed_since_anew() -> None:
    item = ItemRequest(
        product="cheese", size="lg", toppings=[ToppingChoice(code="pepperoni", placement=Placement.LEFT)]
    )
    first = price_order(MENU, [item], TAX, best_deal=True)
    assert price_order(MENU, [item.model_copy(deep=True)], TAX, best_deal=True) is first
    assert price_order(MENU, [item], TAX, tip=100).total == first.total + 100
    assert item.toppings is not None
    item.toppings.append(
        ToppingChoice(code="mushrooms", placement=Placement.RIGHT)
    )  # the same object, changed
    again = price_order(MENU, [item], TAX, best_deal=True)
    assert again.subtotal == first.subtotal + 209
    assert again.items[0].changes == ["ADD PEPPERONI (LEFT)", "ADD MUSHROOMS (RIGHT)"]
    with pytest.raises(BadInput):
        price_order(MENU, [item], TAX, tip=-1)
