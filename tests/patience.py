"""How long a test waits for something that must happen.

A deadline only decides how soon a test that is going to fail says so; a passing
test never waits for it. On a shared two-core machine a process can be starved
for many seconds, so every wait gives at least `PATIENCE_S`.
"""

from __future__ import annotations

PATIENCE_S = 120.0


def patient(timeout: float) -> float:
    return max(timeout, PATIENCE_S)
