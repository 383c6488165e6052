"""A small fake of SendGrid's v3 Mail Send API, served on loopback, that records every email.

    POST /v3/mail/send    (Bearer <api key>; JSON: personalizations, from, subject, content)

It answers 202 with an `X-Message-Id`, as SendGrid does; 401 for a wrong key; 400 for a
body without a recipient. `fail_next(n, status)` makes the next n sends fail (e.g. 503).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class SentEmail:
    id: str
    to: str
    from_: str
    subject: str
    text: str
    html: str


class FakeSendGrid:
    def __init__(self, api_key: str = "SG.fake-sendgrid-key") -> None:
        self.api_key = api_key
        self.emails: list[SentEmail] = []
        self.requests = 0
        self._fail: list[int] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeSendGrid:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, count: int, status: int = 503) -> None:
        with self._lock:
            self._fail.extend([status] * count)

    def to(self, address: str) -> list[SentEmail]:
        return [e for e in self.emails if e.to == address]

    def _send(self, auth: str, body: dict[str, Any]) -> tuple[int, dict[str, Any], str]:
        with self._lock:
            self.requests += 1
            if auth != f"Bearer {self.api_key}":
                return 401, {"errors": [{"message": "The provided authorization grant is invalid"}]}, ""
            if self._fail:
                return self._fail.pop(0), {"errors": [{"message": "Service Unavailable"}]}, ""
            try:
                to = body["personalizations"][0]["to"][0]["email"]
            except (KeyError, IndexError, TypeError):
                return (
                    400,
                    {"errors": [{"message": "a recipient is required", "field": "personalizations"}]},
                    "",
                )
            content = {c["type"]: c["value"] for c in body.get("content", [])}
            sent = SentEmail(
                f"fake-{len(self.emails) + 1}",
                to,
                body.get("from", {}).get("email", ""),
                body.get("subject", ""),
                content.get("text/plain", ""),
                content.get("text/html", ""),
            )
            self.emails.append(sent)
            return 202, {}, sent.id

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                if self.path.rstrip("/") != "/v3/mail/send":
                    status, answer, message_id = 404, {"errors": [{"message": "not found"}]}, ""
                else:
                    try:
                        body = json.loads(raw)
                    except ValueError:
                        body = {}
                    status, answer, message_id = fake._send(self.headers.get("Authorization", ""), body)
                data = json.dumps(answer).encode() if answer else b""
                self.send_response(status)
                if message_id:
                    self.send_header("X-Message-Id", message_id)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
