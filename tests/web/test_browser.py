"""The browser test setup itself: Chromium starts and reaches the cloud on loopback."""

from __future__ import annotations

from playwright.sync_api import Page

from .conftest import Cloud


def test_the_browser_reaches_the_cloud(page: Page, cloud: Cloud) -> None:
    answer = page.goto(f"{cloud.base}/api/v1/health")
    assert answer is not None and answer.status == 200
    assert '"status":"ok"' in page.content().replace(" ", "")
