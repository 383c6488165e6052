"""Units: mixed-unit entries, plurals, refusals, and the way back to cases and bags."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from makeline.trade.units import ItemUnits, fmt_qty
from store_db.errors import InvalidQuantity, UnknownUnit

D = Decimal
MOZZARELLA = ItemUnits(
    "mozzarella",
    "Mozzarella, shredded",
    "oz",
    "bag",
    "case",
    {"oz": D(1), "lb": D(16), "bag": D(80), "case": D(480)},
)
DOUGH = ItemUnits(
    "dough_lg",
    'Dough ball 14"',
    "each",
    "tray",
    "case",
    {"each": D(1), "tray": D(18), "case": D(72)},
)
SAUCE = ItemUnits(
    "pizza_sauce",
    "Pizza sauce",
    "fl_oz",
    "can",
    "case",
    {"fl_oz": D(1), "can": D(105), "case": D(630)},
)


def test_a_count_line_can_mix_units() -> None:
    # 2 cases (960) + 3 bags (240) + 1.5 lb (24)
    assert MOZZARELLA.parse("2 case + 3 bag + 1.5 lb") == D(1224)
    assert MOZZARELLA.parse("2 cases + 3 bags + 1.5 lbs") == D(1224)
    assert MOZZARELLA.parse("  2case+3bag  ") == D(1200)


def test_a_bare_number_is_in_the_counting_unit_unless_told() -> None:
    assert MOZZARELLA.parse("2.5") == D(200)
    assert MOZZARELLA.parse("2.5", "lb") == D(40)
    assert DOUGH.parse("1 tray + 4 each") == D(22)
    assert SAUCE.parse("12 fl oz") == D(12)
    assert DOUGH.parse("0") == D(0)


@pytest.mark.parametrize(
    ("entry", "error", "words"),
    [
        ("-1 bag", InvalidQuantity, "negative"),
        ("2 case + -3 bag", InvalidQuantity, "negative"),
        ("2 crates", UnknownUnit, "use case, bag, lb, oz"),
        ("two bags", InvalidQuantity, "not a quantity"),
        ("1,5 lb", InvalidQuantity, "not a quantity"),
        ("", InvalidQuantity, "enter a quantity"),
        ("2 bag +", InvalidQuantity, "not a quantity"),
        ("1 case + 4", InvalidQuantity, "'4' has no unit"),
    ],
)
def test_bad_entries_are_refused_with_a_clear_message(entry: str, error: type[Exception], words: str) -> None:
    with pytest.raises(error, match=words):
        MOZZARELLA.parse(entry)


def test_conversions_to_counting_and_purchase_units() -> None:
    assert MOZZARELLA.to_count(D(120)) == D("1.5")
    assert MOZZARELLA.to_purchase(D(120)) == D("0.25")
    assert DOUGH.describe(D(95)) == "1 case + 1 tray + 5 each"
    assert MOZZARELLA.describe(D("1224.5")) == "2 case + 3 bag + 1 lb + 8.5 oz"
    assert MOZZARELLA.describe(D(0)) == "0 oz"


@given(st.decimals(min_value=0, max_value=100_000, places=3))
def test_describing_then_parsing_gives_the_same_quantity(base: Decimal) -> None:
    assert MOZZARELLA.parse(MOZZARELLA.describe(base)) == base
    assert DOUGH.parse(DOUGH.describe(base)) == base


def test_quantities_print_without_noise() -> None:
    assert fmt_qty(D("2.5000")) == "2.5"
    assert fmt_qty(D("100")) == "100"
    assert fmt_qty(D(1) / D(3)) == "0.3333"
    assert fmt_qty(D("-0.00001")) == "0"
