"""The console in real Chromium: head office signs in and reads the day's sales; every page
passes the accessibility check."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from cloud_api.demo import DEMO_PASSWORD, HEAD_OFFICE_EMAIL

from .a11y import assert_accessible
from .conftest import CONSOLE_SCREENSHOTS, Cloud, screenshot


def sign_in(page: Page, cloud: Cloud, email: str, then: str = "/console/sales") -> None:
    page.goto(cloud.base + then)
    expect(page).to_have_url(cloud.base + "/console/signin?next=" + then.split("?", maxsplit=1)[0])
    page.get_by_test_id("email").fill(email)
    page.get_by_test_id("password").fill(DEMO_PASSWORD)
    page.get_by_test_id("sign-in").click()


def test_head_office_signs_in_to_the_console(page: Page, cloud: Cloud) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(cloud.base + "/console/signin")
    assert_accessible(page)
    sign_in(page, cloud, HEAD_OFFICE_EMAIL)
    expect(page.get_by_test_id("who")).to_contain_text("Head office")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sales · the chain")
    expect(page.get_by_test_id("chart-hours").locator("img")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "sales", CONSOLE_SCREENSHOTS)
