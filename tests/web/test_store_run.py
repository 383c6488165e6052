"""The whole product: a guest orders a half-and-half pizza on the storefront; a real store
database with its real agent (`makeline agent`, a process of its own) takes it, prints its
kitchen ticket, and bumps, bakes, dispatches and delivers it; the customer's tracker follows
each step through the cloud."""

from __future__ import annotations

import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from cloud_api.storefront.views import clock
from makeline.trade.lifecycle import Stage
from printers.configure import add_demo_printers
from store_db.db import StoreDB
from store_db.models import KitchenTicket, Order, Staff, utcnow
from store_db.services import drivers, kitchen, lifecycle, runs
from tests.sync.helpers import eventually, start_agent, stop

from .conftest import Cloud
from .store import enroll_store


def _store_order(path: Path, cloud_id: str) -> Order | None:
    with StoreDB(path) as db, db.read() as session:
        return session.scalars(select(Order).where(Order.cloud_order_id == cloud_id)).first()


@pytest.mark.slow
def test_the_tracker_follows_a_real_store_and_its_agent(
    page: Page, cloud: Cloud, demo_store_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "store.db"
    shutil.copyfile(demo_store_template, path)
    printouts = tmp_path / "printouts"
    with StoreDB(path) as db:
        add_demo_printers(db, printouts)
        enroll_store(db, cloud.base)
    agent = start_agent(path, tmp_path / "agent.log")
    try:
        page.goto(cloud.base + "/")
        page.get_by_test_id("address").fill("1148 S Hannah Ave")
        page.get_by_test_id("find-store").click()
        page.get_by_test_id("product-cheese").click()
        page.get_by_test_id("size-lg").check()
        page.get_by_test_id("topping-pepperoni-left").check()
        page.get_by_test_id("topping-mushrooms-right").check()
        page.get_by_test_id("amount-mushrooms-extra").check()
        expect(page.locator("#changes")).to_contain_text("ADD EXTRA MUSHROOMS (RIGHT)")
        page.get_by_test_id("add-to-cart").click()
        page.get_by_test_id("checkout").click()
        page.get_by_test_id("guest-name").fill("Ethan Davis")
        page.get_by_test_id("guest-phone").fill("7088405115")
        page.get_by_test_id("guest-email").fill("ethan.davis@example.com")
        page.get_by_test_id("card-token").select_option("tok_visa")
        page.get_by_test_id("place-order").click()
        expect(page).to_have_url(re.compile(r"/track/"))
        cloud_id = page.url.split("/track/")[1].split("?")[0]

        # The store has it: on its make line, its ticket printed with the halves, its number here.
        here = eventually(lambda: _store_order(path, cloud_id), timeout=30, what="the order in the store")
        assert here.payment == "paid" and here.service == "delivery"
        ticket = eventually(
            lambda: list((printouts / "kitchen").glob(f"*-{here.number}-kitchen.txt")), timeout=30
        )
        printed = ticket[0].read_text(encoding="utf-8")
        assert "PEPPERONI" in printed and "LEFT" in printed and "RIGHT" in printed
        expect(page.get_by_test_id("order-number")).to_have_text(f"#{here.number}", timeout=30_000)
        expect(page.get_by_test_id("track-stage")).to_have_text("Prep")

        with StoreDB(path) as db:
            with db.write() as session:
                for made in session.scalars(select(KitchenTicket).where(KitchenTicket.order_id == here.id)):
                    kitchen.bump(session, made.id, utcnow())
                lifecycle.advance(session, here.id, Stage.MADE, utcnow(), already_ok=True)
            expect(page.get_by_test_id("track-stage")).to_have_text("In the oven", timeout=30_000)
            with db.write() as session:
                lifecycle.advance(session, here.id, Stage.BAKED, utcnow())
                lifecycle.advance(session, here.id, Stage.READY, utcnow())
            expect(page.get_by_test_id("track-stage")).to_have_text("Quality check", timeout=30_000)
            with db.write() as session:
                sam = session.scalars(select(Staff).where(Staff.name == "Sam")).one()
                drivers.clock_in(session, sam, utcnow())
                eta = utcnow() + timedelta(minutes=12)
                run_id = runs.dispatch(session, sam, [runs.PlannedStop(here.id, eta_at=eta)], utcnow()).id
            expect(page.get_by_test_id("track-stage")).to_have_text("Out for delivery", timeout=30_000)
            # The dispatch plan's arrival for this stop, in the store's time.
            arriving = f"Sam is on the way, arriving about {clock(eta, 'America/Chicago')}"
            expect(page.get_by_test_id("track-eta")).to_contain_text(arriving, timeout=30_000)
            with db.write() as session:
                runs.mark_stop(session, run_id, here.id, True, utcnow())
            expect(page.get_by_test_id("track-stage")).to_have_text("Delivered", timeout=30_000)
            expect(page.get_by_test_id("track-eta")).to_contain_text("Delivered at")
    finally:
        stop(agent)
