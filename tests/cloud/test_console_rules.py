"""The console's pure rules, without a database: runs per driver-hour on honest hours, the
dayparts and the speed sums, the tables' CSV, and the sales page's comparisons."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast

from cloud_api.console.charts import bars
from cloud_api.console.delivery_pages import honest
from cloud_api.console.sales_pages import change_pct, days_against, hours_against
from cloud_api.console.tables import Column, Kind, Table, to_csv
from cloud_api.models import Store
from cloud_api.reports.dayparts import daypart
from cloud_api.reports.driver_hours import rate
from cloud_api.reports.speed import fold


def test_a_one_minute_shift_does_not_report_hundreds_of_runs_an_hour() -> None:
    # Five runs behind a shift clocked for one minute: the old figure was 300 runs an hour.
    short = rate(5, Decimal(60), Decimal(0))
    assert short.runs_per_hour is None and short.hours == 0.02
    # The same five runs took 100 minutes out of the store: the hours stand on that.
    out = rate(5, Decimal(60), Decimal(100 * 60))
    assert out.runs_per_hour == 3.0 and out.hours == 1.67 and out.clock_short
    # A real shift: the clock's hours.
    shift = rate(14, Decimal(4 * 3600), Decimal(3 * 3600))
    assert shift.runs_per_hour == 3.5 and shift.hours == 4.0 and not shift.clock_short


def test_dayparts_follow_the_stores_day() -> None:
    assert [daypart(h, 4) for h in (4, 11, 14, 15, 20, 21, 23, 0, 3)] == [
        "lunch",
        "lunch",
        "lunch",
        "dinner",
        "dinner",
        "late",
        "late",
        "late",
        "late",
    ]


def _hour(store_id: str, hour: int, make_s: int, orders: int, early: int = 0) -> dict[str, Any]:
    part = daypart(hour, 4)
    row: dict[str, Any] = {"store_id": store_id, "daypart": part, "orders": orders, "early_bumps": early}
    row |= {"quick_deliveries": 0, "repeated_recalls": 0, "flagged": early}
    for m in ("make", "oven", "rack", "out_the_door", "delivery"):
        row[f"{m}_s"], row[f"{m}_n"] = (make_s * orders, orders) if m == "make" else (None, 0)
    return row


def test_speed_sets_dayparts_against_targets_with_exact_averages() -> None:
    store = cast(Store, SimpleNamespace(id="s1", code="OP-001", name="Oak Park", day_starts_hour=4))
    rows = fold([_hour("s1", 12, 30, 2), _hour("s1", 13, 90, 2, early=1), _hour("s1", 19, 150, 1)], [store])
    by_part = {r["daypart"]: r for r in rows}
    assert list(by_part) == ["lunch", "dinner", "whole day"]
    assert by_part["lunch"]["make_min"] == 1.0 and not by_part["lunch"]["make_over"]
    assert by_part["dinner"]["make_min"] == 2.5 and by_part["dinner"]["make_over"]
    assert by_part["whole day"]["make_min"] == 1.3 and by_part["whole day"]["early_bumps"] == 1
    assert by_part["whole day"]["orders"] == 5 and by_part["whole day"]["oven_min"] is None


def test_csv_cells_that_look_like_formulas_are_neutralised() -> None:
    table = Table(
        "products",
        "Product mix",
        [Column("name", "Product"), Column("sales", "Sales", Kind.MONEY), Column("pct", "Share", Kind.PCT)],
        [
            {"name": '=HYPERLINK("http://evil.example","Click")', "sales": -1250, "pct": "-2.5"},
            {"name": "@SUM(A1)", "sales": 5, "pct": None},
            {"name": "Pepperoni\r\n+1", "sales": 199, "pct": "1.0"},
        ],
    )
    rows = list(csv.reader(io.StringIO(to_csv(table))))
    assert rows[0] == ["Product", "Sales ($)", "Share (%)"]
    assert rows[1] == ['\'=HYPERLINK("http://evil.example","Click")', "-12.50", "-2.5"]
    assert rows[2] == ["'@SUM(A1)", "0.05", ""]
    assert rows[3] == ["Pepperoni\r\n+1", "1.99", "1.0"]


def test_the_week_sits_beside_the_same_days_a_week_earlier() -> None:
    now = {"by_day": [{"date": "2026-11-06", "net_sales_cents": 500, "orders": 2}]}
    before = {"by_day": [{"date": "2026-10-30", "net_sales_cents": 400, "orders": 1}]}
    days = days_against(now, before, date(2026, 11, 6))
    assert len(days) == 7 and days[-1] == {"day": "Fri 06 Nov", "net": 500, "orders": 2, "before": 400}
    assert days[0]["net"] == 0 and days[0]["day"] == "Sat 31 Oct"
    hours = hours_against(
        {"by_hour": [{"hour": 18, "net_sales_cents": 300, "orders": 1}]},
        {"by_hour": [{"hour": 12, "net_sales_cents": 100, "orders": 1}]},
    )
    assert [h["hour"] for h in hours] == ["12:00", "18:00"] and hours[0]["net"] == 0
    assert change_pct(500, 400) == "+25.0" and change_pct(5, 0) is None


def test_a_chart_names_what_it_shows_and_keeps_its_numbers() -> None:
    table = Table("hours", "By hour", [Column("hour", "Hour"), Column("net", "Net sales", Kind.MONEY)], [])
    chart = bars("Net sales by hour", "Each hour's net sales.", table, "hour", "net")
    assert chart.image.startswith("data:image/svg+xml;base64,") and chart.table is table


def test_driver_hours_needed_stand_beside_the_hours_worked() -> None:
    row = honest({"runs": 5, "driver_hours": 2.25}, Decimal(5400))  # 1.5 h out on 5 runs
    assert row["hours_on_runs"] == 1.5 and row["hours_on_clock"] == 2.25
    assert row["driver_hours"] == 2.25 and row["runs_per_driver_hour"] == 2.22
    short = honest({"runs": 5, "driver_hours": 0.02}, Decimal(5400))  # clocked a minute
    assert short["hours_on_clock"] == 0.02 and short["driver_hours"] == 1.5
