"""How long a test waits for something that must happen.

A deadline only decides how soon a test that is going to fail says so; a passing
test never waits for it. On a shared two-core machine a process can be starved
for many seconds, so every wait gives at least `PATIENCE_S`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

PATIENCE_S = 120.0


def patient(timeout: float) -> float:
    return max(timeout, PATIENCE_S)


def wait_until(
    condition: Callable[[], bool], what: str, timeout: float = 30.0, every_s: float = 0.02
) -> None:
    """Poll `condition` until it holds; fail naming `what` once `patient(timeout)` has passed."""
    deadline = time.monotonic() + patient(timeout)
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(every_s)
