"""`makeline stock …` and `makeline report variance`, run as commands on a real store file."""

from __future__ import annotations

import argparse
import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from makeline.cli import store as store_cli
from makeline.trade.pricing import ItemRequest
from store_db.db import StoreDB
from store_db.errors import InvalidQuantity, UnknownItem, UnknownUnit
from store_db.models import StockCount, WasteEntry
from tests.stock.helpers import T0, make
from tests.store.helpers import fingerprint


def run(*argv: str) -> None:
    parser = argparse.ArgumentParser(prog="makeline")
    store_cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    args.run(args)


def sheet(store_path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> list[dict[str, str]]:
    run("stock", "sheet", "--db", str(store_path), *extra)
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


def test_sheet_count_receive_waste_and_variance(
    store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = sheet(store_path, capsys)
    assert len(rows) == 66 and list(rows[0])[:4] == ["code", "name", "unit", "quantity"]
    assert rows[0]["code"] == "dough_sm" and rows[0]["unit"] == "tray" and rows[0]["quantity"] == "0"
    assert [r["code"] for r in sheet(store_path, capsys, "--kind", "daily")][:3] == [
        "dough_sm",
        "dough_md",
        "dough_lg",
    ]
    # The handheld fills in the sheet: every item 2 counting units, the cheese in mixed units.
    counted = tmp_path / "count.csv"
    with counted.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["code", "quantity", "unit"])
        for row in rows:
            writer.writerow(
                [row["code"], "2 case + 3 bag" if row["code"] == "mozzarella" else "2", row["unit"]]
            )
    run(
        "stock",
        "count",
        "--db",
        str(store_path),
        "--csv",
        str(counted),
        "--at",
        "2024-11-18T09:00",
        "--by",
        "Dana",
    )
    assert "full count at 2024-11-18 09:00 (store time) is finalised" in capsys.readouterr().out
    invoice = tmp_path / "invoice.csv"
    invoice.write_text("code,quantity,unit,cost\nmozzarella,2,case,168.00\ndough_lg,1,,$33.00\n")
    run(
        "stock",
        "receive",
        "--db",
        str(store_path),
        "--csv",
        str(invoice),
        "--supplier",
        "Sysco",
        "--invoice",
        "A-1",
        "--at",
        "2024-11-18T10:00",
    )
    assert "Received 2 lines, $201.00." in capsys.readouterr().out
    with StoreDB(store_path) as db:
        make(db, T0 + timedelta(hours=2), ItemRequest(product="pepperoni", size="lg"))
    run(
        "stock",
        "waste",
        "--db",
        str(store_path),
        "--item",
        "dough_lg",
        "--quantity",
        "3 each",
        "--reason",
        "expired",
        "--by",
        "Alex",
        "--at",
        "2024-11-18T12:00",
    )
    assert 'Waste recorded: Dough ball 14": 0.1667 tray' in capsys.readouterr().out
    assert [r["quantity"] for r in sheet(store_path, capsys) if r["code"] == "mozzarella"] == ["26.9"]
    # Closing count: the books, except 1 bag of cheese is missing.
    closing = tmp_path / "closing.csv"
    books = {r["code"]: r for r in sheet(store_path, capsys)}
    books["mozzarella"]["quantity"] = "25.9"
    with closing.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(books["mozzarella"]))
        writer.writeheader()
        writer.writerows(books.values())
    run("stock", "count", "--db", str(store_path), "--csv", str(closing), "--at", "2024-11-19T09:00")
    capsys.readouterr()
    run("report", "variance", "--db", str(store_path), "--json")
    result = json.loads(capsys.readouterr().out)
    first = result["items"][0]
    assert {
        k: first[k] for k in ("code", "name", "unit", "ideal", "actual", "variance", "variance_cents")
    } == {
        "code": "mozzarella",
        "name": "Mozzarella, shredded",
        "unit": "bag",
        "ideal": "0.1",
        "actual": "1.1",
        "variance": "1",
        "variance_cents": 1400,
    }
    assert [r for r in result["items"][1:] if r["variance"] != "0"] == []
    run("report", "variance", "--db", str(store_path))
    assert "Mozzarella, shredded" in capsys.readouterr().out


def test_an_order_pizza_thrown_out_from_the_command_line(
    store_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with StoreDB(store_path) as db:
        order_id = make(db, T0, ItemRequest(product="cheese", size="md"))
        with db.read() as session:
            from store_db.models import Order

            order = session.get(Order, order_id)
            assert order is not None
            number, day = order.number, order.business_date
    run(
        "stock",
        "waste",
        "--db",
        str(store_path),
        "--order",
        str(number),
        "--day",
        day.isoformat(),
        "--reason",
        "dropped",
        "--by",
        "Alex",
    )
    assert "1 × Cheese" in capsys.readouterr().out
    with StoreDB(store_path) as db, db.read() as session:
        assert session.scalars(select(WasteEntry)).one().reason == "dropped"


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("mozzarella,-1,bag", InvalidQuantity),
        ("mozzarella,1,crate", UnknownUnit),
        ("mozarella,1,bag", UnknownItem),
    ],
)
def test_a_bad_count_file_is_refused_and_saves_nothing(
    store_path: Path, tmp_path: Path, line: str, error: type[Exception]
) -> None:
    counted = tmp_path / "count.csv"
    counted.write_text("code,quantity,unit\ndough_lg,2,tray\n" + line + "\n")
    with StoreDB(store_path) as db:
        before = fingerprint(db)
    with pytest.raises(error):
        run("stock", "count", "--db", str(store_path), "--csv", str(counted), "--kind", "daily")
    with StoreDB(store_path) as db:
        assert fingerprint(db) == before
        with db.read() as session:
            assert session.scalars(select(StockCount)).first() is None
