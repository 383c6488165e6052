"""Fixtures for the storefront's browser tests: Debian's Chromium driven by Playwright, and a
real cloud (uvicorn on a loopback port, with its background senders) on the embedded
PostgreSQL of the cloud's tests, seeded with the demo chain, the demo store online.

One browser and one cloud per test module: browsers are slow to start. Without a Chromium
the tests fail, loudly; `make test` installs Debian's package first.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from cloud_api.app import create_app
from cloud_api.context import CloudContext
from cloud_api.db.base import utcnow
from cloud_api.demo import STORE_CODE
from cloud_api.settings import CloudSettings
from cloud_api.stores import repository as stores
from cloud_api.stores.service import record_heartbeat
from tests.cloud.conftest import Cluster, cluster  # noqa: F401  (the session's PostgreSQL)
from tests.cloud.fake_sendgrid import FakeSendGrid
from tests.cloud.fake_twilio import FakeTwilio
from tests.cloud.server import free_port, serve
from tests.patience import patient

# Assertions on a page wait as patiently as every other wait in the tests.
expect.set_options(timeout=patient(5) * 1000)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "storefront"
CONSOLE_SCREENSHOTS = SCREENSHOTS.parent / "console"
PHONE = {"width": 390, "height": 844}  # a phone first


@dataclass
class Cloud:
    base: str
    ctx: CloudContext
    store_id: str
    twilio: FakeTwilio
    sendgrid: FakeSendGrid


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"No browser for the storefront tests: {CHROMIUM} is missing. Run `make test` (it installs "
            "Debian's chromium) or `apt-get install chromium`.",
            pytrace=False,
        )
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    found = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield found
    found.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, locale="en-US", timezone_id="Asia/Tokyo")
    context.set_default_timeout(patient(15) * 1000)
    found = context.new_page()
    yield found
    context.close()


@pytest.fixture(scope="module")
def cloud(cluster: Cluster) -> Iterator[Cloud]:  # noqa: F811
    twilio = FakeTwilio().start()
    sendgrid = FakeSendGrid().start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = CloudSettings(
        database_url=cluster.fresh(),
        jwt_secret="web-test-signing-key-" + "x" * 64,
        background=True,
        public_url=base,
        password_time_cost=1,
        password_memory_kib=1024,
        store_online_seconds=10**7,  # the demo store stays "heard from" for the whole module
        twilio_account_sid=twilio.account_sid,
        twilio_auth_token=twilio.auth_token,
        twilio_base_url=twilio.base_url,
        sendgrid_api_key=sendgrid.api_key,
        sendgrid_base_url=sendgrid.base_url,
    )
    app = create_app(settings)
    ctx: CloudContext = app.state.ctx
    with ctx.db.transaction() as session:
        store = stores.store_by_code(session, STORE_CODE)
        assert store is not None
        record_heartbeat(session, store.id, utcnow())
        store_id = store.id
    try:
        with serve(app, port=port):
            yield Cloud(base, ctx, store_id, twilio, sendgrid)
    finally:
        twilio.stop()
        sendgrid.stop()


def screenshot(page: Page, name: str, folder: Path = SCREENSHOTS) -> None:
    """Take the page's picture (so drawing it is tested); keep it for docs/storefront.md only
    when asked (MAKELINE_DOCS_SCREENSHOTS=1), so a test run leaves the tree as it was."""
    picture = page.screenshot(full_page=True)
    assert picture.startswith(b"\x89PNG")
    if os.environ.get("MAKELINE_DOCS_SCREENSHOTS"):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.png").write_bytes(picture)


def eventually(check: Callable[[], bool], what: str, timeout: float = 30) -> None:
    """Poll for a condition with a generous deadline (never a fixed sleep)."""
    timeout = patient(timeout)
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting after {timeout:.0f} s for {what}")
        time.sleep(0.05)
