"""The variance report over real counts, deliveries, waste and made orders."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from makeline.trade.pricing import ItemRequest
from store_db.db import StoreDB
from store_db.errors import NoCount
from store_db.queries import stock_ledger as ledger
from store_db.queries import variance_report as report
from store_db.services import stock_counts as counts
from store_db.services import waste
from store_db.services.receiving import ReceiptLineIn, receive
from tests.stock.helpers import CREW, T0, make

D = Decimal


def full_count(db: StoreDB, at: object, figures: dict[str, str]) -> None:
    with db.write() as session:
        codes = [c for c, item in ledger.catalog(session).items() if item.active]
        counts.record_count(session, "full", [(c, figures.get(c, "0"), None) for c in codes], at)  # type: ignore[arg-type]


def test_no_count_no_report(db: StoreDB) -> None:
    with pytest.raises(NoCount, match="no finalised stock count yet"), db.read() as session:
        report.variance_report(session, T0)


def test_a_hand_checked_period(db: StoreDB) -> None:
    full_count(
        db,
        T0,
        {
            "mozzarella": "3 case",
            "dough_lg": "2 case",
            "pepperoni": "1 case",
            "box_lg": "2",
            "pizza_sauce": "1 case",
            "cornmeal": "1 bag",
        },
    )
    with db.write() as session:
        receive(session, [ReceiptLineIn("mozzarella", "1", "case", 8400)], T0 + timedelta(hours=1))
        waste.waste_item(session, "dough_lg", "4 each", "expired", CREW, T0 + timedelta(hours=2))
    for n in range(10):  # ten large pepperoni: 80 oz cheese, 10 dough, 20 oz pepperoni, 10 boxes
        make(db, T0 + timedelta(hours=3, minutes=5 * n), ItemRequest(product="pepperoni", size="lg"))
    with db.read() as session:
        mid = report.variance_report(session, T0 + timedelta(hours=5))
    assert mid["closing_count"] is None
    row = next(r for r in mid["items"] if r["code"] == "mozzarella")
    assert (row["ideal"], row["expected"], row["actual"]) == ("1", "23", None)  # bags
    # Closing: cheese 1 bag short of the books, pepperoni 8 oz short, dough as expected.
    full_count(
        db,
        T0 + timedelta(days=1),
        {
            "mozzarella": "3 case + 4 bag",  # books: 1920 − 80 = 1840 oz = 23 bags; counted 22
            "dough_lg": "1 case + 3 tray + 4 each",  # books: 144 − 4 − 10 = 130 = 1 case + 3 trays + 4
            "pepperoni": "4 bag + 52 oz",  # books: 400 − 20 = 380 oz; counted 372
            "box_lg": "1 bundle + 40 each",  # books: 100 − 10 = 90 boxes: as expected
            "pizza_sauce": "580 fl oz",  # books: 630 − 50
            "cornmeal": "797.5 oz",  # books: 800 − 2.5
        },
    )
    with db.read() as session:
        result = report.variance_report(session, T0 + timedelta(days=1, hours=1))
    rows = {r["code"]: r for r in result["items"]}
    assert rows["mozzarella"]["unit"] == "bag"
    assert (
        rows["mozzarella"]["ideal"],
        rows["mozzarella"]["actual"],
        rows["mozzarella"]["variance"],
    ) == ("1", "2", "1")
    assert rows["mozzarella"]["variance_cents"] == 1400
    assert (rows["pepperoni"]["variance"], rows["pepperoni"]["variance_cents"]) == ("0.1", 196)
    assert (rows["dough_lg"]["waste"], rows["dough_lg"]["variance"]) == ("0.2222", "0")
    # Sorted by money lost; nothing else lost money.
    assert [r["code"] for r in result["items"][:2]] == ["mozzarella", "pepperoni"]
    assert [(r["code"], r["variance"]) for r in result["items"][2:] if r["variance"] != "0"] == []
    totals = result["totals"]
    assert totals["variance_cents"] == 1596
    assert totals["net_sales_cents"] == 10 * 1708  # a large pepperoni is $17.08
    assert totals["variance_pct_of_sales"] == "9.34"  # $15.96 of $170.80
    low = {r["code"]: r for r in result["low_stock"]}
    assert low["pepperoni"]["suggested_order"] == 2  # par 10 bags = 800 oz; 372 on hand: 428 short
    assert "mozzarella" not in low  # 22 bags ≥ par 18
    text = report.render_text(result)
    assert "Mozzarella, shredded" in text and "$14.00" in text and "order 2 case" in text
