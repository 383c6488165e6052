"""What the delivery screens read from typing, and how the board judges rack time and promises."""

from __future__ import annotations

from datetime import timedelta

import pytest

from terminal.data.delivery_entry import read_cents, read_orders
from terminal.data.dispatch_view import promise_risk, rack_risk
from terminal.errors import DeliveryEntryError
from tests.terminal.conftest import FRIDAY


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("20", 2000), ("$20.5", 2050), ("18.83", 1883), (" 1,020.00 ", 102000), ("0", 0), ("7.", 700)],
)
def test_amounts_of_money(typed: str, cents: int) -> None:
    assert read_cents(typed, "Cash taken") == cents


@pytest.mark.parametrize("typed", ["", "twenty", "20.505", "-5", "$", "1.2.3"])
def test_what_is_not_money_is_refused_with_the_field_named(typed: str) -> None:
    with pytest.raises(DeliveryEntryError, match=r"^Cash taken: .*type it like 20 or 20\.50"):
        read_cents(typed, "Cash taken")


def test_a_blank_optional_amount_is_its_default() -> None:
    assert read_cents("  ", "Tip", blank=0) == 0


def test_order_lists() -> None:
    assert read_orders("#1042 1045, #1047") == ["#1042", "#1045", "#1047"]
    with pytest.raises(DeliveryEntryError, match="'Sam' is not an order number"):
        read_orders("#1042 Sam")
    with pytest.raises(DeliveryEntryError, match="Type the orders"):
        read_orders(" ")


def test_rack_time_turns_amber_at_the_target_and_red_at_twice_it() -> None:
    assert [rack_risk(s, 300) for s in (None, 299, 300, 599, 600)] == ["ok", "ok", "watch", "watch", "late"]


def test_a_promise_is_late_when_passed_or_missed_by_the_eta_and_amber_when_close() -> None:
    promise = FRIDAY + timedelta(minutes=20)
    minute = timedelta(minutes=1)
    assert promise_risk(promise, promise, None) == "late"
    assert promise_risk(promise, FRIDAY, promise + minute) == "late"
    assert promise_risk(promise, FRIDAY, promise - 2 * minute) == "watch"
    assert promise_risk(promise, FRIDAY, promise - 3 * minute) == "ok"
    assert promise_risk(promise, promise - 14 * minute, None) == "watch"  # no run yet, 14 min left
    assert promise_risk(promise, FRIDAY, None) == "ok"


def test_the_counter_says_where_a_delivery_promise_goes() -> None:
    from makeline.trade.quote import Estimate
    from terminal.widgets.order_summary import promise_parts

    third = Estimate(make_s=120, oven_s=540, wait_s=1140, drive_s=660, bag_position=3)
    assert promise_parts(third) == "make 2 · oven 9 · wait 19 · drive 11 (3rd)"
    assert promise_parts(Estimate(make_s=60, oven_s=540, drive_s=300, bag_position=1)) == (
        "make 1 · oven 9 · wait 0 · drive 5"
    )
