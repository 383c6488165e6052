"""One-shot HTTP calls with the tests' patience.

httpx's own `get`/`post`/… give up after 5 s; on a shared two-core machine a server on
loopback can be starved for longer than that, and a test would fail for the machine, not
for the code. These wait `PATIENCE_S` unless the caller names a timeout of its own.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.patience import PATIENCE_S

TIMEOUT = httpx.Timeout(PATIENCE_S)


def get(url: str, **kwargs: Any) -> httpx.Response:
    kwargs.setdefault("timeout", TIMEOUT)
    return httpx.get(url, **kwargs)


def post(url: str, **kwargs: Any) -> httpx.Response:
    kwargs.setdefault("timeout", TIMEOUT)
    return httpx.post(url, **kwargs)


def put(url: str, **kwargs: Any) -> httpx.Response:
    kwargs.setdefault("timeout", TIMEOUT)
    return httpx.put(url, **kwargs)


def delete(url: str, **kwargs: Any) -> httpx.Response:
    kwargs.setdefault("timeout", TIMEOUT)
    return httpx.delete(url, **kwargs)
