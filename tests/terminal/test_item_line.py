"""The counter's item-line language and cart, without a screen or a database."""

from __future__ import annotations

import pytest

from makeline.demo.menu import demo_menu
from makeline.trade.lifecycle import Channel, Service
from makeline.trade.menu import Amount, Placement, ToppingChoice
from makeline.trade.pricing import ItemRequest, price_item
from store_db.services.orders import AddressRequest
from terminal.data.cart import Cart, parse_money
from terminal.data.item_line import parse_item_line
from terminal.errors import ItemLineError, TerminalError

MENU = demo_menu()


def test_a_large_pepperoni_is_six_characters() -> None:
    line = parse_item_line("lg pep", MENU)
    assert (line.product, line.size, line.quantity, line.toppings) == ("pepperoni", "lg", 1, None)
    assert parse_item_line("l pep", MENU) == line


def test_halves_and_amounts_by_marks_or_words() -> None:
    line = parse_item_line("lg cheese +pep< +mush>!", MENU)
    assert line.toppings == [
        ToppingChoice(code="pepperoni", placement=Placement.LEFT),
        ToppingChoice(code="mushrooms", placement=Placement.RIGHT, amount=Amount.EXTRA),
    ]
    assert parse_item_line("lg cheese +pep:l +mush:r:x", MENU).toppings == line.toppings


def test_changing_a_specialty_keeps_the_rest_of_its_recipe() -> None:
    line = parse_item_line("xl sup -oni +ham~ +pep!", MENU)
    codes = {t.code: t for t in line.toppings or []}
    assert "onions" not in codes
    assert codes["ham"].amount is Amount.LIGHT
    assert codes["pepperoni"].amount is Amount.EXTRA
    assert {"sausage", "green_peppers", "mushrooms", "black_olives"} <= set(codes)
    assert "NO ONIONS" in price_item(MENU, line).changes


def test_crust_sauce_cheese_quantity_and_note() -> None:
    line = parse_item_line("2 md pep thin s~ ch:x # well done", MENU)
    assert (line.quantity, line.crust, line.sauce_amount, line.cheese_amount, line.notes) == (
        2,
        "thin",
        Amount.LIGHT,
        Amount.EXTRA,
        "well done",
    )
    assert parse_item_line("lg pep -s", MENU).sauce == "none"
    assert parse_item_line("lg bbq chicken", MENU).product == "bbq_chicken"


def test_a_side_with_one_size_needs_no_size() -> None:
    assert parse_item_line("bread", MENU) == ItemRequest(product="breadsticks", size="each")
    assert parse_item_line("2l cola", MENU).size == "2l"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "Type an item"),
        ("lg ch", "could be"),
        ("lg zzz", "No product starts with 'zzz'"),
        ("pep", "Which size of Pepperoni Pizza"),
        ("lg pep +zz", "No topping starts with 'zz'"),
        ("lg pep -ham", "no Ham on Pepperoni Pizza"),
        ("8pc wings +ham", "takes no toppings"),
        ("lg pep +pep:q", "not a half or an amount"),
        ("lg pep banana", "is not a size, crust or change"),
    ],
)
def test_what_cannot_be_read_says_how_to_fix_it(typed: str, says: str) -> None:
    with pytest.raises(ItemLineError, match=says):
        parse_item_line(typed, MENU)


def test_quantity_limits_are_left_to_the_pricing_rules() -> None:
    assert parse_item_line("0 lg pep", MENU).quantity == 0
    assert parse_item_line("100 lg pep", MENU).quantity == 100


def test_cart_becomes_the_order_request() -> None:
    address = AddressRequest(line1="1200 N Harlem Ave", lat=41.9, lon=-87.8)
    cart = (
        Cart()
        .with_customer("7085550142", "Maria", address)
        .add(parse_item_line("lg pep", MENU))
        .with_service(Service.DELIVERY)
        .with_tender("pay_at_door")
    )
    request = cart.request("staff-1")
    assert request.channel is Channel.PHONE
    assert request.address == address
    assert [t.kind for t in request.tenders] == ["pay_at_door"]
    assert request.taken_by == "staff-1"
    carryout = cart.with_service(Service.CARRYOUT)
    assert carryout.tender == "cash"  # pay at the door makes no sense over the counter
    assert carryout.request().address is None


def test_cash_amounts() -> None:
    assert parse_money("40") == 4000
    assert parse_money("$40.5") == 4050
    assert parse_money(" ") is None
    with pytest.raises(TerminalError, match="not an amount"):
        parse_money("forty")


def test_care_flags_after_at_sign_and_what_the_counter_hears() -> None:
    from terminal.data.item_line import read_item_line

    read = read_item_line("lg pep @ allergy milk, well done # ring twice", MENU)
    assert [f.label for f in read.request.care] == ["ALLERGY: MILK", "WELL DONE"]
    assert read.request.notes == "ring twice"
    assert read.understood.endswith("⚠ ALLERGY: MILK; WELL DONE; CONTAINS MILK")
    for bad, says in (("lg pep @", "Type the care after @"), ("lg pep @ allergy", "needs what it is to")):
        with pytest.raises(ItemLineError, match=says):
            parse_item_line(bad, MENU)
