"""What the fakes of third parties (SendGrid, Twilio, Stripe) share: a threaded HTTP server on a
free loopback port, started and stopped by the test, that hands every request to the fake's
`answer` and writes back what it returns (status, JSON body, headers), or drops the connection
without a word when it returns `None`, as a network does after the far side committed.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class Request:
    method: str
    target: str  # the path and its query, as sent
    headers: Message
    body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    def query(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.target).query))

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode()))

    def json(self) -> Any:
        """The JSON body; None when it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any] | None = None  # None: an empty body
    headers: dict[str, str] = field(default_factory=dict)


class FakeHTTP:
    """A fake service: subclasses say what `answer` returns; `_lock` guards their records."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, request: Request) -> Answer | None:
        """The answer to `request`; None drops the connection unanswered."""
        raise NotImplementedError

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self._serve()

            def do_POST(self) -> None:
                self._serve()

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                request = Request(self.command, self.path, self.headers, self.rfile.read(length))
                answer = fake.answer(request)
                if answer is None:
                    self.close_connection = True
                    self.connection.close()
                    return
                data = json.dumps(answer.body).encode() if answer.body is not None else b""
                self.send_response(answer.status)
                for name, value in {"Content-Type": "application/json", **answer.headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
