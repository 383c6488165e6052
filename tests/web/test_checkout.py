"""Checkout as customers get it wrong and right: an address no store delivers to, a declined
card, a double-clicked *place order*, finding an order by phone and number, and the store
receipt's QR link opening the tracker."""

from __future__ import annotations

import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from cloud_api.demo import STORE_CODE
from cloud_api.models import Order
from printers.builders import receipt
from store_db.db import StoreDB
from tests import calls
from tests.printers.store_orders import place, walk_in

from .a11y import assert_accessible
from .conftest import Cloud, screenshot
from .kitchen import take
from .store import enroll_store, push_all

FAR_AWAY = "3200 N Ridgeland Ave"  # on the demo grid, 8.6 km away: past every delivery area


def orders_for(cloud: Cloud, phone: str) -> int:
    with cloud.ctx.db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(Order).where(Order.phone == phone)) or 0)


def cart_with_breadsticks(page: Page, cloud: Cloud, address: str = "1148 S Hannah Ave") -> None:
    page.goto(cloud.base + "/")
    page.get_by_test_id("address").fill(address)
    page.get_by_test_id("find-store").click()
    expect(page).to_have_url(cloud.base + "/menu")
    page.get_by_test_id("product-breadsticks").click()
    expect(page).to_have_url(cloud.base + "/cart")
    page.get_by_test_id("checkout").click()


def guest(page: Page, phone: str, card: str = "tok_visa") -> None:
    page.get_by_test_id("guest-name").fill("Ethan Davis")
    page.get_by_test_id("guest-phone").fill(phone)
    page.get_by_test_id("guest-email").fill("ethan@example.com")
    page.get_by_test_id("card-token").select_option(card)


def test_an_address_outside_every_area_offers_carryout(page: Page, cloud: Cloud) -> None:
    page.goto(cloud.base + "/")
    page.get_by_test_id("address").fill(FAR_AWAY)
    page.get_by_test_id("find-store").click()
    notice = page.get_by_test_id("no-delivery")
    expect(notice).to_contain_text("No store delivers to 3200 N Ridgeland Ave")
    expect(notice).to_contain_text(re.compile(r"Carryout from makeline Oak Park, \d+\.\d km away"))
    expect(page.get_by_text("Open now: taking orders")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "outside-the-area")
    page.get_by_test_id(f"carryout-{STORE_CODE}").click()
    expect(page).to_have_url(cloud.base + "/menu")
    expect(page.get_by_text("Carryout from makeline Oak Park")).to_be_visible()

    page.goto(cloud.base + "/")
    page.get_by_test_id("address").fill("12 Nowhere Lane")
    page.get_by_test_id("find-store").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)


def test_a_declined_card_says_so_and_places_nothing(page: Page, cloud: Cloud) -> None:
    cart_with_breadsticks(page, cloud)
    guest(page, "7085550111", card="tok_chargeDeclinedInsufficientFunds")
    page.get_by_test_id("place-order").click()
    expect(page.get_by_role("alert")).to_contain_text("insufficient funds")
    assert_accessible(page)
    screenshot(page, "declined")
    assert orders_for(cloud, "7085550111") == 0
    # The customer picks another card on the same page: one order, paid.
    page.get_by_test_id("card-token").select_option("tok_visa")
    page.get_by_test_id("place-order").click()
    expect(page).to_have_url(re.compile(r"/track/"))
    assert orders_for(cloud, "7085550111") == 1


def test_place_order_pressed_twice_and_sent_again_is_one_order(page: Page, cloud: Cloud) -> None:
    cart_with_breadsticks(page, cloud)
    guest(page, "7085550122")
    form = page.locator("#checkout").evaluate("f => new URLSearchParams(new FormData(f)).toString()")
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}

    # The same checkout sent twice at once (two taps that both got through): one order.
    def send() -> httpx.Response:
        return calls.post(
            cloud.base + "/checkout",
            content=form,
            cookies=cookies,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            timeout=30,
        )

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: send(), range(2)))
    assert [a.status_code for a in answers] == [303, 303]
    assert answers[0].headers["location"] == answers[1].headers["location"]
    assert orders_for(cloud, "7085550122") == 1

    # A double click in the browser, then the form sent again after it went through: one order.
    page.get_by_test_id("place-order").dblclick()
    expect(page).to_have_url(re.compile(r"/track/"))
    assert page.url.endswith(answers[0].headers["location"])
    again = page.request.post(
        cloud.base + "/checkout",
        data=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        max_redirects=0,
    )
    assert again.status == 303 and page.url.endswith(again.headers["location"])
    assert orders_for(cloud, "7085550122") == 1


def test_a_guest_finds_an_order_by_phone_and_number(page: Page, cloud: Cloud) -> None:
    cart_with_breadsticks(page, cloud)
    guest(page, "7085550133")
    page.get_by_test_id("pay-cash").check()
    page.get_by_test_id("place-order").click()
    expect(page).to_have_url(re.compile(r"/track/"))
    order_id = page.url.split("/track/")[1].split("?")[0]
    take(cloud.ctx, order_id, number=2077)
    page.goto(cloud.base + "/find")
    page.locator("#phone").fill("(708) 555-0133")
    page.locator("#number").fill("2076")
    page.get_by_test_id("find-order").click()
    expect(page.get_by_role("alert")).to_contain_text("No order #2076")
    assert_accessible(page)
    page.locator("#number").fill("#2077")
    page.get_by_test_id("find-order").click()
    expect(page.get_by_test_id("order-number")).to_have_text("#2077")


def test_the_receipt_qr_link_opens_the_tracker(
    page: Page, cloud: Cloud, demo_store_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "store.db"
    shutil.copyfile(demo_store_template, path)
    with StoreDB(path) as db:
        store_id = enroll_store(db, cloud.base)
        order_id, _ = place(db, walk_in())
        push_all(db, store_id)
        with db.read() as session:
            link = receipt(session, order_id).tracking_url
    assert link.startswith(f"{cloud.base}/track/{order_id}?code=")
    page.goto(link)
    expect(page.get_by_test_id("track-stage")).to_have_text("Prep")
    expect(page.get_by_test_id("order-number")).to_have_text(re.compile(r"#\d+"))
    # Without its code the link finds nothing, and says how to find the order instead.
    page.goto(link.split("?")[0])
    expect(page.get_by_role("alert")).to_contain_text("phone number and order number")
    page.goto(link[:-2] + "xx")
    expect(page.get_by_role("alert")).to_be_visible()
