"""Order limits: the pure rule (hypothesis), the store's refusal and a manager's approval."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import select

from makeline.demo.menu import demo_menu
from makeline.trade.limits import DEFAULT_LIMITS, Limit, OrderLimits, dollars, line_breach, order_breaches
from makeline.trade.pricing import ItemRequest, PricedItem, price_item
from store_db.db import StoreDB
from store_db.errors import AccessDenied, OverLimits
from store_db.models import AuditEntry, Order, Staff, Store
from store_db.services import access
from store_db.services.feed import apply_entries
from store_db.services.orders import OrderRequest, TenderRequest, place_order, store_limits
from tests.store.helpers import T0, carryout, fingerprint

MENU = demo_menu()
PRODUCTS = [("pepperoni", "lg"), ("cheese", "sm"), ("wings", "8pc"), ("cola", "2l"), ("breadsticks", "each")]

limits_st = st.builds(
    lambda order, cash, line, pizzas, lines: OrderLimits(
        max_order_cents=order,
        max_cash_order_cents=min(cash, order),
        max_line_quantity=line,
        max_pizzas=pizzas,
        max_lines=lines,
    ),
    st.integers(100, 10_000_000),
    st.integers(100, 10_000_000),
    st.integers(1, 99),
    st.integers(1, 1_000),
    st.integers(1, 100),
)
item_st = st.builds(
    lambda product, quantity: price_item(
        MENU, ItemRequest(product=product[0], size=product[1], quantity=quantity)
    ),
    st.sampled_from(PRODUCTS),
    st.integers(1, 99),
)


def _pizzas(items: list[PricedItem]) -> int:
    return sum(i.quantity for i in items if i.kind.value == "pizza")


@given(limits_st, st.lists(item_st, min_size=1, max_size=30), st.booleans())
def test_an_order_is_refused_exactly_when_it_goes_over_a_limit(
    limits: OrderLimits, items: list[PricedItem], cash: bool
) -> None:
    total = sum(i.line_total for i in items)
    breaches = order_breaches(limits, items, total, cash)
    over = {
        Limit.ORDER_VALUE: total > limits.max_order_cents,
        Limit.CASH_ORDER_VALUE: cash and total > limits.max_cash_order_cents,
        Limit.LINE_QUANTITY: any(i.quantity > limits.max_line_quantity for i in items),
        Limit.PIZZAS: _pizzas(items) > limits.max_pizzas,
        Limit.LINES: len(items) > limits.max_lines,
    }
    assert {b.limit for b in breaches} == {limit for limit, hit in over.items() if hit}
    for breach in breaches:
        assert breach.asked > breach.allowed
        assert breach.allowed == getattr(limits, breach.limit.value)
        shown = dollars(breach.allowed) if breach.limit.value.endswith("_cents") else str(breach.allowed)
        assert f"limit of {shown}" in breach.message  # every message names its limit


@given(limits_st, st.lists(item_st, min_size=1, max_size=30), st.integers(0, 20))
def test_paying_up_front_or_asking_for_less_never_adds_a_breach(
    limits: OrderLimits, items: list[PricedItem], drop: int
) -> None:
    total = sum(i.line_total for i in items)
    cash = {b.limit for b in order_breaches(limits, items, total, cash=True)}
    card = {b.limit for b in order_breaches(limits, items, total, cash=False)}
    assert card <= cash and cash - card <= {Limit.CASH_ORDER_VALUE}
    fewer = items[: max(1, len(items) - drop)]
    smaller = {b.limit for b in order_breaches(limits, fewer, sum(i.line_total for i in fewer), True)}
    assert smaller <= cash | {Limit.LINE_QUANTITY} and len(
        [b for b in order_breaches(limits, fewer, sum(i.line_total for i in fewer), True)]
    ) <= len(order_breaches(limits, items, total, True))


@given(st.integers(1, 99), st.integers(1, 99))
def test_a_line_is_over_only_above_its_quantity_limit(limit: int, quantity: int) -> None:
    breach = line_breach(OrderLimits(max_line_quantity=limit), quantity, "Pepperoni Pizza", pizza=True)
    assert (breach is not None) == (quantity > limit)
    if breach is not None:
        assert breach.message == f"{quantity} pizzas: above this store's limit of {limit} per line"


def test_limits_that_make_no_sense_are_refused() -> None:
    with pytest.raises(ValidationError, match=r"cash order limit \(\$600.00\) cannot be above"):
        OrderLimits(max_order_cents=50_000, max_cash_order_cents=60_000)
    for bad in ({"max_line_quantity": 0}, {"max_pizzas": -1}, {"max_order_cents": 10**12}, {"nope": 1}):
        with pytest.raises(ValidationError):
            OrderLimits.model_validate(bad)


def test_the_653101_dollar_order_goes_over_every_value_limit() -> None:
    items = [price_item(MENU, ItemRequest(product="pepperoni", size="lg", quantity=99))] * 50
    breaches = order_breaches(DEFAULT_LIMITS, items, 65_310_100, cash=True)
    assert {b.limit for b in breaches} == set(Limit)
    assert breaches[0].message == "$653,101.00: above this store's limit of $500.00 per order"


# -- the store ------------------------------------------------------------------------------

# 99 large pepperoni at $17.08 = $1,690.92, tax 10.25 % = $173.32: $1,864.24.
BIG = ItemRequest(product="pepperoni", size="lg", quantity=99)


def big_order(tender: str = "card") -> OrderRequest:
    return carryout(BIG, tenders=[TenderRequest(kind=tender)], taken_by=None)


def test_the_store_refuses_an_order_over_its_limits_and_writes_nothing(db: StoreDB) -> None:
    before = fingerprint(db)
    with pytest.raises(OverLimits) as refused, db.write() as session:
        place_order(session, big_order(), T0)
    assert {b.limit for b in refused.value.breaches} == {Limit.ORDER_VALUE, Limit.LINE_QUANTITY, Limit.PIZZAS}
    assert str(refused.value) == (
        "Above this store's limits: $1,864.24: above this store's limit of $500.00 per order; "
        "99 pizzas: above this store's limit of 10 per line; "
        "99 pizzas: above this store's limit of 20 per order. A manager must approve."
    )
    assert fingerprint(db) == before


def test_cash_orders_have_the_lower_limit(db: StoreDB) -> None:
    eight = carryout(
        ItemRequest(product="pepperoni", size="xl", quantity=8), tenders=[TenderRequest(kind="cash")]
    )
    with (
        pytest.raises(OverLimits, match=r"in cash: above this store's limit of \$150.00"),
        db.write() as session,
    ):
        place_order(session, eight, T0)
    with db.write() as session:  # the same order paid by card is within the limits
        assert place_order(
            session, eight.model_copy(update={"tenders": [TenderRequest(kind="card")]}), T0
        ).total


def _staff(db: StoreDB, name: str) -> Staff:
    with db.read() as session:
        return session.scalars(select(Staff).where(Staff.name == name)).one()


def test_a_manager_approves_and_the_approval_is_recorded_on_the_order(db: StoreDB) -> None:
    alex = _staff(db, "Alex")
    with db.write() as session:
        outcome, order = access.place_with_approval(
            session, big_order().model_copy(update={"taken_by": alex.id}), "Dana", "1234", T0, alex.id
        )
        assert outcome.ok and order is not None
        order_id = order.id
    dana = _staff(db, "Dana")
    with db.read() as session:
        placed = session.get(Order, order_id)
        assert placed is not None and placed.limits_approved_by == dana.id and placed.taken_by == alex.id
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "override")).one()
        assert audit.staff_id == alex.id
        assert audit.detail.startswith(f"{placed.label} over the store's limits approved by Dana: $1,864.24")


def test_a_wrong_pin_places_nothing_and_counts_and_crew_cannot_approve(db: StoreDB) -> None:
    with db.write() as session:
        outcome, order = access.place_with_approval(session, big_order(), "Dana", "9999", T0)
    assert not outcome.ok and order is None and "Wrong PIN for Dana" in outcome.message
    assert _staff(db, "Dana").failed_pins == 1
    with (
        pytest.raises(AccessDenied, match="Alex is crew; a manager or shift lead must approve"),
        db.write() as session,
    ):
        access.place_with_approval(session, big_order(), "Alex", "3333", T0)
    with db.read() as session:
        assert session.scalars(select(Order)).first() is None


def test_an_order_within_the_limits_records_no_approval(db: StoreDB) -> None:
    with db.write() as session:
        outcome, order = access.place_with_approval(session, carryout(), "Chris", "2222", T0)
        assert outcome.ok and order is not None and order.limits_approved_by is None


def test_head_office_sets_the_limits_through_the_store_settings_feed(db: StoreDB) -> None:
    raised = OrderLimits(
        max_order_cents=300_000, max_cash_order_cents=20_000, max_line_quantity=99, max_pizzas=120
    )
    with db.write() as session:
        apply_entries(session, [(1, "store.settings", {"order_limits": raised.model_dump()})], T0)
    with db.write() as session:
        assert place_order(session, big_order(), T0).total == 186_424
    # Limits that make no sense are refused as a whole: the store keeps the ones it has.
    with db.write() as session:
        apply_entries(
            session,
            [(2, "store.settings", {"order_limits": {"max_order_cents": 100, "max_cash_order_cents": 900}})],
            T0,
        )
        store = session.scalars(select(Store)).one()
        assert OrderLimits.model_validate(store.order_limits) == raised


def test_an_online_order_checked_by_the_cloud_is_made_whatever_the_store_limits(db: StoreDB) -> None:
    with db.write() as session:
        order = place_order(
            session,
            big_order().model_copy(update={"cloud_order_id": "c-1", "paid_online": True, "tenders": []}),
            T0,
        )
        assert order.limits_approved_by is None and order.total == 186_424


@pytest.mark.parametrize(
    "setting",
    [
        None,
        {},
        {"max_pizzas": 7},
        {"max_pizzas": 7.0, "max_lines": True},
        {"max_order_cents": 100, "max_cash_order_cents": 200},
        {"max_pizzas": 0},
        {"max_pizzas": [7]},
        {"surprise": 1},
    ],
)
def test_the_limits_a_store_keeps_are_those_the_model_reads(setting: dict[str, object] | None) -> None:
    store = SimpleNamespace(order_limits=setting)
    for _ in range(2):  # the second time from the memo
        try:
            expected: object = OrderLimits.model_validate(setting or {})
        except ValidationError as exc:
            expected = [(e["type"], e["loc"], e["msg"]) for e in exc.errors()]
        try:
            found: object = store_limits(store)  # type: ignore[arg-type]
        except ValidationError as exc:
            found = [(e["type"], e["loc"], e["msg"]) for e in exc.errors()]
        assert found == expected
