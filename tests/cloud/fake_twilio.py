"""A small fake of Twilio's Messages API, served on loopback, that records every text.

    POST /2010-04-01/Accounts/{sid}/Messages.json   send (form: To, From, Body)
    GET  /2010-04-01/Accounts/{sid}/Messages.json   list (query: To, PageSize)

`fail_next(n, status)` makes the next n sends fail (e.g. 503) before any is recorded;
`unsubscribe(number)` answers Twilio's error 21610 for that number, as Twilio does
after the customer replied STOP.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>[^/]+)/Messages\.json$")


@dataclass(frozen=True)
class Sent:
    sid: str
    to: str
    from_: str
    body: str
    at: datetime


class FakeTwilio:
    def __init__(self, account_sid: str = "AC" + "0" * 32, auth_token: str = "fake-twilio-token") -> None:
        self.account_sid, self.auth_token = account_sid, auth_token
        self.messages: list[Sent] = []
        self.requests = 0
        self._fail: list[int] = []
        self._unsubscribed: set[str] = set()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeTwilio:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, count: int, status: int = 503) -> None:
        with self._lock:
            self._fail.extend([status] * count)

    def unsubscribe(self, number: str) -> None:
        self._unsubscribed.add(number)

    def to(self, number: str) -> list[Sent]:
        return [m for m in self.messages if m.to == number]

    def _send(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests += 1
            if self._fail:
                status = self._fail.pop(0)
                return status, {"code": 20500, "message": "Internal Server Error", "status": status}
            if form.get("To") in self._unsubscribed:
                return 400, {
                    "code": 21610,
                    "message": "Attempt to send to unsubscribed recipient",
                    "status": 400,
                }
            sent = Sent(
                f"SM{len(self.messages) + 1:032d}",
                form.get("To", ""),
                form.get("From", ""),
                form.get("Body", ""),
                datetime.now(UTC),
            )
            self.messages.append(sent)
        return 201, self._resource(sent)

    def _resource(self, sent: Sent) -> dict[str, Any]:
        return {
            "sid": sent.sid,
            "account_sid": self.account_sid,
            "to": sent.to,
            "from": sent.from_,
            "body": sent.body,
            "status": "queued",
            "date_created": format_datetime(sent.at),
            "date_sent": format_datetime(sent.at),
            "direction": "outbound-api",
            "num_segments": "1",
        }

    def _list(self, query: dict[str, list[str]]) -> dict[str, Any]:
        wanted = query.get("To", [None])[0]
        found = [self._resource(m) for m in self.messages if wanted is None or m.to == wanted]
        return {
            "messages": found,
            "first_page_uri": None,
            "next_page_uri": None,
            "previous_page_uri": None,
            "page": 0,
            "page_size": len(found),
            "uri": "/",
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                if not _PATH.match(urlsplit(self.path).path):
                    self._answer(404, {"code": 20404, "message": "not found", "status": 404})
                    return
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                self._answer(*fake._send(form))

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if not _PATH.match(parts.path):
                    self._answer(404, {"code": 20404, "message": "not found", "status": 404})
                    return
                self._answer(200, fake._list(parse_qs(parts.query)))

        return Handler
