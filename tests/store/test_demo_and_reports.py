"""The demo store, the simulator and the sales report, through the real command line."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from makeline.demo.simulate import simulate
from makeline.trade.menu import ProductKind
from store_db.db import StoreDB
from store_db.models import Customer, InventoryItem, Order, Staff
from store_db.services.menu import current_menu
from tests.store.helpers import fingerprint


def makeline(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "makeline", *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_demo_store_is_realistic(db: StoreDB) -> None:
    with db.read() as session:
        menu = current_menu(session)
        pizzas = [p for p in menu.products if p.kind is ProductKind.PIZZA and p.toppings]
        assert len(pizzas) >= 12
        assert len([s for s in menu.sizes if s.inches]) == 4
        assert len(menu.crusts) >= 3 and len(menu.toppings) >= 20
        assert {ProductKind.SIDE, ProductKind.DRINK, ProductKind.DESSERT} <= {p.kind for p in menu.products}
        assert session.scalar(select(func.count()).select_from(InventoryItem)) >= 60
        assert session.scalar(select(func.count()).select_from(Staff).where(Staff.role == "driver")) >= 6
        assert session.scalar(select(func.count()).select_from(Customer)) >= 200


def test_init_store_demo_twice_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    first = makeline("init-store", "--db", str(path), "--demo")
    assert first.returncode == 0, first.stderr
    with StoreDB(path) as db:
        before = fingerprint(db)
    second = makeline("init-store", "--db", str(path), "--demo")
    assert second.returncode == 0 and "nothing to do" in second.stdout
    with StoreDB(path) as db:
        assert fingerprint(db) == before


def test_simulate_then_report_adds_up(db: StoreDB, store_path: Path) -> None:
    out = io.StringIO()
    simulate(db, 40, out, through="delivered", seed=7)
    lines = out.getvalue().splitlines()
    assert len(lines) == 40
    assert all(line.startswith("#") and "$" in line for line in lines)
    with db.read() as session:
        orders = session.scalars(select(Order)).all()
        assert {o.stage for o in orders} <= {"delivered", "picked_up"}
        assert all(o.made_at and o.baked_at and o.ready_at for o in orders)
        days = sorted({o.business_date for o in orders})
        expected = sum(o.subtotal - o.discount for o in orders)
    result = makeline(
        "report",
        "sales",
        "--db",
        str(store_path),
        "--from",
        days[0].isoformat(),
        "--to",
        days[-1].isoformat(),
        "--json",
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["totals"]["orders"] == 40
    assert report["totals"]["net_sales_cents"] == expected
    assert sum(v["orders"] for v in report["by_channel"]) == 40
    assert sum(r["sales_cents"] for r in report["product_mix"]) == report["totals"]["gross_cents"]


def test_bad_dates_are_refused_clearly(store_path: Path) -> None:
    result = makeline("report", "sales", "--db", str(store_path), "--from", "2026-13-01")
    assert result.returncode == 2
    assert "--from '2026-13-01' is not a date; write it as YYYY-MM-DD" in result.stderr
