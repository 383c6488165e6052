"""The variance math, food cost, weighted cost and suggested orders, without a database."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from makeline.trade.costing import Price, weighted_cost
from makeline.trade.variance import (
    ItemPeriod,
    by_money_lost,
    food_cost,
    on_hand_at_moment,
    suggested_order,
    variance_line,
)

D = Decimal
CHEESE_PRICE = Price(8400, D(480))  # $84.00 a case of 480 oz


def period(code: str = "mozzarella", **kw: Decimal) -> ItemPeriod:
    values = {
        "opening": D(960),
        "received": D(1440),
        "wasted": D(16),
        "ideal": D(1600),
        "closing": D(700),
    }
    values.update(kw)
    return ItemPeriod(code=code, name=code, count_unit="bag", count_size=D(80), price=CHEESE_PRICE, **values)


def test_actual_usage_and_variance_in_units_and_money() -> None:
    line = variance_line(period())
    assert line.actual == D(960 + 1440 - 700 - 16) == D(1684)
    assert line.variance == D(84)  # 84 oz more used than sold
    assert line.in_count_units(line.variance) == D("1.05")  # bags
    assert line.variance_cents == 1470  # 84 oz × 8400 / 480
    assert (line.ideal_cents, line.actual_cents, line.waste_cents) == (28000, 29470, 280)


def test_a_store_that_used_less_than_sold_shows_a_negative_variance() -> None:
    line = variance_line(period(closing=D(800)))
    assert line.variance == D(-16) and line.variance_cents == -280


def test_sorted_by_money_lost() -> None:
    lines = [
        variance_line(period("a", closing=D(784))),
        variance_line(period("b", closing=D(600))),
        variance_line(period("c", closing=D(900))),
    ]
    assert [v.code for v in by_money_lost(lines)] == ["b", "a", "c"]


def test_food_cost_as_a_share_of_sales() -> None:
    cost = food_cost([variance_line(period())], net_sales_cents=100_000)
    assert (cost.ideal_pct, cost.actual_pct, cost.variance_pct) == (
        D("28.00"),
        D("29.47"),
        D("1.47"),
    )
    assert food_cost([variance_line(period())], 0).actual_pct is None


@given(
    st.decimals(0, 10_000, places=2),
    st.decimals(0, 10_000, places=2),
    st.decimals(0, 500, places=3),
    st.decimals(0, 5_000, places=4),
    st.decimals(-200, 200, places=3),
)
def test_the_variance_is_exactly_the_shrinkage(
    opening: Decimal, received: Decimal, wasted: Decimal, ideal: Decimal, shrink: Decimal
) -> None:
    closing = opening + received - wasted - ideal - shrink
    line = variance_line(
        period(opening=opening, received=received, wasted=wasted, ideal=ideal, closing=closing)
    )
    assert line.variance == shrink


def test_a_line_counted_late_is_rolled_back_to_the_moment() -> None:
    # 472 oz on the shelf after 8 oz were used and a 480 oz case arrived since the count started.
    assert on_hand_at_moment(D(952), used=D(8), wasted=D(0), received=D(480)) == D(480)


def test_suggested_order_brings_stock_back_to_par_in_whole_purchase_units() -> None:
    # Par 18 bags (1440 oz), 300 oz on hand: short 1140 oz → 3 cases of 480.
    assert suggested_order(D(300), D(18), D(80), D(480)) == 3
    assert suggested_order(D(1440), D(18), D(80), D(480)) == 0
    assert suggested_order(D(-100), D(1), D(80), D(480)) == 1  # the books run negative: still order


def test_weighted_average_cost() -> None:
    # 960 oz at $84 + 1440 oz for $270 → (16800 + 27000) / 2400 × 480 = 8760
    assert weighted_cost(D(960), 8400, D(480), D(1440), 27000) == 8760
    assert weighted_cost(D(-50), 8400, D(480), D(480), 9000) == 9000  # nothing on the books
    assert weighted_cost(D(960), 8400, D(480), D(0), 0) == 8400
