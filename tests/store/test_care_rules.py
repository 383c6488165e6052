"""The pure rules of care flags: what the counter's words mean, their limits, and what a
line contains from the menu."""

from __future__ import annotations

import pytest

from makeline.demo.menu import demo_menu
from makeline.trade.care import CareFlag, CareKind, ack_name, line_labels, parse_care
from makeline.trade.errors import BadCareFlag
from makeline.trade.menu import Menu, ToppingChoice
from makeline.trade.pricing import ItemRequest, price_item


@pytest.mark.parametrize(
    ("typed", "labels"),
    [
        ("allergy peanuts", ["ALLERGY: PEANUTS"]),
        ("Allergic: tree nuts; well done", ["ALLERGY: TREE NUTS", "WELL DONE"]),
        ("well-done, squares, no cut", ["WELL DONE", "CUT IN SQUARES", "DO NOT CUT"]),
        ("cut in squares, cut in squares", ["CUT IN SQUARES"]),
        ("light bake", ["LIGHT BAKE"]),
        ("no oregano on top", ["CARE: NO OREGANO ON TOP"]),
        ("  ,  ", []),
    ],
)
def test_counter_words_become_flags(typed: str, labels: list[str]) -> None:
    assert [f.label for f in parse_care(typed)] == labels


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("allergy", "needs what it is to"),
        ("allergy " + "x" * 61, "60 or fewer"),
        ("a, b, c, d, e, f", "At most 5"),
        ("allergy nuts\x1b[2J", "control characters"),
    ],
)
def test_flags_that_cannot_be_read_are_refused_by_name(typed: str, says: str) -> None:
    with pytest.raises(BadCareFlag, match=says):
        parse_care(typed)


def test_a_line_contains_what_its_crust_sauce_cheese_and_toppings_contain() -> None:
    menu: Menu = demo_menu()
    item = price_item(
        menu,
        ItemRequest(
            product="cheese",
            size="lg",
            toppings=[ToppingChoice(code="anchovies")],
            care=[CareFlag(kind=CareKind.ALLERGY, text="fish, eggs")],
        ),
    )
    assert item.allergens == ["fish", "gluten", "milk", "wheat"]
    labels = line_labels([f.model_dump() for f in item.care], item.allergens)
    assert labels == ["ALLERGY: FISH, EGGS", "CONTAINS FISH"]
    assert price_item(menu, ItemRequest(product="cola", size="2l")).allergens == []


def test_a_stored_flag_that_no_longer_reads_still_shows() -> None:
    assert line_labels([{"kind": "shout"}], []) == ["CARE: {'KIND': 'SHOUT'}"]


def test_the_acknowledging_name_is_one_short_line() -> None:
    assert ack_name("  Ana  ") == "Ana"
    for bad in ("", " ", "x" * 41, "A\nB"):
        with pytest.raises(BadCareFlag):
            ack_name(bad)
