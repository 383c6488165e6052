"""Every refusal: its typed error, a message a person can act on, and nothing written."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from makeline.trade.lifecycle import Stage
from makeline.trade.menu import ToppingChoice
from makeline.trade.pricing import ItemRequest
from store_db import errors
from store_db.db import StoreDB
from store_db.models import Staff
from store_db.services import customers, lifecycle
from store_db.services.orders import AddressRequest, TenderRequest, place_order
from tests.store.helpers import T0, carryout, delivery, fingerprint


def _place(request: object) -> Callable[[Session], object]:
    return lambda session: place_order(session, request, T0)  # type: ignore[arg-type]


CASES = [
    (
        "unknown product",
        _place(carryout(ItemRequest(product="calzone", size="lg"))),
        errors.UnknownProduct,
        "no product 'calzone'",
    ),
    (
        "unknown size",
        _place(carryout(ItemRequest(product="wings", size="lg"))),
        errors.UnknownSize,
        "Buffalo Wings does not come in size 'lg'",
    ),
    (
        "topping on a drink",
        _place(carryout(ItemRequest(product="cola", size="20oz", toppings=[ToppingChoice(code="ham")]))),
        errors.ToppingNotAllowed,
        "Cola takes no toppings",
    ),
    (
        "unknown topping",
        _place(carryout(ItemRequest(product="cheese", size="lg", toppings=[ToppingChoice(code="kale")]))),
        errors.UnknownOption,
        "no topping 'kale'",
    ),
    (
        "thin small",
        _place(carryout(ItemRequest(product="cheese", size="sm", crust="thin"))),
        errors.UnknownOption,
        "Thin crust does not come in Small",
    ),
    (
        "quantity 0",
        _place(carryout(ItemRequest(product="cheese", size="lg", quantity=0))),
        errors.QuantityOutOfRange,
        "enter 1 to 99",
    ),
    (
        "quantity 100",
        _place(carryout(ItemRequest(product="cheese", size="lg", quantity=100))),
        errors.QuantityOutOfRange,
        "Quantity 100",
    ),
    ("unknown coupon", _place(carryout(coupon="NOPE")), errors.UnknownCoupon, "no coupon 'NOPE'"),
    ("bad phone", _place(delivery(phone="555-12")), errors.InvalidPhone, "'555-12' is not a phone"),
    (
        "outside area",
        _place(delivery(address=AddressRequest(line1="1 Far Rd", lat=42.3, lon=-87.9))),
        errors.OutsideDeliveryArea,
        "delivers within 6 km",
    ),
    ("unknown street", _place(delivery("12 Nowhere Ln")), errors.BadInput, "cannot find the street"),
    ("no address", _place(delivery(address=None)), errors.MissingDeliveryAddress, "needs an address"),
    (
        "short cash",
        _place(carryout(tenders=[TenderRequest(kind="cash", tendered=500)])),
        errors.InvalidTender,
        "less than the",
    ),
    (
        "pay at door carryout",
        _place(carryout(tenders=[TenderRequest(kind="pay_at_door")])),
        errors.InvalidTender,
        "for delivery orders",
    ),
]


@pytest.mark.parametrize(("name", "action", "error", "message"), CASES, ids=[c[0] for c in CASES])
def test_refused_and_nothing_written(
    db: StoreDB, name: str, action: Callable[[Session], object], error: type[Exception], message: str
) -> None:
    before = fingerprint(db)
    with pytest.raises(error, match=message), db.write() as session:
        action(session)
    assert fingerprint(db) == before


def test_illegal_transition_and_void_rules(db: StoreDB) -> None:
    with db.write() as session:
        order_id = place_order(session, carryout(), T0).id
    before = fingerprint(db)
    with pytest.raises(errors.IllegalTransition, match="next stage is made, not ready"), db.write() as s:
        lifecycle.advance(s, order_id, Stage.READY, T0)
    with pytest.raises(errors.IllegalTransition, match="cannot be delivered"), db.write() as s:
        lifecycle.advance(s, order_id, Stage.DELIVERED, T0)
    with pytest.raises(errors.AccessDenied, match="manager or shift lead must approve"), db.write() as s:
        crew = s.scalars(select(Staff).where(Staff.role == "crew")).first()
        assert crew is not None
        lifecycle.void(s, order_id, "changed mind", crew, T0)
    with pytest.raises(errors.BadInput, match="needs a reason"), db.write() as s:
        manager = s.scalars(select(Staff).where(Staff.role == "manager")).first()
        assert manager is not None
        lifecycle.void(s, order_id, "  ", manager, T0)
    assert fingerprint(db) == before


def test_phone_numbers_are_normalised() -> None:
    assert customers.normalize_phone("(708) 555-0142") == "7085550142"
    assert customers.normalize_phone("+1 708 555 0142") == "7085550142"
    for bad in ("555-0142", "708-555-01x2", "0085550142", ""):
        with pytest.raises(errors.InvalidPhone):
            customers.normalize_phone(bad)
