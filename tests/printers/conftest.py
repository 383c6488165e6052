"""Fixtures for the printing tests: a fake network printer on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from printers.transports import Timeouts, forget_dummy_printers
from tests.printers.fake_printer import FakePrinter

# Short enough that a hung printer costs a test a fraction of a second.
FAST = Timeouts(connect=2.0, send=2.0, status=0.5)
# For a printer that answers: long enough that a loaded machine (the fake printer's thread
# waiting for a core while it reads a large job) never looks like a hung printer. A test
# waits this long only when it fails.
PATIENT = Timeouts(connect=10.0, send=10.0, status=10.0)


@pytest.fixture
def fake() -> Iterator[FakePrinter]:
    with FakePrinter() as printer:
        yield printer


@pytest.fixture(autouse=True)
def _fresh_dummy_printers() -> Iterator[None]:
    yield
    forget_dummy_printers()
