"""The Stripe adapter on the official SDK, against a fake Stripe on loopback: PaymentIntents
with idempotency keys, declines, a lost answer retried with the same key, refunds."""

from __future__ import annotations

import re
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


def test_the_storefront_takes_the_card_through_stripe_js_and_sends_only_its_payment_method(
    settings: CloudSettings, fake_stripe: FakeStripe
) -> None:
    stripe_settings = settings.model_copy(
        update={
            "payment_gateway": "stripe",
            "stripe_api_key": "sk_test_fake",
            "stripe_webhook_secret": "whsec_fake",
            "stripe_base_url": fake_stripe.base_url,
            "stripe_publishable_key": "pk_test_makeline",
        }
    )
    app: FastAPI = create_app(stripe_settings)
    with TestClient(app) as client:
        store = bring_online(app)
        assert client.post("/store", data={"store_id": store}, follow_redirects=False).status_code == 303
        added = client.post("/cart/add", data={"product": "cheese", "size": "lg"}, follow_redirects=False)
        assert added.status_code == 303
        page = client.get("/checkout")
        assert page.status_code == 200
        assert 'data-stripe-key="pk_test_makeline"' in page.text
        assert '<script src="https://js.stripe.com/v3/"></script>' in page.text
        assert "tok_visa" not in page.text, "no test cards with the Stripe gateway"
        key = re.search(r'name="checkout_key" value="([^"]+)"', page.text)
        assert key is not None
        form = {
            "checkout_key": key.group(1),
            "name": "Pat Stripe",
            "phone": "708-555-0177",
            "email": "pat@example.com",
            "payment": "card",
            "card_token": "pm_card_visa",  # what Stripe.js Elements made in the browser
        }
        placed = client.post("/checkout", data=form, follow_redirects=False)
        assert placed.status_code == 303, placed.text[:2000]
    (intent,) = fake_stripe.intents.values()
    assert intent["payment_method"] == "pm_card_visa" and intent["status"] == "succeeded"


def test_without_a_publishable_key_the_checkout_keeps_the_test_cards(
    client: TestClient, app: FastAPI
) -> None:
    store = bring_online(app)
    client.post("/store", data={"store_id": store}, follow_redirects=False)
    client.post("/cart/add", data={"product": "cheese", "size": "lg"}, follow_redirects=False)
    page = client.get("/checkout")
    assert "tok_visa" in page.text and "js.stripe.com" not in page.text
