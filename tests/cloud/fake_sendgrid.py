"""A small fake of SendGrid's v3 Mail Send API, served on loopback, that records every email.

    POST /v3/mail/send    (Bearer <api key>; JSON: personalizations, from, subject, content)

It answers 202 with an `X-Message-Id`, as SendGrid does; 401 for a wrong key; 400 for a
body without a recipient. `fail_next(n, status)` makes the next n sends fail (e.g. 503).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .fake_http import Answer, FakeHTTP, Request


@dataclass(frozen=True)
class SentEmail:
    id: str
    to: str
    from_: str
    subject: str
    text: str
    html: str


class FakeSendGrid(FakeHTTP):
    def __init__(self, api_key: str = "SG.fake-sendgrid-key") -> None:
        super().__init__()
        self.api_key = api_key
        self.emails: list[SentEmail] = []
        self.requests = 0
        self._fail: list[int] = []

    def fail_next(self, count: int, status: int = 503) -> None:
        with self._lock:
            self._fail.extend([status] * count)

    def to(self, address: str) -> list[SentEmail]:
        return [e for e in self.emails if e.to == address]

    def answer(self, request: Request) -> Answer:
        if request.method != "POST" or request.path.rstrip("/") != "/v3/mail/send":
            return Answer(404, {"errors": [{"message": "not found"}]})
        body = request.json()
        return self._send(request.headers.get("Authorization", ""), body if isinstance(body, dict) else {})

    def _send(self, auth: str, body: dict[str, Any]) -> Answer:
        with self._lock:
            self.requests += 1
            if auth != f"Bearer {self.api_key}":
                return Answer(401, {"errors": [{"message": "The provided authorization grant is invalid"}]})
            if self._fail:
                return Answer(self._fail.pop(0), {"errors": [{"message": "Service Unavailable"}]})
            try:
                to = body["personalizations"][0]["to"][0]["email"]
            except (KeyError, IndexError, TypeError):
                return Answer(
                    400, {"errors": [{"message": "a recipient is required", "field": "personalizations"}]}
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
            return Answer(202, headers={"X-Message-Id": sent.id})
