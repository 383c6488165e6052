"""Stripe through its official SDK: PaymentIntents confirmed at once, idempotency keys on
every call, webhook signatures verified. Connection trouble is an unknown outcome."""

from __future__ import annotations

from typing import Any

import stripe

from cloud_api.payments.gateway import (
    ChargeResult,
    GatewayError,
    GatewayTimeout,
    PaymentGateway,
    RefundResult,
)


class StripeGateway(PaymentGateway):
    name = "stripe"

    def __init__(
        self, api_key: str, webhook_secret: str, base_url: str | None = None, timeout_s: float = 10.0
    ) -> None:
        super().__init__(webhook_secret)
        addresses: Any = {"api": base_url} if base_url else None
        self._http = stripe.RequestsClient(timeout=timeout_s)
        self.client = stripe.StripeClient(
            api_key, base_addresses=addresses, max_network_retries=0, http_client=self._http
        )

    def charge(
        self,
        amount: int,
        currency: str,
        token: str,
        idempotency_key: str,
        description: str,
        metadata: dict[str, str],
    ) -> ChargeResult:
        params: dict[str, Any] = {
            "amount": amount,
            "currency": currency,
            "confirm": True,
            "description": description,
            "metadata": metadata,
            "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"},
        }
        if token.startswith("pm_"):
            params["payment_method"] = token
        else:
            params["payment_method_data"] = {"type": "card", "card": {"token": token}}
        try:
            intent = self.client.v1.payment_intents.create(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": idempotency_key},
            )
        except stripe.CardError as exc:
            error = exc.error
            reference = ""
            if error is not None and error.payment_intent is not None:
                reference = str(error.payment_intent.id)
            code = (error.decline_code or error.code) if error is not None else None
            return ChargeResult("declined", reference, code or "card_declined", exc.user_message or "")
        except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
            raise GatewayTimeout(str(exc)) from exc
        except stripe.APIError as exc:
            raise GatewayTimeout(str(exc)) from exc
        except stripe.StripeError as exc:
            raise GatewayError(exc.user_message or str(exc)) from exc
        if intent.status == "succeeded":
            return ChargeResult("succeeded", intent.id)
        error_obj = intent.last_payment_error
        code = (error_obj.decline_code or error_obj.code) if error_obj is not None else None
        return ChargeResult("declined", intent.id, code or intent.status, "The card needs more steps.")

    def close(self) -> None:
        self._http.close()  # type: ignore[no-untyped-call]

    def refund(self, reference: str, amount: int, idempotency_key: str) -> RefundResult:
        try:
            refund = self.client.v1.refunds.create(
                params={"payment_intent": reference, "amount": amount},
                options={"idempotency_key": idempotency_key},
            )
        except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as exc:
            raise GatewayTimeout(str(exc)) from exc
        except stripe.StripeError as exc:
            raise GatewayError(exc.user_message or str(exc)) from exc
        status = refund.status if refund.status in ("succeeded", "pending", "failed") else "pending"
        return RefundResult(reference=refund.id, status=status)  # type: ignore[arg-type]
