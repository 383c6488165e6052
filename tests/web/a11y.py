"""The accessibility check: axe-core (shipped inside `axe-playwright-python`, no CDN) on the
page as it is, WCAG 2.0/2.1 A and AA rules; any violation fails the test with its details."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

_AXE = Axe()
# Every violation in full; of what passed, only a summary (half the time on a large form).
WCAG_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def assert_accessible(page: Page) -> None:
    results = _AXE.run(page, options=WCAG_AA)
    assert results.violations_count == 0, f"{page.url}:\n{results.generate_report()}"
