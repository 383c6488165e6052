"""A guest orders a half-and-half pizza for delivery on a phone-sized screen and watches it
come: every page passes the accessibility check, and its picture goes into docs/storefront."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page, expect

from cloud_api.orders.repository import order_by_id
from makeline.trade.lifecycle import Stage
from tests.cloud.fake_sendgrid import SentEmail
from tests.cloud.fake_twilio import Sent

from .a11y import assert_accessible
from .conftest import Cloud, eventually, screenshot
from .kitchen import move, take

ADDRESS = "698 S Maple Ave"


def test_a_guest_orders_half_and_half_and_watches_it_come(page: Page, cloud: Cloud) -> None:
    page.goto(cloud.base + "/")
    assert_accessible(page)
    screenshot(page, "start")
    page.get_by_test_id("address").fill(ADDRESS)
    page.get_by_test_id("find-store").click()

    expect(page).to_have_url(cloud.base + "/menu")
    expect(page.get_by_text("Delivery to 698 S Maple Ave")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "menu")
    page.get_by_test_id("product-cheese").click()

    # Large; pepperoni on the left, extra mushrooms on the right.
    page.get_by_test_id("size-lg").check()
    page.get_by_test_id("topping-pepperoni-left").check()
    page.get_by_test_id("topping-mushrooms-right").check()
    page.get_by_test_id("amount-mushrooms-extra").check()
    # The server's quote: $14.99 + half pepperoni + half extra mushrooms, as the order prices it.
    expect(page.locator("#changes")).to_contain_text("ADD PEPPERONI (LEFT)")
    expect(page.locator("#changes")).to_contain_text("ADD EXTRA MUSHROOMS (RIGHT)")
    quoted = page.get_by_test_id("price").inner_text()
    expect(page.locator("#pizza-words")).to_contain_text("Left half: Pepperoni")
    expect(page.locator("#pizza-words")).to_contain_text("Right half: Mushrooms (extra)")
    assert_accessible(page)
    screenshot(page, "builder")
    page.get_by_test_id("add-to-cart").click()

    expect(page).to_have_url(cloud.base + "/cart")
    expect(page.get_by_test_id("line-0")).to_contain_text("add pepperoni (left)")
    expect(page.get_by_test_id("line-0")).to_contain_text(quoted)
    expect(page.get_by_test_id("cart")).to_contain_text("1")
    expect(page.get_by_test_id("promise")).to_contain_text("As soon as possible: delivered about")
    assert_accessible(page)
    screenshot(page, "cart")
    page.get_by_test_id("checkout").click()

    page.get_by_test_id("guest-name").fill("Priya Anderson")
    page.get_by_test_id("guest-phone").fill("(708) 497-9310")
    page.get_by_test_id("guest-email").fill("priya@example.com")
    page.get_by_test_id("card-token").select_option("tok_visa")
    assert_accessible(page)
    screenshot(page, "checkout")
    page.get_by_test_id("place-order").click()

    expect(page).to_have_url(re.compile(r"/track/[0-9a-f-]+\?code=."))
    parts = urlsplit(page.url)
    order_id = parts.path.rsplit("/", 1)[1]
    assert parse_qs(parts.query)["code"]
    with cloud.ctx.db.transaction() as session:
        order = order_by_id(session, order_id)
        assert order is not None and order.payment == "paid" and order.customer_name == "Priya Anderson"
    expect(page.get_by_test_id("track-stage")).to_have_text("Order placed")

    # The store takes it, makes, bakes, sends it out with Sam, delivers it: the page follows.
    take(cloud.ctx, order_id, number=1042)
    expect(page.get_by_test_id("order-number")).to_have_text("#1042")
    expect(page.get_by_test_id("track-stage")).to_have_text("Prep")
    expect(page.get_by_test_id("track-eta")).to_contain_text("Expected by")
    assert_accessible(page)
    screenshot(page, "tracker")
    move(cloud.ctx, order_id, Stage.MADE)
    expect(page.get_by_test_id("track-stage")).to_have_text("In the oven")
    move(cloud.ctx, order_id, Stage.BAKED)
    expect(page.get_by_test_id("track-stage")).to_have_text("Quality check")
    move(cloud.ctx, order_id, Stage.OUT_THE_DOOR, driver="Sam Ortiz")
    expect(page.get_by_test_id("track-stage")).to_have_text("Out for delivery")
    expect(page.get_by_test_id("track-eta")).to_contain_text("Sam is on the way")
    move(cloud.ctx, order_id, Stage.DELIVERED)
    expect(page.get_by_test_id("track-stage")).to_have_text("Delivered")
    expect(page.get_by_test_id("track-eta")).to_contain_text("Delivered at")
    expect(page.get_by_test_id("track-eta")).not_to_contain_text("Expected")
    screenshot(page, "delivered")

    # One confirmation and one delivered email; one text when the store took it, one when it left.
    def emails() -> list[SentEmail]:
        return cloud.sendgrid.to("priya@example.com")

    def texts() -> list[Sent]:
        return cloud.twilio.to("+17084979310")

    eventually(lambda: len(emails()) >= 2 and len(texts()) >= 2, "the emails and the texts")
    assert sorted(e.subject.rsplit(" ", 1)[1] for e in emails()) == ["confirmed", "delivered"]
    confirmation = next(e for e in emails() if e.subject.endswith("confirmed"))
    assert "add pepperoni (left)" in confirmation.text and "#1042" in confirmation.subject
    assert [t.body.split(" ")[0] for t in texts()] == ["makeline", "Your"]
    assert "is on the way with Sam Ortiz" in texts()[1].body

    # The text's link opens the tracker, delivered, with the delivered time.
    link = texts()[0].body.rsplit(" ", 1)[1]
    assert link.startswith(f"{cloud.base}/track/{order_id}?code=")
    page.goto(link)
    expect(page.get_by_test_id("track-eta")).to_contain_text("Delivered at")


def tab_to(page: Page, test: str, most: int = 300) -> None:
    """Press Tab until the focused element passes the JavaScript `test` (of `el`)."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!(el && ({test})); }})()"):
            return
    raise AssertionError(f"Tab never reached an element where {test}")


def test_a_pizza_can_be_ordered_to_the_cart_with_the_keyboard_alone(page: Page, cloud: Cloud) -> None:
    page.goto(cloud.base + "/")
    tab_to(page, "el.dataset.testid === 'address'")
    page.keyboard.type(ADDRESS)
    page.keyboard.press("Enter")
    expect(page).to_have_url(cloud.base + "/menu")
    tab_to(page, "el.dataset.testid === 'product-cheese'")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Cheese Pizza")).to_be_visible()
    tab_to(page, "el.name === 't_pepperoni'")
    page.keyboard.press("ArrowRight")  # None -> Whole
    expect(page.get_by_test_id("topping-pepperoni-whole")).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowRight")  # Normal -> Extra
    expect(page.get_by_test_id("amount-pepperoni-extra")).to_be_checked()
    expect(page.locator("#changes")).to_contain_text("ADD EXTRA PEPPERONI")
    tab_to(page, "el.dataset.testid === 'add-to-cart'")
    page.keyboard.press("Enter")
    expect(page).to_have_url(cloud.base + "/cart")
    expect(page.get_by_test_id("line-0")).to_contain_text("add extra pepperoni")
    tab_to(page, "el.dataset.testid === 'checkout'")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("guest-name")).to_be_visible()


def test_an_allergy_and_care_go_from_the_builder_to_the_cart_and_the_confirmation(
    page: Page, cloud: Cloud
) -> None:
    page.goto(cloud.base + "/")
    page.get_by_test_id("address").fill(ADDRESS)
    page.get_by_test_id("find-store").click()
    page.get_by_test_id("product-pepperoni").click()
    page.get_by_test_id("care-allergy").fill("peanuts <b>and</b> sesame")
    page.get_by_test_id("care-cut_squares").check()
    assert_accessible(page)
    page.get_by_test_id("add-to-cart").click()

    expect(page).to_have_url(cloud.base + "/cart")
    care = "ALLERGY: PEANUTS <B>AND</B> SESAME · CUT IN SQUARES"  # as typed: text, never markup
    expect(page.get_by_test_id("care-0")).to_contain_text(care)
    assert_accessible(page)
    page.get_by_test_id("checkout").click()
    page.get_by_test_id("guest-name").fill("Noor Haddad")
    page.get_by_test_id("guest-phone").fill("(708) 497-9311")
    page.get_by_test_id("guest-email").fill("noor@example.com")
    page.get_by_test_id("card-token").select_option("tok_visa")
    page.get_by_test_id("place-order").click()

    expect(page).to_have_url(re.compile(r"/track/[0-9a-f-]+\?code=."))
    expect(page.get_by_test_id("track-care")).to_contain_text(f"1 × Pepperoni Pizza: {care}")
    assert_accessible(page)
    order_id = urlsplit(page.url).path.rsplit("/", 1)[1]
    with cloud.ctx.db.transaction() as session:
        order = order_by_id(session, order_id)
        assert order is not None and order.customer_name == "Noor Haddad"
