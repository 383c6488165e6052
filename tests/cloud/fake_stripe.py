"""A small fake of Stripe's PaymentIntents and Refunds API on loopback, honouring
`Idempotency-Key` as Stripe does (the same key answers the first answer again).

Tokens: `tok_visa` succeeds; `tok_chargeDeclined…` decline like Stripe's test tokens.
`lose_next(n)`: the next n requests are carried out, then the connection is dropped
before any answer, as when a network times out after Stripe committed.
"""

from __future__ import annotations

import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

DECLINES = {
    "tok_chargeDeclined": "generic_decline",
    "tok_chargeDeclinedInsufficientFunds": "insufficient_funds",
}


class FakeStripe:
    def __init__(self) -> None:
        self.intents: dict[str, dict[str, Any]] = {}
        self.answers: dict[str, tuple[int, dict[str, Any]]] = {}  # by idempotency key
        self.keys_seen: list[str] = []
        self.refunds = 0
        self._lose = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeStripe:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def lose_next(self, count: int) -> None:
        self._lose += count

    def _intent(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        token = form.get("payment_method_data[card][token]") or form.get("payment_method", "")
        intent = {
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

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = dict(parse_qsl(self.rfile.read(length).decode()))
                key = self.headers.get("Idempotency-Key", "")
                with fake._lock:
                    fake.keys_seen.append(key)
                    if key and key in fake.answers:
                        status, body = fake.answers[key]
                    elif self.path == "/v1/payment_intents":
                        status, body = fake._intent(form)
                    elif self.path == "/v1/refunds":
                        status, body = fake._refund(form)
                    else:
                        status, body = (
                            404,
                            {"error": {"type": "invalid_request_error", "message": "no route"}},
                        )
                    if key:
                        fake.answers[key] = (status, body)
                    lose = fake._lose > 0
                    fake._lose -= 1 if lose else 0
                if lose:
                    self.close_connection = True
                    self.connection.close()
                    return
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", "req_fake")
                self.end_headers()
                self.wfile.write(data)

        return Handler
