"""Stock counts: areas in walking order, pause and resume, sales during a count, finalise once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from makeline.trade.pricing import ItemRequest
from store_db.db import StoreDB
from store_db.errors import (
    AccessDenied,
    CountFinalised,
    CountIncomplete,
    CountInProgress,
    CountNotOpen,
    InvalidQuantity,
    UnknownItem,
    UnknownUnit,
)
from store_db.models import OutboxEvent, Staff, StockCount, StockCountLine
from store_db.queries import stock_ledger as ledger
from store_db.services import stock_counts as counts
from tests.stock.helpers import CREW, CREW_PIN, MANAGER, MANAGER_PIN, T0, make
from tests.store.helpers import fingerprint

D = Decimal
DAILY = [
    "dough_sm",
    "dough_md",
    "dough_lg",
    "dough_xl",
    "pan_dough",
    "mozzarella",
    "pizza_sauce",
    "pepperoni",
    "sausage",
    "wings",
    "box_lg",
]


def count_all(db: StoreDB, count_id: str, at: object, figure: str = "1") -> None:
    with db.write() as session:
        for area in counts.areas(session, count_id):
            for line in counts.area_lines(session, count_id, area.area):
                counts.set_line(session, count_id, line.code, figure, at, MANAGER)  # type: ignore[arg-type]


def test_a_daily_count_walks_the_costly_items_area_by_area_in_shelf_order(db: StoreDB) -> None:
    with db.write() as session:
        count = counts.start_count(session, "daily", T0, MANAGER)
        walk = counts.areas(session, count.id)
        assert [a.area for a in walk] == ["walk_in", "freezer", "dry"]
        assert sum(a.lines for a in walk) == len(DAILY) and all(a.counted == 0 for a in walk)
        cooler = counts.area_lines(session, count.id, "walk_in")
        assert [line.code for line in cooler] == [
            "dough_sm",
            "dough_md",
            "dough_lg",
            "dough_xl",
            "pan_dough",
            "mozzarella",
            "pepperoni",
            "sausage",
        ]
        assert cooler[5].units == ("case", "bag", "lb", "oz") and cooler[5].count_unit == "bag"
        view = counts.set_line(session, count.id, "mozzarella", "2 case + 3 bag + 1.5 lb", T0, MANAGER)
        assert view.counted == D("15.3")  # 1224 oz in 80 oz bags
        assert counts.areas(session, count.id)[0].counted == 1


def test_a_full_count_has_every_active_item(db: StoreDB) -> None:
    with db.write() as session:
        count = counts.start_count(session, "full", T0)
        total = sum(a.lines for a in counts.areas(session, count.id))
    assert total == 66


def test_pause_and_resume(db: StoreDB) -> None:
    with db.write() as session:
        count = counts.start_count(session, "daily", T0, MANAGER)
        counts.set_line(session, count.id, "dough_lg", "2 tray", T0)
        counts.pause(session, count.id, T0 + timedelta(minutes=5))
    with db.read() as session:
        assert counts.current_count(session) is not None
        assert session.get(StockCount, count.id).state == "paused"  # type: ignore[union-attr]
    before = fingerprint(db)
    for act in (
        lambda s: counts.set_line(s, count.id, "mozzarella", "3", T0),
        lambda s: counts.finalise(s, count.id, MANAGER, MANAGER_PIN, T0),
        lambda s: counts.pause(s, count.id, T0),
    ):
        with pytest.raises(CountNotOpen, match="paused; resume it first"), db.write() as session:
            act(session)
    with pytest.raises(CountInProgress, match="paused"), db.write() as session:
        counts.start_count(session, "full", T0)
    assert fingerprint(db) == before
    with db.write() as session:
        counts.resume(session, count.id, T0 + timedelta(hours=1))
        # What was counted before the pause is still there.
        lines = counts.area_lines(session, count.id, "walk_in")
        assert next(line for line in lines if line.code == "dough_lg").counted == D(2)


def test_finalised_once_with_a_managers_pin(db: StoreDB) -> None:
    with db.write() as session:
        count = counts.start_count(session, "daily", T0)
    with pytest.raises(CountIncomplete, match="11 item"), db.write() as session:
        counts.finalise(session, count.id, MANAGER, MANAGER_PIN, T0)
    count_all(db, count.id, T0)
    with db.write() as session:  # a wrong PIN is not a refusal: it is counted and committed
        outcome = counts.finalise(session, count.id, MANAGER, "9999", T0)
    assert not outcome.ok and "still open" in outcome.message
    with db.read() as session:
        assert session.scalars(select(Staff).where(Staff.name == MANAGER)).one().failed_pins == 1
        assert session.get(StockCount, count.id).state == "open"  # type: ignore[union-attr]
    with pytest.raises(AccessDenied, match="manager or shift lead"), db.write() as session:
        counts.finalise(session, count.id, CREW, CREW_PIN, T0)
    with db.write() as session:
        outcome = counts.finalise(session, count.id, MANAGER, MANAGER_PIN, T0 + timedelta(minutes=20))
    assert outcome.ok
    before = fingerprint(db)
    with pytest.raises(CountFinalised, match=r"finalised at .*cannot change"), db.write() as session:
        counts.finalise(session, count.id, MANAGER, MANAGER_PIN, T0 + timedelta(minutes=21))
    with pytest.raises(CountFinalised), db.write() as session:
        counts.set_line(session, count.id, "dough_lg", "4", T0)
    assert fingerprint(db) == before
    with db.read() as session:
        events = session.scalars(select(OutboxEvent).where(OutboxEvent.kind == "stock.count")).all()
        assert len(events) == 1
        payload = events[0].payload
        assert payload["count_kind"] == "daily" and len(payload["lines"]) == 11  # type: ignore[arg-type]
        mozz = next(x for x in payload["lines"] if x["code"] == "mozzarella")  # type: ignore[union-attr]
        assert mozz == {
            "code": "mozzarella",
            "name": "Mozzarella, shredded",
            "quantity": "80",
            "unit": "oz",
            "count_quantity": "1",
            "count_unit": "bag",
            "cost_cents": 1400,
            "cost_cents_per_count_unit": 1400,
            "counted": "80",
            "entry": "1",
        }


@pytest.mark.parametrize(
    ("code", "entry", "error", "words"),
    [
        ("mozzarella", "-2", InvalidQuantity, "negative"),
        ("mozzarella", "2 crate", UnknownUnit, "not counted in 'crate'; use case, bag, lb, oz"),
        ("mozzarela", "2", UnknownItem, "no inventory item 'mozzarela'"),
        ("anchovies", "1", UnknownItem, "not on this daily count"),
    ],
)
def test_refused_count_lines_save_nothing(
    db: StoreDB, code: str, entry: str, error: type[Exception], words: str
) -> None:
    with db.write() as session:
        count = counts.start_count(session, "daily", T0)
    before = fingerprint(db)
    with pytest.raises(error, match=words), db.write() as session:
        counts.set_line(session, count.id, "dough_lg", "3", T0)  # a good line first: rolled back too
        counts.set_line(session, count.id, code, entry, T0)
    assert fingerprint(db) == before


def test_a_refused_count_file_saves_nothing(db: StoreDB) -> None:
    before = fingerprint(db)
    entries = [(code, "1", None) for code in DAILY]
    for bad in (("pepperoni", "-1", None), ("pepperoni", "1", "barrel"), ("peperoni", "1", None)):
        with pytest.raises((InvalidQuantity, UnknownUnit, UnknownItem)), db.write() as session:
            counts.record_count(session, "daily", [*entries[:-1], bad], T0)
    with pytest.raises(CountIncomplete, match="box_lg"), db.write() as session:
        counts.record_count(session, "daily", entries[:-1], T0)
    assert fingerprint(db) == before


def test_a_count_during_sales_keeps_its_moment(db: StoreDB) -> None:
    """Pizzas made after the count started are not in it, whenever their shelf was counted."""
    pepperoni = ItemRequest(product="pepperoni", size="lg")
    with db.write() as session:
        counts.record_count(session, "daily", [(c, "0", None) for c in DAILY], T0 - timedelta(hours=1))
    make(db, T0 - timedelta(minutes=30), pepperoni)  # before the count: in its period
    with db.write() as session:
        count = counts.start_count(session, "daily", T0, MANAGER)
        expected = {line.code: line.expected for line in counts.area_lines(session, count.id, "walk_in")}
    assert expected["mozzarella"] == D(-8) / 80  # nothing was received: the books run negative
    make(db, T0 + timedelta(minutes=2), pepperoni, made_after=timedelta(minutes=1))  # during the count
    with db.write() as session:
        # 6 bags on the shelf when the cheese was counted, after the second pizza took its 8 oz.
        counts.set_line(session, count.id, "mozzarella", "5 bag + 72 oz", T0 + timedelta(minutes=10))
        counts.set_line(session, count.id, "dough_lg", "2 tray", T0 + timedelta(seconds=30))
        for code in DAILY:
            if code not in ("mozzarella", "dough_lg"):
                counts.set_line(session, count.id, code, "1", T0 + timedelta(minutes=12))
        assert counts.finalise(session, count.id, MANAGER, MANAGER_PIN, T0 + timedelta(minutes=15)).ok
    make(db, T0 + timedelta(minutes=20), pepperoni)  # after the count
    with db.read() as session:
        lines = {
            line.item: line
            for line in session.scalars(select(StockCountLine).where(StockCountLine.count_id == count.id))
        }
        # The cheese was counted after the second pizza: its 8 oz are added back to the moment.
        assert lines["mozzarella"].counted == D(472) and lines["mozzarella"].on_hand == D(480)
        # The dough was counted before the second pizza took a ball: as counted.
        assert lines["dough_lg"].on_hand == D(36)
        # Expected now: the moment's figure less the second and third pizzas, each once.
        now = T0 + timedelta(hours=1)
        held = ledger.on_hand(session, now, ["mozzarella", "dough_lg"])
        assert held == {"mozzarella": D(480 - 16), "dough_lg": D(36 - 2)}
