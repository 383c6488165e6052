"""The console's menu page over HTTP: head office changes a price and takes a product off for
one store, previews the diff, publishes through the one publishing service and sees the
rollout; a store manager gets 404; a bad price is refused by name and publishes nothing."""

from __future__ import annotations

import html
import re

from fastapi import FastAPI
from starlette.testclient import TestClient

from cloud_api.demo import HEAD_OFFICE_EMAIL, MANAGER_EMAIL

from .console_pages import staff
from .helpers import count, ctx, demo_store_id


def test_head_office_previews_and_publishes_a_price_change(client: TestClient, app: FastAPI) -> None:
    staff(client, HEAD_OFFICE_EMAIL)
    _refused(client, app)
    staff(client, HEAD_OFFICE_EMAIL)
    page = client.get("/console/menu")
    assert page.status_code == 200 and 'value="17.08"' in page.text
    store_id = demo_store_id(app)
    form = {"base_version": "1", "store_id": store_id, "price.pepperoni.lg": "17.99", "off.brownie": "on"}
    preview = client.post("/console/menu/preview", data=form)
    assert preview.status_code == 200, preview.text
    assert "Pepperoni Pizza (lg)" in preview.text and "$17.08" in preview.text and "$17.99" in preview.text
    assert "Fudge Brownie" in preview.text and "taken off" in preview.text
    change = html.unescape(re.search(r'name="change" value="([^"]*)"', preview.text).group(1))  # type: ignore[union-attr]
    with ctx(app).db.transaction() as session:
        assert count(session, "menu_version") == 1

    published = client.post("/console/menu/publish", data={"change": change})
    assert published.status_code == 200
    assert "Published v2" in published.text and "to 1 store(s)" in published.text
    assert "not yet" in published.text  # the store has not said it applied it
    menu = client.get(f"/api/v1/stores/{store_id}/menu").json()["menu"]
    pepperoni = next(p for p in menu["products"] if p["code"] == "pepperoni")
    assert pepperoni["price"]["lg"] == 1799 and all(p["code"] != "brownie" for p in menu["products"])
    assert "v2" in client.get("/console/menu?csv=versions").text


def _refused(client: TestClient, app: FastAPI) -> None:
    """Bad input is refused by name and writes nothing; a store manager gets 404."""
    bad = client.post("/console/menu/preview", data={"base_version": "1", "price.pepperoni.lg": "=1+1"})
    assert bad.status_code == 422 and "Pepperoni Pizza (lg) must be dollars and cents" in bad.text
    assert client.post("/console/menu/publish", data={"change": "{"}).status_code == 422
    assert client.post("/console/menu/preview", data={"base_version": "x"}).status_code == 422
    assert client.post("/console/menu/preview", content=b"\xff\xfe").status_code == 422
    staff(client, MANAGER_EMAIL)
    for path in ("/console/menu", "/console/menu?csv=versions"):
        assert client.get(path).status_code == 404
    assert client.post("/console/menu/publish", data={"change": '{"prices": {}}'}).status_code == 404
    with ctx(app).db.transaction() as session:
        assert count(session, "menu_version") == 1


NEW = {
    "new.name": "Garlic Knots",
    "new.code": "garlic_knots",
    "new.category": "sides",
    "new.price.each": "5.49",
    "new.allergens": "Gluten, milk",
}


def test_head_office_adds_a_new_product_from_the_menu_form(client: TestClient, app: FastAPI) -> None:
    staff(client, HEAD_OFFICE_EMAIL)
    for wrong, says in (
        ({"new.code": "pepperoni"}, "already has a product 'pepperoni'"),
        ({"new.code": "Garlic Knots!"}, "The new product's code"),
        ({"new.category": "<b>nope</b>"}, "The new product's category"),
        ({"new.category": "nope"}, "has no category 'nope'"),
        ({"new.name": ""}, "The new product needs a name"),
        ({"new.price.each": ""}, "Give Garlic Knots a price"),
        ({"new.price.each": "=1+1"}, "The price of the new product (each) must be dollars and cents"),
        ({"new.allergens": "milk, <script>"}, "The new product's allergens"),
    ):
        answer = client.post("/console/menu/preview", data={"base_version": "1"} | NEW | wrong)
        assert answer.status_code == 422 and says in html.unescape(answer.text), (wrong, answer.text[-3000:])
    forged = '{"add": [{"code": "x", "name": "X", "category": "sides", "prices": {"huge": 1}}]}'
    refused = client.post("/console/menu/publish", data={"change": forged})
    assert "Not published" in refused.text and "has no size 'huge'" in html.unescape(refused.text)
    with ctx(app).db.transaction() as session:
        assert count(session, "menu_version") == 1

    preview = client.post("/console/menu/preview", data={"base_version": "1"} | NEW)
    assert preview.status_code == 200 and "added" in preview.text and "Garlic Knots" in preview.text
    change = html.unescape(re.search(r'name="change" value="([^"]*)"', preview.text).group(1))  # type: ignore[union-attr]
    published = client.post("/console/menu/publish", data={"change": change})
    assert "Published v2" in published.text, published.text[-2000:]
    menu = client.get(f"/api/v1/stores/{demo_store_id(app)}/menu").json()["menu"]
    knots = next(p for p in menu["products"] if p["code"] == "garlic_knots")
    assert knots["price"] == {"each": 549} and knots["allergens"] == ["gluten", "milk"]
    assert (knots["kind"], knots["station"], knots["category"]) == ("side", "sides", "sides")
