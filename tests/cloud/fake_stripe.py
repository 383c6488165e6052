"""A small fake of Stripe's PaymentIntents and Refunds API on loopback, honouring
`Idempotency-Key` as Stripe does (the same key answers the first answer again).

Tokens: `tok_visa` succeeds; `tok_chargeDeclined…` decline like Stripe's test tokens.
`lose_next(n)`: the next n requests are carried out, then the connection is dropped
before any answer, as when a network times out after Stripe committed.
"""

from __future__ import annotations

import secrets
from typing import Any

from .fake_http import Answer, FakeHTTP, Request

DECLINES = {
    "tok_chargeDeclined": "generic_decline",
    "tok_chargeDeclinedInsufficientFunds": "insufficient_funds",
}


class FakeStripe(FakeHTTP):
    def __init__(self) -> None:
        super().__init__()
        self.intents: dict[str, dict[str, Any]] = {}
        self.answers: dict[str, tuple[int, dict[str, Any]]] = {}  # by idempotency key
        self.keys_seen: list[str] = []
        self.refunds = 0
        self._lose = 0

    def lose_next(self, count: int) -> None:
        self._lose += count

    def _intent(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        token = form.get("payment_method_data[card][token]") or form.get("payment_method", "")
        intent: dict[str, Any] = {
            "id": f"pi_{secrets.token_hex(12)}",
            "object": "payment_intent",
            "amount": int(form["amount"]),
            "currency": form["currency"],
            "status": "succeeded",
            "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
            "payment_method": form.get("payment_method"),
        }
        if token in DECLINES:
            intent["status"] = "requires_payment_method"
            self.intents[intent["id"]] = intent
            return 402, {
                "error": {
                    "type": "card_error",
                    "code": "card_declined",
                    "decline_code": DECLINES[token],
                    "message": "Your card was declined.",
                    "payment_intent": intent,
                }
            }
        self.intents[intent["id"]] = intent
        return 200, intent

    def _refund(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        self.refunds += 1
        return 200, {
            "id": f"re_{secrets.token_hex(12)}",
            "object": "refund",
            "status": "succeeded",
            "amount": int(form["amount"]),
            "payment_intent": form["payment_intent"],
        }

    def answer(self, request: Request) -> Answer | None:
        form, key = request.form(), request.headers.get("Idempotency-Key", "")
        route = (request.method, request.path)
        with self._lock:
            self.keys_seen.append(key)
            if key and key in self.answers:
                status, body = self.answers[key]
            elif route == ("POST", "/v1/payment_intents"):
                status, body = self._intent(form)
            elif route == ("POST", "/v1/refunds"):
                status, body = self._refund(form)
            else:
                status, body = 404, {"error": {"type": "invalid_request_error", "message": "no route"}}
            if key:
                self.answers[key] = (status, body)
            lose = self._lose > 0
            self._lose -= 1 if lose else 0
        return None if lose else Answer(status, body, {"Request-Id": "req_fake"})
