"""The console's Fleet, Menu and Stores pages in real Chromium against a real cloud whose
stores count as online for a short heartbeat window: a store going silent shows offline on
the live fleet page without a reload; head office publishes a price change, reads its
preview, and a real store (its SQLite file and its own `makeline agent` process) applies
it and says so, while head office issues an enrollment code and opens a store's settings;
a store manager sees only their own fleet row and gets 404 for menus and stores; every
page passes the accessibility check."""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from cloud_api.app import create_app
from cloud_api.context import CloudContext
from cloud_api.db.base import utcnow
from cloud_api.demo import HEAD_OFFICE_EMAIL, MANAGER_EMAIL
from cloud_api.models import StoreHeartbeat
from cloud_api.settings import CloudSettings
from store_db.db import StoreDB
from store_db.models import Store
from store_db.services.menu import current_menu
from sync.contract import Heartbeat, PrinterHealth
from tests import calls
from tests.cloud.conftest import Cluster
from tests.cloud.fake_sendgrid import FakeSendGrid
from tests.cloud.fake_twilio import FakeTwilio
from tests.cloud.server import serve
from tests.sync.helpers import eventually, login, start_agent, stop

from .a11y import assert_accessible
from .conftest import CONSOLE_SCREENSHOTS, Cloud, screenshot
from .store import enroll_store
from .test_console import sign_in

WINDOW = 2  # seconds a store counts as online after its last heartbeat, here
DESK = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def cloud(cluster: Cluster) -> Iterator[Cloud]:
    """One cloud for this module, its stores online only `WINDOW` seconds after a heartbeat."""
    twilio, sendgrid = FakeTwilio().start(), FakeSendGrid().start()
    settings = CloudSettings(
        database_url=cluster.fresh(),
        jwt_secret="console-test-signing-key-" + "x" * 64,
        background=True,
        password_time_cost=1,
        password_memory_kib=1024,
        store_online_seconds=WINDOW,
        twilio_account_sid=twilio.account_sid,
        twilio_auth_token=twilio.auth_token,
        twilio_base_url=twilio.base_url,
        sendgrid_api_key=sendgrid.api_key,
        sendgrid_base_url=sendgrid.base_url,
    )
    app = create_app(settings)
    ctx: CloudContext = app.state.ctx
    try:
        with serve(app) as base:
            yield Cloud(base, ctx, "", twilio, sendgrid)
    finally:
        twilio.stop()
        sendgrid.stop()


def _new_store(base: str, code: str) -> dict[str, Any]:
    issued = calls.post(f"{base}/api/v1/enrollments", headers=login(base), timeout=10).json()
    details = {
        "code": code,
        "name": "makeline Forest Park",
        "timezone": "America/Chicago",
        "tax_rate_bp": 1025,
        "lat": 41.87,
        "lon": -87.81,
    }
    claimed = calls.post(
        f"{base}/api/v1/enrollments/claim", json={"code": issued["code"], "store": details}, timeout=10
    )
    assert claimed.status_code == 201, claimed.text
    return dict(claimed.json())


def _beat(base: str, token: str, **report: Any) -> None:
    beat = Heartbeat(sent_at=utcnow(), **report)
    answer = calls.post(
        f"{base}/api/v1/sync/heartbeat",
        content=beat.model_dump_json(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text


@contextmanager
def _beating(base: str, token: str, **report: Any) -> Iterator[None]:
    """The store beats over and over until the block ends, so it stays within its window
    however long a loaded machine takes to sign in and draw the page."""
    stopped = threading.Event()

    def beat() -> None:
        while not stopped.is_set():
            _beat(base, token, **report)
            stopped.wait(0.2)

    _beat(base, token, **report)
    beats = threading.Thread(target=beat, daemon=True)
    beats.start()
    try:
        yield
    finally:
        stopped.set()
        beats.join(timeout=30)


def test_the_fleet_shows_a_store_going_offline_within_its_window(page: Page, cloud: Cloud) -> None:
    store = _new_store(cloud.base, "FP-200")
    down = PrinterHealth(name="kitchen", online=False, waiting=2, last_error="paper out")
    page.set_viewport_size(DESK)
    row = page.get_by_test_id("table-fleet").locator("tbody tr", has_text="FP-200")
    with _beating(cloud.base, store["device_token"], printers=[down], outbox_backlog=3):
        sign_in(page, cloud, HEAD_OFFICE_EMAIL, "/console/fleet")
        expect(row).to_contain_text("Online", timeout=60_000)
        expect(row).to_contain_text("kitchen: DOWN, 2 waiting")
        assert_accessible(page)
        screenshot(page, "fleet", CONSOLE_SCREENSHOTS)

    # Silent from now on: the open page redraws itself and shows the store offline once its
    # heartbeat window has passed, with online ordering paused and why.
    expect(row).to_contain_text("OFFLINE", timeout=(WINDOW + 30) * 1000)
    expect(row).to_contain_text("paused: not heard from")
    with cloud.ctx.db.transaction() as session:
        heard = session.get(StoreHeartbeat, store["store_id"])
        assert heard is not None
        assert (utcnow() - heard.received_at).total_seconds() > WINDOW  # never shown offline early

    # Heard from again: back online on the same page.
    with _beating(cloud.base, store["device_token"]):
        expect(row).to_contain_text("Online", timeout=60_000)


def _store_sells(path: Path) -> tuple[int, int, dict[str, int] | None]:
    """(the menu version the store sells from, its large pepperoni's price, the new product's prices)."""
    with StoreDB(path) as db, db.read() as session:
        store = session.scalars(select(Store)).one()
        menu = current_menu(session, store)
        pepperoni = next(p for p in menu.products if p.code == "pepperoni")
        knots = menu.product("garlic_knots")
        return store.menu_version, pepperoni.price["lg"], knots.price if knots else None


def test_head_office_publishes_a_price_change_a_real_store_applies_it_and_enrolls_a_store(
    page: Page, cloud: Cloud, demo_store_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "store.db"
    shutil.copyfile(demo_store_template, path)
    with StoreDB(path) as db:
        store_id = enroll_store(db, cloud.base)
    agent = start_agent(path, tmp_path / "agent.log")
    try:
        page.set_viewport_size(DESK)
        sign_in(page, cloud, HEAD_OFFICE_EMAIL, "/console/menu")
        expect(page.get_by_role("heading", level=1)).to_have_text("Menu")
        assert_accessible(page)
        screenshot(page, "menu", CONSOLE_SCREENSHOTS)

        page.get_by_test_id("menu-store").select_option(store_id)
        page.get_by_test_id("menu-load").click()
        page.get_by_test_id("price-pepperoni-lg").fill("17.99")
        page.get_by_test_id("new-name").fill("Garlic Knots")  # and a brand-new product
        page.get_by_test_id("new-code").fill("garlic_knots")
        page.get_by_test_id("new-category").select_option("sides")
        page.get_by_test_id("new-price-each").fill("5.49")
        page.get_by_test_id("new-allergens").fill("gluten, milk")
        page.get_by_test_id("menu-preview").click()
        main = page.locator("main")
        expect(main).to_contain_text("What changes for OP-001 (selling v1)")
        changes = page.get_by_test_id("table-changes1")
        expect(changes).to_contain_text("Pepperoni Pizza (lg)")
        expect(changes).to_contain_text("$17.08")
        expect(changes).to_contain_text("$17.99")
        expect(changes).to_contain_text("Garlic Knots")
        expect(page.get_by_test_id("table-reach")).to_contain_text("OP-001")
        assert_accessible(page)
        screenshot(page, "menu-preview", CONSOLE_SCREENSHOTS)

        page.get_by_test_id("menu-publish").click()
        expect(page.get_by_test_id("menu-notice")).to_contain_text("Published v2")

        # While the store applies it: the stores pages, an enrollment code for a new store.
        page.get_by_test_id("nav-stores").click()
        page.get_by_test_id("new-store-code").click()
        expect(page.get_by_test_id("code")).to_have_text(re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$"))
        assert_accessible(page)
        screenshot(page, "stores", CONSOLE_SCREENSHOTS)
        page.get_by_test_id("table-stores").get_by_role("link", name="OP-001").click()
        expect(page.get_by_test_id("setting-tax_rate_bp")).to_have_value("10.25")
        assert_accessible(page)
        screenshot(page, "store", CONSOLE_SCREENSHOTS)

        assert eventually(
            lambda: _store_sells(path) == (2, 1799, {"each": 549}), timeout=30, what="the store on v2"
        )

        def applied() -> bool:
            page.goto(cloud.base + "/console/menu?version=2")
            cells = page.get_by_test_id("table-rollout").locator("tbody tr", has_text="OP-001").locator("td")
            return cells.nth(2).inner_text() == "applied"

        eventually(applied, timeout=30, every=0.5, what="the console showing OP-001 applied v2")
        expect(page.get_by_test_id("table-rollout")).to_contain_text("v2")
    finally:
        stop(agent)


def test_a_store_manager_sees_their_fleet_row_only_and_no_menu_or_stores(page: Page, cloud: Cloud) -> None:
    page.set_viewport_size(DESK)
    sign_in(page, cloud, MANAGER_EMAIL, "/console/fleet")
    rows = page.get_by_test_id("table-fleet").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("OP-001")
    assert_accessible(page)
    for path in ("/console/menu", "/console/stores", "/console/menu?csv=versions"):
        answer = page.goto(cloud.base + path)
        assert answer is not None and answer.status == 404, path
