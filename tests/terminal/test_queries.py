"""The screens' read-only queries and the terminal-driven services, on a real store file."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from makeline.trade.lifecycle import Service, Stage
from makeline.trade.pricing import ItemRequest
from store_db.db import StoreDB
from store_db.errors import AccessDenied, BadInput, IllegalTransition, InvalidPhone, NotFound
from store_db.models import AuditEntry, Order
from store_db.queries import counter, cut_table, kitchen, kpis, manager, rack, stock, store
from store_db.queries.delivery_kpis import DeliveredStop, RunTime, ShiftTime, compute_driver_kpis, driver_kpis
from store_db.queries.driver_shift import driver_shift
from store_db.services import access, lifecycle
from store_db.services import cut_table as cut_service
from store_db.services import kitchen as kitchen_service
from store_db.services import stock_counts as counts
from tests.terminal.conftest import (
    FRIDAY,
    REPEAT_PHONE,
    half_and_half,
    place,
    repeat_customer,
    use_sides_screen,
)
from tests.terminal.delivery_store import sams_evening


def bump_all(db: StoreDB, station: str, seconds_later: float) -> None:
    with db.write() as session:
        for ticket in kitchen.open_tickets(session, station):
            kitchen_service.bump(session, ticket.id, ticket.created_at + timedelta(seconds=seconds_later))


def test_make_line_ticket_lays_out_halves_and_leaves_sides_to_their_station(db: StoreDB) -> None:
    use_sides_screen(db)
    place(
        db,
        [half_and_half(), ItemRequest(product="wings", size="8pc"), ItemRequest(product="cola", size="2l")],
        FRIDAY,
        notes="Ring twice",
    )
    with db.read() as session:
        (ticket,) = kitchen.open_tickets(session, "makeline")
        (sides,) = kitchen.open_tickets(session, "sides")
    (pizza,) = ticket.pizzas
    assert (ticket.label, ticket.notes, ticket.others) == ("#1001", "Ring twice", ())
    assert (pizza.size, pizza.crust, pizza.name) == ("LG", "HAND TOSSED", "Cheese Pizza")
    assert pizza.left == ("PEPPERONI",)
    assert pizza.right == ("EXTRA MUSHROOMS",)
    assert pizza.changes == ()  # the halves are not repeated as whole-pizza changes
    assert [o.name for o in sides.others] == ["Buffalo Wings"]
    assert sides.pizzas == ()


def test_open_tickets_reuse_what_the_screen_already_has(db: StoreDB) -> None:
    place(db, [half_and_half()], FRIDAY)
    with db.read() as session:
        first = kitchen.open_tickets(session, "makeline")
    place(db, [ItemRequest(product="pepperoni", size="lg")], FRIDAY + timedelta(seconds=5))
    with db.read() as session:
        second = kitchen.open_tickets(session, "makeline", {t.id: t for t in first})
    assert second[0] is first[0]
    assert [t.number for t in second] == [1001, 1002]


def test_recall_brings_back_the_last_bumped_but_never_a_voided_one(db: StoreDB) -> None:
    place(db, [half_and_half()], FRIDAY)
    second = place(db, [half_and_half()], FRIDAY + timedelta(seconds=1))
    bump_all(db, "makeline", 60)
    with db.read() as session:
        last = kitchen.last_bumped(session, "makeline")
    assert last is not None and last.label == "#1002"
    with db.write() as session:
        access.void_with_approval(
            session, second.id, "customer cancelled", "Dana", "1234", FRIDAY + timedelta(minutes=2)
        )
    with db.read() as session:
        last = kitchen.last_bumped(session, "makeline")
    assert last is not None and last.label == "#1001"


def test_boxing_records_when_the_belt_let_the_order_out(db: StoreDB) -> None:
    order = place(db, [half_and_half()], FRIDAY)
    bump_all(db, "makeline", 50)
    with db.read() as session:
        (on_belt,) = cut_table.cut_table(session)
        oven_s = store.store_info(session).oven_s
    made_at = FRIDAY + timedelta(seconds=50)
    assert on_belt.seconds_left(made_at + timedelta(seconds=60)) == oven_s - 60
    boxed_at = made_at + timedelta(seconds=oven_s + 90)
    with db.write() as session:
        cut_service.box(session, order.id, boxed_at)
    with db.read() as session:
        row = session.get(Order, order.id)
        assert row is not None
        assert (row.stage, row.baked_at, row.ready_at) == (
            "ready",
            made_at + timedelta(seconds=oven_s),
            boxed_at,
        )
        (waiting,) = rack.rack(session)
    assert waiting.label == "#1001"
    unmade = place(db, [half_and_half()], FRIDAY)
    with db.write() as session, pytest.raises(IllegalTransition):
        cut_service.box(session, unmade.id, boxed_at)


def test_kpis_come_from_stage_timestamps(db: StoreDB) -> None:
    order = place(
        db,
        [half_and_half()],
        FRIDAY,
        Service.DELIVERY,
        phone=REPEAT_PHONE,
        name="Maria",
        address="1200 N Harlem Ave",
    )
    bump_all(db, "makeline", 45)
    with db.write() as session:
        cut_service.box(session, order.id, FRIDAY + timedelta(minutes=8))
        lifecycle.advance(session, order.id, Stage.OUT_THE_DOOR, FRIDAY + timedelta(minutes=10))
        lifecycle.advance(session, order.id, Stage.DELIVERED, FRIDAY + timedelta(minutes=22))
    with db.read() as session:
        today = kpis.todays_kpis(session, FRIDAY + timedelta(minutes=30))
    assert today.measure("make").average_s == 45
    assert today.measure("rack").average_s == 120
    assert today.measure("delivery").average_s == 22 * 60
    assert today.on_time_pct == 100.0


def test_on_time_counts_only_delivered_orders() -> None:
    base = kpis.StageTimes(
        "delivery",
        "delivered",
        2000,
        FRIDAY + timedelta(minutes=30),
        FRIDAY,
        delivered_at=FRIDAY + timedelta(minutes=25),
    )
    late = kpis.StageTimes(
        "delivery",
        "delivered",
        2000,
        FRIDAY + timedelta(minutes=30),
        FRIDAY,
        delivered_at=FRIDAY + timedelta(minutes=40),
    )
    voided = kpis.StageTimes("carryout", "voided", 900, FRIDAY, FRIDAY)
    result = kpis.compute_kpis([base, late, voided])
    assert (result.on_time_pct, result.orders, result.voids, result.sales) == (50.0, 2, 1, 4000)


def test_customer_card_has_history_and_the_last_order_to_repeat(db: StoreDB) -> None:
    repeat_customer(db, FRIDAY)
    with db.read() as session:
        card = counter.customer_card(session, "(708) 555-0142")
        assert counter.customer_card(session, "708-555-9999") is None
        with pytest.raises(InvalidPhone):
            counter.customer_card(session, "555-12")
    assert card is not None and card.last is not None
    assert (card.name, card.order_count, card.addresses[0].line1) == ("Maria Garcia", 1, "1200 N Harlem Ave")
    (again,) = card.last.reorder
    assert (again.product, again.size, again.quantity, again.crust) == ("pepperoni", "md", 1, "hand_tossed")
    assert [t.code for t in again.toppings or []] == ["pepperoni"]


def test_status_counts_open_orders_by_stage(db: StoreDB) -> None:
    place(db, [half_and_half()], FRIDAY)
    place(db, [half_and_half()], FRIDAY)
    bump_all(db, "makeline", 30)
    place(db, [half_and_half()], FRIDAY)
    with db.read() as session:
        counts = store.status_counts(session)
    assert (counts.placed, counts.made, counts.in_progress) == (1, 2, 3)


def test_five_wrong_pins_lock_out_and_everything_is_audited(db: StoreDB) -> None:
    for n in range(5):
        with db.write() as session:
            outcome = access.login(session, "Alex", "9999", FRIDAY + timedelta(seconds=n), "counter")
        assert not outcome.ok
    assert "locked out for 5 minutes" in outcome.message
    with db.write() as session, pytest.raises(AccessDenied, match="locked out"):
        access.login(session, "Alex", "3333", FRIDAY + timedelta(minutes=1), "counter")
    with db.write() as session:
        assert access.login(session, "Alex", "3333", FRIDAY + timedelta(minutes=6), "counter").ok
    with db.read() as session:
        actions = [a.action for a in manager.recent_audit(session)]
    assert actions[0] == "login"
    assert actions.count("pin_failed") == 4 and actions.count("pin_locked") == 1


def test_a_void_needs_a_manager_or_shift_lead(db: StoreDB) -> None:
    order = place(db, [half_and_half()], FRIDAY)
    with db.write() as session, pytest.raises(AccessDenied, match="manager or shift lead"):
        access.void_with_approval(session, order.id, "changed mind", "Alex", "3333", FRIDAY)
    with db.write() as session:
        wrong = access.void_with_approval(session, order.id, "changed mind", "Chris", "0000", FRIDAY)
    with db.write() as session:
        ok = access.void_with_approval(
            session, order.id, "changed mind", "Chris", "2222", FRIDAY, asked_by=None
        )
    assert (wrong.ok, ok.ok) == (False, True)
    with db.read() as session:
        row = session.get(Order, order.id)
        assert row is not None and row.stage == "voided"
        voids = session.query(AuditEntry).filter(AuditEntry.action == "void").count()
    assert voids == 1


def test_a_reprint_is_refused_for_an_unknown_order_or_document_and_nothing_is_queued(db: StoreDB) -> None:
    order = place(db, [half_and_half()], FRIDAY)
    with db.write() as session, pytest.raises(BadInput, match="kitchen or a receipt can be reprinted"):
        access.reprint(session, order.id, "run-sheet", None, FRIDAY)
    with db.write() as session, pytest.raises(NotFound, match="no order nope"):
        access.reprint(session, "nope", "kitchen", None, FRIDAY)
    with db.read() as session:
        assert session.query(AuditEntry).filter(AuditEntry.action == "reprint").count() == 0


def test_the_count_sheet_opens_where_the_count_was_left(db: StoreDB) -> None:
    with db.read() as session:
        assert stock.count_sheet(session) is None
        choice = stock.count_choice(session)
    assert (choice.daily_items, choice.full_items, choice.last_kind) == (11, 66, None)
    with db.write() as session:
        count = counts.start_count(session, "daily", FRIDAY, "Dana")
        counts.set_line(session, count.id, "wings", "1 case + 2 bag", FRIDAY, "Dana")
    with db.read() as session:
        sheet = stock.count_sheet(session)
        walk_in = stock.count_sheet(session, "walk_in")
        nowhere = stock.count_sheet(session, "attic")
    assert sheet is not None and walk_in is not None and nowhere is not None
    assert (sheet.area, sheet.area_name(), sheet.counted, sheet.total) == ("freezer", "Freezer", 1, 11)
    assert [(line.code, line.counted, line.entry) for line in sheet.lines] == [
        ("wings", Decimal(6), "1 case + 2 bag")
    ]
    assert walk_in.area == "walk_in" and walk_in.lines[0].code == "dough_sm" and nowhere.area == "freezer"


def test_driver_kpis_per_driver_from_runs_doors_and_hours() -> None:
    at = FRIDAY
    minute = timedelta(minutes=1)
    runs = [
        RunTime("sam", at - 90 * minute),
        RunTime("sam", at - 40 * minute),
        RunTime("kim", at - 30 * minute),
    ]
    stops = [
        DeliveredStop("sam", at - 100 * minute, at - 70 * minute, at - 80 * minute),  # 20 min, on time
        DeliveredStop("sam", at - 60 * minute, at - 35 * minute, at - 30 * minute),  # 30 min, 5 late
        DeliveredStop("kim", at - 40 * minute, at - 10 * minute, at - 10 * minute),  # on the minute
    ]
    shifts = [
        ShiftTime("sam", at - 120 * minute, at - 60 * minute),  # an hour, cashed out
        ShiftTime("sam", at - 50 * minute, None),  # back on, still on the clock: 50 min so far
        ShiftTime("kim", at - 30 * minute, None),
    ]
    kim, sam = compute_driver_kpis({"sam": "Sam", "kim": "Kim"}, runs, stops, shifts, at)
    assert (sam.driver, sam.runs, sam.deliveries, sam.on_clock) == ("Sam", 2, 2, True)
    assert sam.avg_delivery_s == 25 * 60 and sam.on_time_pct == 50.0
    assert sam.hours == 110 / 60 and sam.runs_per_hour == 2 / (110 / 60)
    assert (kim.on_time_pct, kim.runs_per_hour) == (100.0, 2.0)
    (idle,) = compute_driver_kpis({"x": "Omar"}, [], [], [ShiftTime("x", at, None)], at)
    assert (idle.runs_per_hour, idle.avg_delivery_s, idle.on_time_pct) == (None, None, None)


def test_driver_kpis_and_the_shift_so_far_read_from_the_store(db: StoreDB) -> None:
    sams_evening(db)
    with db.read() as session:
        rows = {r.driver: r for r in driver_kpis(session, FRIDAY)}
        sam_id = rows["Sam"].driver_id
        shift = driver_shift(session, sam_id)
    sam, priya = rows["Sam"], rows["Priya"]
    assert (sam.runs, sam.deliveries, sam.on_time_pct, sam.hours) == (1, 2, 50.0, 2.0)
    assert sam.avg_delivery_s == (20 * 60 + 34 * 60) / 2  # placed 6:40, at the doors 7:00 and 7:14
    assert (priya.runs, priya.deliveries, priya.hours, priya.runs_per_hour) == (0, 0, 1.0, 0.0)
    assert shift is not None and (shift.runs, shift.runs_out, shift.deliveries) == (1, 0, 2)
    assert shift.owed_to_store == -shift.mileage_cents - shift.card_tips  # paid orders, no bank
