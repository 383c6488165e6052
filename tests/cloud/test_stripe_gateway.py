"""The Stripe adapter on the official SDK, against a fake Stripe on loopback: PaymentIntents
with idempotency keys, declines, a lost answer retried with the same key, refunds."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from cloud_api.app import create_app
from cloud_api.payments.gateway import GatewayTimeout
from cloud_api.payments.stripe_gateway import StripeGateway
from cloud_api.settings import CloudSettings

from .fake_stripe import FakeStripe
from .helpers import bring_online, customer, order_body, place


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripe]:
    fake = FakeStripe().start()
    yield fake
    fake.stop()


def test_charges_declines_lost_answers_and_refunds(fake_stripe: FakeStripe) -> None:
    gateway = StripeGateway("sk_test_fake", "whsec_fake", base_url=fake_stripe.base_url, timeout_s=5)
    paid = gateway.charge(2653, "usd", "tok_visa", "order:key-1", "makeline order", {"order_id": "o1"})
    assert paid.status == "succeeded" and paid.reference.startswith("pi_")
    assert fake_stripe.intents[paid.reference]["metadata"] == {"order_id": "o1"}
    assert fake_stripe.keys_seen == ["order:key-1"]

    broke = gateway.charge(999, "usd", "tok_chargeDeclinedInsufficientFunds", "order:key-2", "x", {})
    assert broke.status == "declined" and broke.decline_code == "insufficient_funds"

    fake_stripe.lose_next(1)
    with pytest.raises(GatewayTimeout):
        gateway.charge(1500, "usd", "tok_visa", "order:key-3", "x", {})
    again = gateway.charge(1500, "usd", "tok_visa", "order:key-3", "x", {})
    assert again.status == "succeeded"
    assert sum(1 for i in fake_stripe.intents.values() if i["amount"] == 1500) == 1

    refund = gateway.refund(paid.reference, 2653, "refund:p1")
    assert refund.status == "succeeded" and fake_stripe.refunds == 1


def test_an_order_paid_through_stripe(settings: CloudSettings, fake_stripe: FakeStripe) -> None:
    app: FastAPI = create_app(
        settings.model_copy(
            update={
                "payment_gateway": "stripe",
                "stripe_api_key": "sk_test_fake",
                "stripe_webhook_secret": "whsec_fake",
                "stripe_base_url": fake_stripe.base_url,
            }
        )
    )
    with TestClient(app) as client:
        store = bring_online(app)
        fake_stripe.lose_next(1)
        answer = place(client, customer(client), order_body(store), key="stripe-order-0001")
        assert answer.status_code == 201, answer.text
        assert len(fake_stripe.intents) == 1
        assert fake_stripe.keys_seen[0] == fake_stripe.keys_seen[1]  # the retry used the same key
