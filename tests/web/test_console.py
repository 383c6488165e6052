"""The console in real Chromium, on a store that lived a whole business day through its own
services and pushed it through sync: head office signs in, reads that day's sales (the total
the store's own report prints), drills into the store, and walks every page; a store manager
sees only their store and gets 404 for another's; every page passes the accessibility check."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from cloud_api.auth.principal import Role
from cloud_api.auth.service import new_account
from cloud_api.db.base import utcnow
from cloud_api.demo import DEMO_PASSWORD, HEAD_OFFICE_EMAIL, MANAGER_EMAIL
from cloud_api.stores.schemas import StoreDetails
from cloud_api.stores.service import create_store
from makeline.demo.simulate import simulate
from store_db.db import StoreDB
from store_db.reports.sales import sales_report
from tests.contract import store_day as lived_day

from .a11y import assert_accessible
from .conftest import CONSOLE_SCREENSHOTS, Cloud, screenshot
from .store import enroll_store, push_all

DESK = {"width": 1280, "height": 900}
FOREST_PARK = StoreDetails(
    code="FP-002",
    name="makeline Forest Park",
    address="7400 Madison St, Forest Park, IL",
    timezone="America/Chicago",
    tax_rate_bp=1025,
    lat=41.8795,
    lon=-87.8131,
)
OTHER_MANAGER = "forest.park.manager@makeline.test"


@dataclass(frozen=True)
class Lived:
    store_id: str  # the demo store, re-enrolled by the store computer that lived the day
    other_id: str  # a second store of the chain, with its own manager
    day: date
    net_sales_cents: int
    orders: int


@pytest.fixture(scope="module")
def lived(
    cloud: Cloud, demo_store_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Lived]:
    """A short business day through the store's own services (the contract tests' day, with
    fewer orders): counts, a supplier delivery, orders through their whole lives, a dispatch
    night on the board, cash-outs and a closing count; then enrolled and pushed through sync."""
    path = tmp_path_factory.mktemp("console") / "store.db"
    shutil.copy2(demo_store_template, path)
    day = lived_day.DAY
    with StoreDB(path) as db:
        lived_day.opening_count(db)
        lived_day.delivery_from_supplier(db)
        simulate(db, 20, io.StringIO(), through="delivered", seed=11, clock=lambda: lived_day.local(19, 30))
        lived_day.dispatch_night(db)
        lived_day.cash_out_drivers(db)
        lived_day.closing_count(db)
        store_id = enroll_store(db, cloud.base)
        push_all(db, store_id)
        with db.read() as session:
            own = sales_report(session, day, day)
    with cloud.ctx.db.transaction() as session:
        other = create_store(session, FOREST_PARK, utcnow())
        new_account(
            session,
            OTHER_MANAGER,
            DEMO_PASSWORD,
            "Forest Park Manager",
            "",
            Role.STORE_MANAGER,
            other.id,
            utcnow(),
        )
        other_id = other.id
    yield Lived(store_id, other_id, day, own.totals.net_sales_cents, own.totals.orders)


def money(cents: int) -> str:
    return f"${cents // 100:,}.{cents % 100:02d}"


def sign_in(page: Page, cloud: Cloud, email: str, then: str) -> None:
    page.goto(cloud.base + then)
    expect(page.get_by_test_id("sign-in")).to_be_visible()
    page.get_by_test_id("email").fill(email)
    page.get_by_test_id("password").fill(DEMO_PASSWORD)
    page.get_by_test_id("sign-in").click()


def test_head_office_reads_the_day_and_drills_into_the_store(page: Page, cloud: Cloud, lived: Lived) -> None:
    page.set_viewport_size(DESK)
    page.goto(cloud.base + "/console/signin")
    assert_accessible(page)
    screenshot(page, "signin", CONSOLE_SCREENSHOTS)
    day = lived.day.isoformat()
    sign_in(page, cloud, HEAD_OFFICE_EMAIL, f"/console/sales?day={day}")
    expect(page.get_by_test_id("who")).to_contain_text("Head office")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sales · the chain")
    # The chain's total is this store's (the demo store sold nothing that day).
    expect(page.get_by_test_id("kpi-1")).to_contain_text(money(lived.net_sales_cents))
    expect(page.get_by_test_id("chart-hours").locator("img")).to_be_visible()
    page.get_by_test_id("chart-hours").locator("summary").click()
    expect(page.get_by_test_id("table-hours")).to_be_visible()
    # The chart's numbers add up to the day's total.
    hourly = page.get_by_test_id("table-hours").locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert sum(round(float(c.strip("$").replace(",", "")) * 100) for c in hourly) == lived.net_sales_cents
    assert_accessible(page)
    screenshot(page, "sales-chain", CONSOLE_SCREENSHOTS)

    store_row = page.get_by_test_id("table-stores").locator("tbody tr").first
    expect(store_row).to_contain_text(money(lived.net_sales_cents))
    store_row.locator("a").click()
    expect(page).to_have_url(f"{cloud.base}/console/sales/{lived.store_id}?day={day}")
    expect(page.get_by_test_id("kpi-1")).to_contain_text(money(lived.net_sales_cents))
    expect(page.get_by_test_id("kpi-2")).to_contain_text(str(lived.orders))
    assert_accessible(page)
    screenshot(page, "sales-store", CONSOLE_SCREENSHOTS)

    pages = (
        ("speed", "speed", "speed"),
        ("delivery", "delivery", "stores"),
        ("food_cost", "food-cost", "league"),
    )
    for section, shot, table in pages:
        page.get_by_test_id(f"nav-{section}").click()
        page.get_by_label("From").fill(day)
        page.get_by_label("To").fill(day)
        page.get_by_role("button", name="Show").click()
        expect(page).to_have_url(re.compile(f"from={day}&to={day}$"))
        expect(page.locator("figure.chart img").first).to_be_visible()
        assert_accessible(page)
        screenshot(page, f"{shot}-chain", CONSOLE_SCREENSHOTS)
        page.get_by_test_id(f"table-{table}").locator("tbody a").first.click()
        expect(page.get_by_role("heading", level=1)).not_to_contain_text("the chain")
        assert_accessible(page)
        screenshot(page, f"{shot}-store", CONSOLE_SCREENSHOTS)


def test_a_store_manager_sees_only_their_store_and_404_for_another(
    page: Page, cloud: Cloud, lived: Lived
) -> None:
    page.set_viewport_size(DESK)
    day = lived.day.isoformat()
    sign_in(page, cloud, MANAGER_EMAIL, f"/console/sales?day={day}")
    expect(page.get_by_test_id("who")).to_contain_text("Store manager")
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("the chain")
    expect(page.get_by_test_id("kpi-1")).to_contain_text(money(lived.net_sales_cents))
    expect(page.get_by_test_id("table-stores")).to_have_count(0)
    for section in ("sales", "speed", "delivery", "food-cost"):
        answer = page.goto(f"{cloud.base}/console/{section}/{lived.other_id}")
        assert answer is not None and answer.status == 404, section
        expect(page.get_by_role("alert")).to_contain_text("no store of yours")
    assert_accessible(page)

    # Signed out, then in as the other store's manager: this store is now the one refused.
    page.get_by_test_id("sign-out").click()
    expect(page.get_by_test_id("sign-in")).to_be_visible()
    sign_in(page, cloud, OTHER_MANAGER, "/console/speed")
    expect(page.get_by_role("heading", level=1)).to_have_text("Speed of service · makeline Forest Park")
    answer = page.goto(f"{cloud.base}/console/speed/{lived.store_id}")
    assert answer is not None and answer.status == 404
