"""`order.placed` written straight (`sync.contract.placed.placed_json`): the same bytes as the
model's own dump, over generated orders, and refused exactly when the model refuses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from makeline.trade.care import CareFlag, CareKind
from makeline.trade.lifecycle import Channel, Service, Stage
from makeline.trade.menu import Amount, Placement, ProductKind, Station, ToppingChoice
from makeline.trade.pricing import PricedItem
from sync.contract import parse_event_json
from sync.contract.placed import placed_event, placed_json

ZONES = [None, UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=9, minutes=30))]
TIMES = st.builds(
    lambda moment, zone: moment.replace(tzinfo=zone),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
    st.sampled_from(ZONES),
)  # naive (the store's UTC) or in any zone
TEXT = st.text(max_size=40) | st.just("é" * 2000)
IDS = st.text(min_size=1, max_size=36)
CENTS = st.integers(-(2**31), 2**31 - 1)
COUNTS = st.integers(0, 2**31 - 1)
# What the model refuses (a field of the order or of its first tender, and a value).
SPOILED = st.sampled_from(
    [
        ("customer_name", "x" * 2001), ("notes", "é" * 2001), ("coupon", "c" * 2001), ("id", ""),
        ("id", "i" * 37), ("cloud_order_id", "o" * 37), ("number", -1), ("menu_version", 2**31),
        ("total", 2**31), ("tip", -(2**31) - 1), ("payment", "owed"), ("channel", "fax"),
        ("stage", "lost"), ("placed_at", None), ("lat", "north"), ("business_date", "someday"),
        ("tender.kind", "cheque"), ("tender.amount", 2**40), ("tender.id", ""),
    ]
)  # fmt: skip
FLOATS = st.none() | st.floats(-180, 180) | st.floats()  # NaN and infinities too

ITEMS = st.builds(
    PricedItem,
    product=st.text(max_size=12),
    name=st.text(max_size=20),
    kind=st.sampled_from(ProductKind),
    station=st.sampled_from(Station),
    size=st.sampled_from(["S", "M", "L"]),
    size_name=st.text(max_size=10),
    quantity=st.integers(1, 99),
    crust=st.none() | st.text(max_size=8),
    sauce=st.none() | st.text(max_size=8),
    sauce_amount=st.sampled_from(Amount),
    cheese=st.none() | st.text(max_size=8),
    cheese_amount=st.sampled_from(Amount),
    toppings=st.lists(
        st.builds(
            ToppingChoice,
            code=st.text(max_size=6),
            placement=st.sampled_from(Placement),
            amount=st.sampled_from(Amount),
        ),
        max_size=4,
    ),
    notes=st.text(max_size=30),
    unit_price=st.integers(0, 10_000),
    line_total=st.integers(0, 1_000_000),
    changes=st.lists(st.text(max_size=12), max_size=3),
    care=st.lists(st.builds(CareFlag, kind=st.sampled_from(CareKind), text=st.just("peanuts")), max_size=2),
    allergens=st.lists(st.sampled_from(["gluten", "milk", "nuts"]), max_size=2),
)
TENDERS = st.fixed_dictionaries(
    {
        "id": IDS,
        "kind": st.sampled_from(["cash", "card", "online", "pay_at_door"]),
        "amount": CENTS,
        "tendered": CENTS,
        "change": CENTS,
        "reference": st.text(max_size=5),  # a row's column the event leaves out
    }
)
ORDERS = st.fixed_dictionaries(
    {
        "id": IDS,
        "number": COUNTS,
        "business_date": st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
        "channel": st.sampled_from([c.value for c in Channel]),
        "service": st.sampled_from([s.value for s in Service]),
        "stage": st.sampled_from([s.value for s in Stage]),
        "customer_name": TEXT,
        "phone": TEXT,
        "address": TEXT,
        "lat": FLOATS,
        "lon": FLOATS,
        "notes": TEXT,
        "menu_version": COUNTS,
        "coupon": st.none() | TEXT,
        "subtotal": CENTS,
        "discount": CENTS,
        "tax": CENTS,
        "tip": CENTS,
        "total": CENTS,
        "payment": st.sampled_from(["paid", "due", "refunded"]),
        "promise_at": st.none() | TIMES,
        "placed_at": TIMES,
        "scheduled_for": st.none() | TIMES,
        "cloud_order_id": st.none() | IDS,
        "customer_id": st.none() | IDS,  # a row's column the event leaves out
    }
)


def _dumped(build: Any, *args: Any) -> str:
    try:
        return str(build(*args))
    except ValidationError:
        return "refused"


@settings(max_examples=250, deadline=None)
@given(
    order=ORDERS,
    items=st.lists(ITEMS, max_size=4),
    tenders=st.lists(TENDERS, min_size=1, max_size=3),
    spoiled=st.none() | SPOILED,
)
def test_the_order_placed_text_is_the_models_own_dump(
    order: dict[str, Any],
    items: list[PricedItem],
    tenders: list[dict[str, Any]],
    spoiled: tuple[str, object] | None,
) -> None:
    if spoiled is not None:
        name, bad = spoiled
        if name.startswith("tender."):
            tenders[0] = {**tenders[0], name.removeprefix("tender."): bad}
        else:
            order = {**order, name: bad}
    expected = _dumped(lambda *a: placed_event(*a).payload_json(), order, items, tenders)
    assert _dumped(placed_json, order, items, tenders) == expected
    dumped = [item.model_dump_json() for item in items]  # as the order's lines store them
    assert _dumped(placed_json, order, items, tenders, dumped) == expected
    assert (expected == "refused") == (spoiled is not None)


def test_an_order_of_every_version_reads_back_as_its_event() -> None:
    at = datetime(2026, 12, 5, 18, 30, tzinfo=UTC)
    plain = PricedItem(
        product="pep", name="Pepperoni", kind=ProductKind.PIZZA, station=Station.MAKELINE, size="L",
        size_name="Large", quantity=2, crust="hand", sauce="tomato", sauce_amount=Amount.NORMAL,
        cheese="mozz", cheese_amount=Amount.EXTRA, toppings=[ToppingChoice(code="pep")], notes="",
        unit_price=1599, line_total=3198,
    )  # fmt: skip
    cared = plain.model_copy(update={"care": [CareFlag(kind=CareKind.ALLERGY, text="peanuts")]})
    order: dict[str, Any] = {
        "id": "0193a0b0-0000-7000-8000-000000000001", "number": 1001, "business_date": date(2026, 12, 5),
        "channel": "phone", "service": "delivery", "stage": "placed", "customer_name": "Ann «O'Neil»",
        "phone": "5551234567", "address": "1 Main St", "lat": 40.7128, "lon": -74.006, "notes": "side door",
        "menu_version": 3, "coupon": None, "subtotal": 3198, "discount": 0, "tax": 264, "tip": 300,
        "total": 3762, "payment": "paid", "promise_at": at + timedelta(minutes=30), "placed_at": at,
        "scheduled_for": None, "cloud_order_id": None,
    }  # fmt: skip
    tender = {"id": "t1", "kind": "card", "amount": 3762, "tendered": 3762, "change": 0}
    versions = []
    for items, later in (([plain], None), ([plain], at + timedelta(hours=2)), ([plain, cared], None)):
        values = {**order, "scheduled_for": later}
        text = placed_json(values, items, [tender])
        event = parse_event_json("order.placed", text)
        assert event == placed_event(values, items, [tender])
        versions.append(event.v)
    assert versions == [1, 2, 3]
