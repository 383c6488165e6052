"""Sending a text: the `SmsSender` seam, Twilio through its official SDK (its HTTP client
pointed at a configurable base URL), and a sender that only writes to the log.

    SmsError
    ├── SmsTemporary     try again later (network, 429, 5xx)
    └── SmsRejected      never try again (bad number, the customer replied STOP)
"""

from __future__ import annotations

import itertools
import logging
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from requests import RequestException
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from cloud_api.customers.phone import e164

log = logging.getLogger(__name__)
UNSUBSCRIBED = 21610  # Twilio: "Attempt to send to unsubscribed recipient"


class SmsError(Exception):
    pass


class SmsTemporary(SmsError):
    pass


class SmsRejected(SmsError):
    def __init__(self, message: str, opted_out: bool = False) -> None:
        super().__init__(message)
        self.opted_out = opted_out


class SmsSender(Protocol):
    def send(self, phone: str, body: str) -> str:
        """Send `body` to the 10-digit `phone`; return the provider's message id.

        Raises `SmsTemporary` (retry later) or `SmsRejected` (never retry)."""
        ...

    def find_sent(self, phone: str, body: str, since: datetime) -> str | None:
        """The id of a message with this body sent to `phone` since `since`, if the provider
        has one: how a text whose sending was interrupted is told from one never sent."""
        ...


class BaseUrlHttpClient(TwilioHttpClient):  # type: ignore[misc]
    """Twilio's own HTTP client, sending to `base_url` instead of https://api.twilio.com."""

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        super().__init__(timeout=timeout)
        self._base = urlsplit(base_url.rstrip("/"))

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        parts = urlsplit(url)
        moved = urlunsplit(
            (self._base.scheme, self._base.netloc, self._base.path + parts.path, parts.query, parts.fragment)
        )
        return super().request(method, moved, *args, **kwargs)


class TwilioSender:
    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_number: str,
        base_url: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        http = BaseUrlHttpClient(base_url, timeout) if base_url else TwilioHttpClient(timeout=timeout)
        self.client = Client(account_sid, auth_token, http_client=http)
        self.from_number = from_number

    def send(self, phone: str, body: str) -> str:
        try:
            message = self.client.messages.create(to=e164(phone), from_=self.from_number, body=body)
        except TwilioRestException as exc:
            if exc.code == UNSUBSCRIBED:
                raise SmsRejected(exc.msg, opted_out=True) from exc
            if exc.status == 429 or exc.status >= 500:
                raise SmsTemporary(f"Twilio answered {exc.status}: {exc.msg}") from exc
            raise SmsRejected(f"Twilio refused the text ({exc.status}, {exc.code}): {exc.msg}") from exc
        except (TwilioException, RequestException, OSError) as exc:
            raise SmsTemporary(f"could not reach Twilio: {exc}") from exc
        return str(message.sid)

    def find_sent(self, phone: str, body: str, since: datetime) -> str | None:
        try:
            messages = self.client.messages.list(to=e164(phone), date_sent_after=since, limit=100)
        except (TwilioException, RequestException, OSError) as exc:
            raise SmsTemporary(f"could not ask Twilio what was sent: {exc}") from exc
        return next((str(m.sid) for m in messages if m.body == body), None)


class LogSender:
    """For a laptop without Twilio credentials: texts go to the log."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)

    def send(self, phone: str, body: str) -> str:
        log.info("SMS to %s: %s", e164(phone), body)
        return f"log-{next(self._ids)}"

    def find_sent(self, phone: str, body: str, since: datetime) -> str | None:
        return None
