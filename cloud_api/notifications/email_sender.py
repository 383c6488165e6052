"""Sending an email: the `EmailSender` seam beside the SMS one, SendGrid through its official
SDK (pointed at a configurable host, e.g. a local fake), and a sender that only logs.

    EmailError
    ├── EmailTemporary     try again later (network, 429, 5xx)
    └── EmailRejected      never try again (a bad address, a refused key)
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass
from typing import Protocol
from urllib.error import URLError

from python_http_client.exceptions import HTTPError
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import Mail

log = logging.getLogger(__name__)


class EmailError(Exception):
    pass


class EmailTemporary(EmailError):
    pass


class EmailRejected(EmailError):
    pass


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str


class EmailSender(Protocol):
    def send(self, email: Email) -> str:
        """Send it; return the provider's message id. Raises `EmailTemporary` or `EmailRejected`."""
        ...


class SendGridSender:
    def __init__(self, api_key: str, from_email: str, host: str | None = None, timeout: float = 10.0) -> None:
        self.client = SendGridAPIClient(api_key=api_key, host=host or "https://api.sendgrid.com")
        self.client.client.timeout = timeout
        self.from_email = from_email

    def send(self, email: Email) -> str:
        message = Mail(
            from_email=self.from_email,
            to_emails=email.to,
            subject=email.subject,
            plain_text_content=email.text,
            html_content=email.html,
        )
        try:
            answer = self.client.send(message)
        except HTTPError as exc:
            status = int(getattr(exc, "status_code", 0) or 0)
            if status == 429 or status >= 500:
                raise EmailTemporary(f"SendGrid answered {status}; will try again") from exc
            raise EmailRejected(f"SendGrid refused the email ({status}): {exc.body!r}") from exc
        except (URLError, OSError) as exc:
            raise EmailTemporary(f"could not reach SendGrid: {exc}") from exc
        return str(answer.headers.get("X-Message-Id", "") or "")


class LogEmailSender:
    """For a laptop without a SendGrid key: emails go to the log."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)

    def send(self, email: Email) -> str:
        log.info("Email to %s: %s", email.to, email.subject)
        return f"log-{next(self._ids)}"
