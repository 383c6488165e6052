"""A customer registers, orders, makes that order their favourite and reorders it in one tap;
the pages of the account pass the accessibility check."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from cloud_api.models import Account, Order

from .a11y import assert_accessible
from .conftest import Cloud, screenshot
from .kitchen import take


def test_a_signed_in_customer_reorders_a_favourite(page: Page, cloud: Cloud) -> None:
    page.goto(cloud.base + "/account")
    assert_accessible(page)
    screenshot(page, "sign-in")
    page.locator("#reg-name").fill("Ana Johnson")
    page.locator("#reg-phone").fill("708-597-1309")
    page.locator("#reg-email").fill("ana@example.com")
    page.locator("#reg-password").fill("pizza-every-friday")
    page.get_by_test_id("register").click()
    expect(page.get_by_role("heading", name="Hello, Ana")).to_be_visible()

    page.goto(cloud.base + "/")
    page.get_by_test_id("address").fill("2070 S Home Ave")
    page.get_by_test_id("find-store").click()
    page.get_by_test_id("product-pepperoni").click()
    page.get_by_test_id("topping-onions-right").check()
    expect(page.locator("#changes")).to_contain_text("ADD ONIONS (RIGHT)")
    page.get_by_test_id("add-to-cart").click()
    page.get_by_test_id("checkout").click()
    expect(page.get_by_test_id("guest-name")).to_have_value("Ana Johnson")  # known: filled in
    expect(page.get_by_test_id("guest-email")).to_have_value("ana@example.com")
    page.get_by_test_id("pay-cash").check()
    page.get_by_test_id("place-order").click()
    expect(page).to_have_url(re.compile(r"/track/"))
    first = page.url.split("/track/")[1].split("?")[0]
    take(cloud.ctx, first, number=3001)

    page.goto(cloud.base + "/account")
    expect(page.get_by_text("#3001", exact=True)).to_be_visible()
    page.get_by_test_id("favourite-0").click()
    expect(page.get_by_test_id("reorder-favourite")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "account")
    page.get_by_test_id("reorder-favourite").click()

    expect(page).to_have_url(cloud.base + "/cart")
    expect(page.get_by_test_id("line-0")).to_contain_text("add onions (right)")
    page.get_by_test_id("checkout").click()
    page.get_by_test_id("pay-cash").check()
    page.get_by_test_id("place-order").click()
    expect(page).to_have_url(re.compile(r"/track/"))
    with cloud.ctx.db.transaction() as session:
        account = session.scalars(select(Account).where(Account.email == "ana@example.com")).one()
        mine = session.scalar(select(func.count()).select_from(Order).where(Order.customer_id == account.id))
        again = session.scalars(
            select(Order).where(Order.customer_id == account.id).order_by(Order.placed_at.desc())
        ).first()
    assert mine == 2
    assert again is not None and again.address.startswith("2070 S Home Ave") and again.service == "delivery"

    page.goto(cloud.base + "/account")
    page.get_by_test_id("sign-out").click()
    page.goto(cloud.base + "/account")
    expect(page.get_by_test_id("sign-in")).to_be_visible()
    page.get_by_test_id("signin-email").fill("ana@example.com")
    page.get_by_test_id("signin-password").fill("wrong password")
    page.get_by_test_id("sign-in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    page.get_by_test_id("signin-password").fill("pizza-every-friday")
    page.get_by_test_id("sign-in").click()
    expect(page.get_by_text("#3001", exact=True)).to_be_visible()
