"""Limits and logs, attacked over real sockets: a 100 MB body (with a Content-Length, and
chunked) is refused with 413 long before it has all been sent, so no worker holds it;
deep or long JSON is refused with 422 before it is parsed; and no credential reaches a
log line of a real `python -m cloud_api` process."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from cloud_api.api.limits import json_shape_problem
from cloud_api.demo import DEMO_PASSWORD, HEAD_OFFICE_EMAIL
from cloud_api.logs import _PATTERNS, RedactSecrets, redact
from cloud_api.settings import CloudSettings
from tests import calls

from .helpers import bring_online, customer, order_body, place
from .server import free_port, serve, wait_healthy

HUNDRED_MB = 100 * 1024 * 1024
PIECE = b"x" * 65536


@pytest.fixture
def base(app: FastAPI) -> Iterator[str]:
    with serve(app) as url:
        yield url


def _push(base: str, head: bytes, pieces: Iterator[bytes]) -> tuple[bytes, int]:
    """Send `head` then `pieces` until the server answers; (its answer, bytes of body sent)."""
    host, port = base.removeprefix("http://").split(":")
    sent = 0
    answer = b""
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        sock.sendall(head)
        for piece in pieces:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            try:
                sock.sendall(piece)
            except (BrokenPipeError, ConnectionResetError):
                break  # the server answered and closed: read what it said
            sent += len(piece)
        with contextlib.suppress(OSError):  # reset already by the server: its answer is still queued
            sock.shutdown(socket.SHUT_WR)
        try:
            while chunk := sock.recv(65536):
                answer += chunk
                if b"\r\n\r\n" in answer and answer.endswith(b"}"):
                    break
        except ConnectionResetError:
            pass
    return answer, sent


def _status_and_body(answer: bytes) -> tuple[int, dict[str, object]]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


def test_a_hundred_megabytes_with_a_content_length_are_refused_unread(base: str) -> None:
    head = (
        b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {HUNDRED_MB}\r\n\r\n".encode()
    )
    answer, sent = _push(base, head, (PIECE for _ in range(HUNDRED_MB // len(PIECE))))
    status, body = _status_and_body(answer)
    assert status == 413 and "1,048,576 bytes" in str(body["detail"])
    assert sent < HUNDRED_MB // 4, f"the server answered only after {sent:,} bytes"


def test_a_hundred_megabytes_chunked_are_refused_past_the_limit(base: str) -> None:
    head = (
        b"POST /api/v1/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    chunk = f"{len(PIECE):x}\r\n".encode() + PIECE + b"\r\n"
    answer, sent = _push(base, head, (chunk for _ in range(HUNDRED_MB // len(PIECE))))
    status, _ = _status_and_body(answer)
    assert status == 413
    assert sent < HUNDRED_MB // 4, f"the server answered only after {sent:,} bytes"


def test_the_service_still_answers_after_the_attack(base: str) -> None:
    test_a_hundred_megabytes_chunked_are_refused_past_the_limit(base)
    login = calls.post(f"{base}/api/v1/login", json={"email": HEAD_OFFICE_EMAIL, "password": DEMO_PASSWORD})
    assert login.status_code == 200


def test_a_store_batch_may_be_larger_than_other_requests(base: str) -> None:
    big = {"store_id": "0" * 36, "events": [], "padding": "x" * (2 * 1024 * 1024)}
    answer = calls.post(f"{base}/api/v1/sync/push", json=big)
    assert answer.status_code == 401  # read, then refused for want of a store credential
    assert calls.post(f"{base}/api/v1/login", json=big).status_code == 413


def test_deep_or_long_json_is_refused_before_it_is_parsed(base: str) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    answer = calls.post(f"{base}/api/v1/login", content=deep, headers={"Content-Type": "application/json"})
    assert answer.status_code == 422 and "nested deeper than 32" in answer.json()["detail"]
    long = json.dumps({"email": "a@example.com", "password": "x", "more": [0] * 20_000})
    answer = calls.post(f"{base}/api/v1/login", content=long, headers={"Content-Type": "application/json"})
    assert answer.status_code == 422 and "more than 10000 members" in answer.json()["detail"]
    # Brackets inside strings are text, not nesting.
    fine = json.dumps({"email": "a@example.com", "password": "[" * 100})
    assert (
        calls.post(
            f"{base}/api/v1/login", content=fine, headers={"Content-Type": "application/json"}
        ).status_code
        == 401
    )


def test_the_json_scan_counts_only_structure() -> None:
    assert json_shape_problem(b'{"a": [1, 2, 3]}', 2, 4) is None
    assert json_shape_problem(b'{"a": [[1]]}', 2, 10) is not None
    assert json_shape_problem(b'["a,b,c,d,e", "\\"],[", 1]', 1, 3) is None
    assert json_shape_problem(b"[1, 2, 3, 4]", 5, 3) is not None
    assert json_shape_problem(b"[[[[[[", 3, 10) is not None  # left open, deeper than allowed
    assert json_shape_problem(b"[1, [2, 3], {}]", 0, 10) is not None
    assert json_shape_problem(b'"a", "b"', 1, 1) is None  # commas outside any list
    # At the limits exactly, and one past them: the counts that pass a small text at once
    # pass nothing they should not.
    assert json_shape_problem(b"[[[1]]]", 3, 10) is None
    assert json_shape_problem(b"[[[[1]]]]", 3, 10) is not None
    assert json_shape_problem(b"[1, 2, 3]", 5, 3) is None
    assert json_shape_problem(b'["[[[[", "{{{{"]', 1, 10) is None  # counted, then scanned


def _streamed_reference(body: bytes, max_depth: int, max_items: int) -> str | None:
    """The scan one byte at a time, strings skipped as a JSON parser skips them: what the
    peeling scan must agree with on every well-formed text."""
    depth_members: list[int] = []
    in_string = escaped = False
    for char in body.decode():
        if in_string:
            escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth_members.append(0)
            if len(depth_members) > max_depth:
                return "deep"
        elif char in "]}":
            depth_members.pop()
        elif char == "," and depth_members:
            depth_members[-1] += 1
            if depth_members[-1] >= max_items:
                return "long"
    return None


_TRICKY_TEXT = st.text(alphabet='ab,[]{}"\\\n\u00e9', max_size=8)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | _TRICKY_TEXT,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(_TRICKY_TEXT, inner, max_size=5),
    max_leaves=40,
)


@given(_JSON, st.integers(min_value=0, max_value=6), st.integers(min_value=1, max_value=6))
def test_the_json_scan_agrees_with_a_parser_on_any_text(
    value: object, max_depth: int, max_items: int
) -> None:
    for body in (
        json.dumps(value).encode(),
        json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode(),
    ):
        expected = _streamed_reference(body, max_depth, max_items)
        found = json_shape_problem(body, max_depth, max_items)
        assert (found is None) == (expected is None), (body, found, expected)


def test_the_filter_blanks_every_kind_of_credential() -> None:
    secrets = {
        "GET /api/v1/orders/1/track?access_token=eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl HTTP/1.1": "eyJzdWIi",
        "WebSocket /track?code=AbCdEf123&x=1": "AbCdEf123",
        "WebSocket /track?ticket=tick-et-secret": "tick-et-secret",
        "Authorization: Bearer abc.def.ghi": "abc.def.ghi",
        "{'authorization': 'Bearer mld_0193.secret-part'}": "secret-part",
        'sent {"refresh_token": "mlr_xyz", "password": "hunter22"}': "hunter22",
        "device mld_01930000-aaaa.s3cr3t in use": "s3cr3t",
    }
    for line, secret in secrets.items():
        assert secret not in redact(line), line
    record = logging.LogRecord("uvicorn.access", 20, "", 0, '%s - "%s %s HTTP/%s" %d', None, None)
    record.args = ("127.0.0.1:5000", "GET", "/x?token=abcdef", "1.1", 200)
    RedactSecrets().filter(record)
    assert "abcdef" not in record.getMessage() and record.args[4] == 200


_PIECES = st.sampled_from(
    [
        "Authorization",
        "bearer ",
        "?token=",
        "&code=",
        ";ticket=",
        '"password": "',
        "mld_",
        "mlr_",
        "eyJ",
        "x.y",
        " ",
        "=",
        "'",
    ]
)


@given(st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=12).map("".join))
def test_the_quick_pass_for_plain_lines_blanks_what_every_pattern_would(text: str) -> None:
    # A line the quick search passes must be one that no pattern would have changed.
    slow = text
    for pattern, replacement in _PATTERNS:
        slow = pattern.sub(replacement, slow)
    assert redact(text) == slow


def test_no_credential_reaches_the_logs_of_a_real_cloud(
    settings: CloudSettings, app: FastAPI, database_url: str, tmp_path: Path
) -> None:
    store = bring_online(app)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "cloud.log"
    env = {**os.environ, "MAKELINE_BACKGROUND": "false", "MAKELINE_JWT_SECRET": settings.jwt_secret or ""}
    env.pop("DATABASE_URL", None)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "cloud_api", "--database-url", database_url, "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_healthy(base, process)
            signed = calls.post(
                f"{base}/api/v1/login", json={"email": HEAD_OFFICE_EMAIL, "password": DEMO_PASSWORD}
            )
            tokens = signed.json()
            bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
            assert calls.get(f"{base}/api/v1/profile", headers=bearer).status_code == 200
            calls.get(f"{base}/api/v1/profile?access_token={tokens['access_token']}")
            calls.post(f"{base}/api/v1/token/refresh?token={tokens['refresh_token']}", json={})
            device = f"mld_{'0' * 36}.a-device-secret"
            calls.get(f"{base}/api/v1/sync/pull?after=0", headers={"Authorization": f"Bearer {device}"})
            order = place(_Client(base), customer(_Client(base)), order_body(store)).json()
            ticket = calls.post(
                f"{base}/api/v1/orders/{order['id']}/tracking-ticket", headers=customer(_Client(base))
            ).json()["ticket"]
            ws = f"ws://127.0.0.1:{port}/api/v1/orders/{order['id']}/track"
            with connect(f"{ws}?ticket={ticket}") as socket_:
                assert json.loads(socket_.recv())["order_id"] == order["id"]
            with (
                pytest.raises(InvalidStatus),
                connect(f"{ws}?access_token={tokens['access_token']}") as socket_,
            ):
                socket_.recv()
        finally:
            process.terminate()
            process.wait(timeout=30)
    text = log.read_text()
    assert "GET /api/v1/profile" in text, "the access log is on"
    for secret in (
        tokens["access_token"],
        tokens["access_token"].split(".")[1],
        tokens["refresh_token"],
        ticket,
        "a-device-secret",
        DEMO_PASSWORD,
    ):
        assert secret not in text
    assert "[redacted]" in text


class _Client:
    """`helpers.place`/`customer` speak to a TestClient; this speaks the same to a real URL."""

    def __init__(self, base: str) -> None:
        self.base = base

    def post(self, path: str, **kwargs: object) -> httpx.Response:
        return calls.post(self.base + path, **kwargs)  # type: ignore[arg-type]
