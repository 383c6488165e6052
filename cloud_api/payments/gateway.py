"""The payment gateway seam. Card numbers never reach us: clients send a gateway token.

Every call carries an idempotency key, so a call whose answer was lost can be
made again with the same key and the customer is still charged once.

    GatewayError              the gateway refused the request itself (bad key, bad parameters)
    ├── GatewayTimeout        no answer: the outcome is UNKNOWN, retry with the same key
    └── BadSignature          a webhook whose signature does not verify
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Literal

import anyio.to_thread
import stripe


class GatewayError(Exception):
    pass


class GatewayTimeout(GatewayError):
    pass


class BadSignature(GatewayError):
    pass


@dataclass(frozen=True)
class ChargeResult:
    status: Literal["succeeded", "declined"]
    reference: str  # the gateway's id for the charge (a PaymentIntent id)
    decline_code: str | None = None
    message: str = ""


@dataclass(frozen=True)
class RefundResult:
    reference: str
    status: Literal["succeeded", "pending", "failed"]


@dataclass(frozen=True)
class WebhookEvent:
    id: str
    type: str
    reference: str  # the PaymentIntent the event is about
    decline_code: str | None = None


class PaymentGateway(ABC):
    name: str

    def __init__(self, webhook_secret: str) -> None:
        self.webhook_secret = webhook_secret

    @abstractmethod
    def charge(
        self,
        amount: int,
        currency: str,
        token: str,
        idempotency_key: str,
        description: str,
        metadata: dict[str, str],
    ) -> ChargeResult:
        """Charge `amount` cents to the card behind `token`.

        Returns the outcome, declined or succeeded. Raises `GatewayTimeout` when the
        gateway did not answer (the charge may or may not exist), `GatewayError`
        when it refused the request itself.
        """

    async def charge_async(
        self,
        amount: int,
        currency: str,
        token: str,
        idempotency_key: str,
        description: str,
        metadata: dict[str, str],
    ) -> ChargeResult:
        """`charge` from the event loop: in a thread unless the gateway's client is async."""
        return await anyio.to_thread.run_sync(
            self.charge, amount, currency, token, idempotency_key, description, metadata
        )

    @abstractmethod
    def refund(self, reference: str, amount: int, idempotency_key: str) -> RefundResult:
        """Refund `amount` cents of charge `reference`. Raises like `charge`."""

    @abstractmethod
    def close(self) -> None:
        """Let go of connections (the worker is stopping)."""

    def parse_webhook(self, payload: bytes, signature: str) -> WebhookEvent:
        """Verify a webhook's `Stripe-Signature` header and read the event, or `BadSignature`."""
        try:
            stripe.WebhookSignature.verify_header(
                payload.decode("utf-8"), signature, self.webhook_secret, tolerance=300
            )
        except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as exc:
            raise BadSignature(str(exc)) from exc
        try:
            import json

            event: dict[str, Any] = json.loads(payload)
            obj = event["data"]["object"]
            reference = obj.get("payment_intent") or obj["id"]
            error = obj.get("last_payment_error") or {}
            return WebhookEvent(
                id=str(event["id"]),
                type=str(event["type"]),
                reference=str(reference),
                decline_code=error.get("decline_code") or error.get("code"),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise GatewayError(f"the webhook's body is not an event we can read ({exc})") from exc
