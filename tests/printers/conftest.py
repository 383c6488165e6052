"""Fixtures for the printing tests: a fake network printer on loopback."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator

import pytest

from printers.queue import Backoff, QueueSettings
from printers.transports import Timeouts, forget_dummy_printers
from tests.printers.fake_printer import FakePrinter

# Short enough that a hung printer costs a test a fraction of a second.
FAST = Timeouts(connect=2.0, send=2.0, status=0.5)
# For a printer that answers: long enough that a loaded machine (the fake printer's thread
# waiting for a core while it reads a large job) never looks like a hung printer. A test
# waits this long only when it fails.
PATIENT = Timeouts(connect=10.0, send=10.0, status=10.0)

# Quick to notice a printer is back or gone, so each test takes a fraction of a second; a
# printer that answers is given all the time it needs (a loaded machine never makes it look
# hung), and only a hung printer's test waits on the short timeouts (`HUNG`).
SETTINGS = QueueSettings(
    failures_before_backup=2,
    backoff=Backoff(first=0.02, most=0.1),
    timeouts=PATIENT,
    job_timeout=10.0,
    poll=0.01,
    refresh=0.2,
)
HUNG = dataclasses.replace(SETTINGS, timeouts=FAST, job_timeout=3.0)


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)


@pytest.fixture
def fake() -> Iterator[FakePrinter]:
    with FakePrinter() as printer:
        yield printer


@pytest.fixture(autouse=True)
def _fresh_dummy_printers() -> Iterator[None]:
    yield
    forget_dummy_printers()
