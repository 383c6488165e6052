"""A small fake of Twilio's Messages API, served on loopback, that records every text.

    POST /2010-04-01/Accounts/{sid}/Messages.json   send (form: To, From, Body)
    GET  /2010-04-01/Accounts/{sid}/Messages.json   list (query: To, PageSize)

`fail_next(n, status)` makes the next n sends fail (e.g. 503) before any is recorded;
`unsubscribe(number)` answers Twilio's error 21610 for that number, as Twilio does
after the customer replied STOP.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from .fake_http import Answer, FakeHTTP, Request

_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>[^/]+)/Messages\.json$")


@dataclass(frozen=True)
class Sent:
    sid: str
    to: str
    from_: str
    body: str
    at: datetime


class FakeTwilio(FakeHTTP):
    def __init__(self, account_sid: str = "AC" + "0" * 32, auth_token: str = "fake-twilio-token") -> None:
        super().__init__()
        self.account_sid, self.auth_token = account_sid, auth_token
        self.messages: list[Sent] = []
        self.requests = 0
        self._fail: list[int] = []
        self._unsubscribed: set[str] = set()

    def fail_next(self, count: int, status: int = 503) -> None:
        with self._lock:
            self._fail.extend([status] * count)

    def unsubscribe(self, number: str) -> None:
        self._unsubscribed.add(number)

    def to(self, number: str) -> list[Sent]:
        return [m for m in self.messages if m.to == number]

    def answer(self, request: Request) -> Answer:
        if not _PATH.match(request.path):
            return Answer(404, {"code": 20404, "message": "not found", "status": 404})
        if request.method == "POST":
            return self._send(request.form())
        return Answer(200, self._list(request.query()))

    def _send(self, form: dict[str, str]) -> Answer:
        with self._lock:
            self.requests += 1
            if self._fail:
                status = self._fail.pop(0)
                return Answer(status, {"code": 20500, "message": "Internal Server Error", "status": status})
            if form.get("To") in self._unsubscribed:
                return Answer(
                    400,
                    {"code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": 400},
                )
            sent = Sent(
                f"SM{len(self.messages) + 1:032d}",
                form.get("To", ""),
                form.get("From", ""),
                form.get("Body", ""),
                datetime.now(UTC),
            )
            self.messages.append(sent)
        return Answer(201, self._resource(sent))

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

    def _list(self, query: dict[str, str]) -> dict[str, Any]:
        wanted = query.get("To")
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
