"""Store hours and orders for later in the cloud: head office sets the hours and the store
learns them through its feed; `POST /orders` with `scheduled_for` is taken within the hours
(while the store's computer is away, if it is an hour or more ahead) and refused outside
them naming the next opening, writing nothing; the storefront offers time slots, places an
order for later and its tracker says when it is for."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from sqlalchemy import select
from starlette.testclient import TestClient

from cloud_api.db.base import utcnow
from cloud_api.models import Order, StoreFeedEntry
from cloud_api.store_events.schemas import Outcome
from cloud_api.store_events.service import apply_store_event
from makeline.trade.business_day import business_date
from makeline.trade.hours import DAY_NAMES
from sync.contract import parse_entry, parse_event
from sync.contract.entries import OnlineOrder, StoreSettings
from sync.contract.events import OrderFired

from .helpers import (
    bring_online,
    count,
    ctx,
    customer,
    demo_store_id,
    event,
    head_office,
    order_body,
    place,
    store_order_payload,
    take_offline,
)

ZONE = ZoneInfo("America/Chicago")
TABLES = ("orders", "order_line", "payment", "test_gateway_charge", "store_feed", "idempotency_record")


def at_local(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZONE)


def rows(app: FastAPI) -> dict[str, int]:
    with ctx(app).db.transaction() as session:
        return {table: count(session, table) for table in TABLES}


def last_entry(app: FastAPI, store: str, kind: str) -> StoreFeedEntry:
    with ctx(app).db.transaction() as session:
        found = session.scalars(
            select(StoreFeedEntry)
            .where(StoreFeedEntry.store_id == store, StoreFeedEntry.kind == kind)
            .order_by(StoreFeedEntry.cursor.desc())
        ).first()
        assert found is not None
        session.expunge(found)
        return found


def spoken(day: date) -> str:
    """The day as the store's refusal says it: by the calendar in the store's zone, which
    between midnight and the business day's turn is a day ahead of the business day."""
    ahead = (day - utcnow().astimezone(ZoneInfo("America/Chicago")).date()).days
    return "today" if ahead == 0 else "tomorrow" if ahead == 1 else DAY_NAMES[day.weekday()]


def set_hours(client: TestClient, store: str, closed: list[date]) -> dict[str, Any]:
    """Open 11:00–23:00 every day, closed all day on `closed`."""
    hours = {
        "week": {
            d: [{"opens": "11:00", "closes": "23:00"}]
            for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        },
        "closures": [{"day": d.isoformat(), "reason": "holiday"} for d in closed],
    }
    answer = client.put(f"/api/v1/stores/{store}", json={"hours": hours}, headers=head_office(client))
    assert answer.status_code == 200, answer.text
    return hours


def test_hours_reach_the_store_and_orders_for_later_are_taken_or_refused(
    client: TestClient, app: FastAPI
) -> None:
    store = bring_online(app)
    today = business_date(utcnow(), "America/Chicago", 4)
    holiday = today + timedelta(days=2)
    hours = set_hours(client, store, [today, holiday])
    assert client.get(f"/api/v1/stores/{store}").json()["hours"] == hours | {
        "closures": [{"day": d.isoformat(), "reason": "holiday"} for d in (today, holiday)]
    }
    settings = parse_entry("store.settings", last_entry(app, store, "store.settings").payload)
    assert isinstance(settings, StoreSettings) and settings.v == 2 and settings.hours is not None

    office = head_office(client)
    for broken in (
        {"week": {"mon": [{"opens": "25:00", "closes": "23:00"}]}},
        {"week": {"funday": [{"opens": "11:00", "closes": "23:00"}]}},
        {"week": {"mon": [{"opens": "11:00", "closes": "11:00"}]}},
        {"week": {"mon": [{"opens": "11:00", "closes": "12:00"}] * 4}},
        {"closures": [{"day": "next friday"}]},
        {"week": {}, "open": "always"},
    ):
        answer = client.put(f"/api/v1/stores/{store}", json={"hours": broken}, headers=office)
        assert answer.status_code == 422, (broken, answer.text)
    assert client.get(f"/api/v1/stores/{store}").json()["hours"]["closures"][0]["day"] == today.isoformat()

    me = customer(client)
    before = rows(app)
    refused = place(client, me, order_body(store, scheduled_for=at_local(holiday, 12).isoformat()))
    assert refused.status_code == 422, refused.text
    assert re.search(
        rf"closed at {spoken(holiday)} 12:00\b.*; it next opens {spoken(holiday + timedelta(days=1))} 11:00",
        refused.text,
    ), refused.text
    assert refused.json()["field"] == "scheduled_for"
    now_refused = place(client, me, order_body(store))  # closed all today: not for now either
    assert now_refused.status_code == 422 and "is closed now; it opens" in now_refused.text
    too_far = place(
        client, me, order_body(store, scheduled_for=at_local(today + timedelta(days=8), 12).isoformat())
    )
    assert too_far.status_code == 422 and "at most 7 days ahead" in too_far.text
    no_zone = place(
        client, me, order_body(store, scheduled_for=at_local(today + timedelta(days=1), 12).isoformat()[:19])
    )
    assert no_zone.status_code == 422
    assert rows(app) == before, "a refused order writes nothing and takes no payment"

    # The store's computer is away: an order for tomorrow is taken all the same, and waits in its feed.
    take_offline(app, store)
    wanted = at_local(today + timedelta(days=1), 12)
    taken = place(client, me, order_body(store, scheduled_for=wanted.isoformat()))
    assert taken.status_code == 201, taken.text
    body = taken.json()
    assert (
        datetime.fromisoformat(body["scheduled_for"]) == wanted == datetime.fromisoformat(body["promise_at"])
    )
    entry = parse_entry("order.online", last_entry(app, store, "order.online").payload)
    assert isinstance(entry, OnlineOrder) and entry.v == 2 and entry.scheduled_for == wanted
    soon = place(client, me, order_body(store, scheduled_for=(utcnow() + timedelta(minutes=20)).isoformat()))
    assert soon.status_code in (409, 422), soon.text  # too soon for a store not heard from (or closed today)


def test_the_storefront_offers_time_slots_and_tracks_an_order_for_later(
    client: TestClient, app: FastAPI
) -> None:
    store = bring_online(app)
    today = business_date(utcnow(), "America/Chicago", 4)
    set_hours(client, store, [today])
    start = client.post("/start", data={"address": "", "service": "carryout"})
    assert start.status_code == 200
    assert re.search(r"Closed now · opens (tomorrow|\w+day) 11:00", start.text), start.text[:3000]
    assert "Order for later from here" in start.text
    chosen = client.post("/store", data={"store_id": store}, follow_redirects=False)
    assert chosen.status_code == 303
    assert (
        client.post("/cart/add", data={"product": "cheese", "size": "lg"}, follow_redirects=False).status_code
        == 303
    )
    page = client.get("/checkout")
    assert page.status_code == 200
    assert "As soon as possible" not in page.text, "closed today: only times for later"
    slots = re.findall(r'<option value="([^"]+)"\s*>', page.text)
    slots = [s for s in slots if s.startswith("20")]
    assert slots, page.text[:3000]
    first = datetime.fromisoformat(slots[0])
    assert first.astimezone(ZONE).time() == time(11, 0) and first.astimezone(
        ZONE
    ).date() == today + timedelta(days=1)
    key = re.search(r'name="checkout_key" value="([^"]+)"', page.text)
    assert key is not None
    form = {
        "checkout_key": key.group(1),
        "name": "Lee Later",
        "phone": "708-555-0142",
        "email": "lee@example.com",
        "payment": "card",
        "card_token": "tok_visa",
        "when": slots[1],
    }
    bad = client.post("/checkout", data=form | {"when": "tomorrow-ish"}, follow_redirects=False)
    assert bad.status_code == 422 and "Choose when you want your order" in bad.text
    placed = client.post("/checkout", data=form, follow_redirects=False)
    assert placed.status_code == 303, placed.text[:2000]
    tracker = client.get(placed.headers["location"])
    assert tracker.status_code == 200
    assert re.search(r"Scheduled for <strong>(tomorrow|\w+day) 11:15", tracker.text), tracker.text[:3000]
    with ctx(app).db.transaction() as session:
        order = session.scalars(select(Order).where(Order.customer_name == "Lee Later")).one()
        assert order.scheduled_for == datetime.fromisoformat(slots[1])


def test_the_tracker_holds_an_order_for_later_at_placed_until_the_store_fires_it(app: FastAPI) -> None:
    store = demo_store_id(app)
    payload = store_order_payload(number=1077)
    payload.pop("v")  # as the store builds it: the version follows from the fields
    placed = parse_event(
        "order.placed", payload | {"scheduled_for": (utcnow() + timedelta(hours=3)).isoformat()}
    )
    assert placed.v >= 2  # 2 for `scheduled_for`; 3 when its lines carry allergens too
    fired = OrderFired(order_id=payload["id"], number=1077, at=utcnow() + timedelta(hours=2, minutes=30))
    with ctx(app).db.transaction() as session:
        assert apply_store_event(session, store, event("order.placed", placed.payload())) is Outcome.APPLIED
        order = session.get_one(Order, {"store_id": store, "id": payload["id"]})
        assert (order.tracked_status, order.scheduled_for is not None) == ("placed", True)
        assert apply_store_event(session, store, event("order.fired", fired.payload())) is Outcome.APPLIED
        assert apply_store_event(session, store, event("order.fired", fired.payload())) is Outcome.APPLIED
        assert (order.tracked_status, order.fired_at) == ("prep", fired.at)
