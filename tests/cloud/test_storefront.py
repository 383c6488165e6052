"""The storefront's pages over HTTP, without a browser: the menu page's weight, and hostile
input (forged carts, junk forms, markup in addresses, paths outside the static folder), each
a clear 4xx or an empty cart, never a 5xx, never a change."""

from __future__ import annotations

import re

from fastapi import FastAPI
from sqlalchemy import func, select
from starlette.testclient import TestClient

from cloud_api.models import Account, Order

from .helpers import bring_online, ctx

ADDRESS = "698 S Maple Ave"
BUDGET = 100 * 1024  # the menu page, its CSS and its scripts, before images


def start_delivery(client: TestClient, address: str = ADDRESS) -> None:
    answer = client.post("/start", data={"address": address, "service": "delivery"}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/menu", answer.text


def orders(app: FastAPI) -> int:
    with ctx(app).db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(Order)) or 0)


def test_the_menu_page_weighs_under_100_kb(client: TestClient) -> None:
    start_delivery(client)
    menu = client.get("/menu")
    assert menu.status_code == 200
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', menu.text)
    assert "/static/site.css" in assets
    weight = len(menu.content) + sum(len(client.get(a).content) for a in assets)
    assert weight < BUDGET, f"the menu page is {weight / 1024:.1f} KB with its assets"
    # Every product of the demo menu is there, each a control with its test id.
    assert menu.text.count('data-testid="product-') == 29


def test_a_forged_or_broken_cart_is_an_empty_cart(client: TestClient) -> None:
    start_delivery(client)
    good = client.cookies["cart"]
    body, _, mac = good.rpartition(".")
    for forged in (body + "." + mac[::-1], "x" * 5000, "not-a-cart", body[:-4] + "AAAA." + mac):
        client.cookies.set("cart", forged)
        assert client.get("/menu", follow_redirects=False).headers["location"] == "/"
        assert client.get("/cart", follow_redirects=False).status_code == 303


def test_hostile_forms_get_clear_refusals_and_change_nothing(client: TestClient, app: FastAPI) -> None:
    bring_online(app)
    start_delivery(client)
    before = orders(app)
    cases = [
        ("/quote", {"product": "cheese", "size": "lg", "t_pepperoni": "everywhere"}, 422),
        ("/quote", {"product": "cheese", "size": "lg", "t_pepperoni": "left", "a_pepperoni": "lots"}, 422),
        ("/quote", {"product": "nope", "size": "lg"}, 422),
        ("/quote", {"product": "cheese", "size": "xxl"}, 422),
        ("/quote", {"product": "cheese", "size": "lg", "crust": "thin\x00"}, 422),
        ("/cart/add", {"product": "cheese", "size": "lg", "quantity": "999"}, 422),
        ("/cart/add", {"product": "cheese", "size": "lg", "quantity": "-1"}, 422),
        ("/cart/add", {"product": "cheese", "size": "sm", "crust": "thin"}, 422),
        ("/checkout", {"name": "A", "phone": "1", "email": "x", "checkout_key": "k"}, 422),
        ("/find", {"phone": "12", "number": "1"}, 422),
        ("/find", {"phone": "7085550100", "number": "abc"}, 422),
        ("/store", {"store_id": "' OR 1=1 --"}, 422),
    ]
    for path, form, status in cases:
        answer = client.post(path, data=form, follow_redirects=False)
        assert answer.status_code == status, (path, form, answer.status_code, answer.text[:300])
    huge = client.post(
        "/quote",
        content=b"a=" + b"x" * 20_000,
        follow_redirects=False,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert huge.status_code == 422
    binary = client.post(
        "/cart/add",
        content=b"\xff\xfe\x00",
        follow_redirects=False,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert binary.status_code == 422
    assert client.get("/static/../app.py").status_code == 404
    assert client.get("/static/%2e%2e%2fapp.py").status_code == 404
    assert client.get("/static/site.py").status_code == 404
    assert client.get("/build/nope").status_code == 404
    assert client.get("/track/not-an-order?code=x").status_code == 404
    assert orders(app) == before
    with ctx(app).db.transaction() as session:
        guests = session.scalar(
            select(func.count()).select_from(Account).where(Account.email.like("guest.%"))
        )
    assert guests == 0


def test_markup_in_an_address_is_shown_as_text(client: TestClient) -> None:
    answer = client.post("/start", data={"address": "<script>alert(1)</script> St", "service": "delivery"})
    assert answer.status_code == 422
    assert "<script>alert(1)" not in answer.text and "&lt;script&gt;" in answer.text


def test_the_builder_quotes_what_the_order_will_cost(client: TestClient) -> None:
    start_delivery(client)
    plain = client.post("/quote", data={"product": "cheese", "size": "lg"}).json()
    half = client.post(
        "/quote",
        data={"product": "cheese", "size": "lg", "t_pepperoni": "left", "a_pepperoni": "extra"},
    ).json()
    assert plain["line_total"] == 1499
    assert half["line_total"] > plain["line_total"]
    assert half["changes"] == ["ADD EXTRA PEPPERONI (LEFT)"]
