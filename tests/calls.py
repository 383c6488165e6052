"""One-shot HTTP calls with the tests' patience.

httpx's own `get`/`post`/… give up after 5 s; on a shared two-core machine a server on
loopback can be starved for longer than that, and a test would fail for the machine, not
for the code. These wait `PATIENCE_S` unless the caller names a timeout of its own.

Each call is a client of its own (a connection of its own, as one-shot calls are), but all
share one TLS context: httpx makes one per client by reading the whole CA bundle, ~40 ms of
CPU a call here, a fifth of some tests' time, for calls to plain HTTP on loopback.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.patience import PATIENCE_S

TIMEOUT = httpx.Timeout(PATIENCE_S)
TLS = httpx.create_ssl_context()


def _patient(kwargs: dict[str, Any]) -> dict[str, Any]:
    kwargs.setdefault("timeout", TIMEOUT)
    kwargs.setdefault("verify", TLS)
    return kwargs


def get(url: str, **kwargs: Any) -> httpx.Response:
    return httpx.get(url, **_patient(kwargs))


def post(url: str, **kwargs: Any) -> httpx.Response:
    return httpx.post(url, **_patient(kwargs))


def put(url: str, **kwargs: Any) -> httpx.Response:
    return httpx.put(url, **_patient(kwargs))


def delete(url: str, **kwargs: Any) -> httpx.Response:
    return httpx.delete(url, **_patient(kwargs))
