"""The store's error tree. Every message says what is wrong and what to do.

StoreError
├── BadInput                 refused before anything was written
│   ├── UnknownProduct, UnknownSize, UnknownOption
│   ├── ToppingNotAllowed, QuantityOutOfRange
│   ├── UnknownCoupon, CouponNotApplicable
│   ├── InvalidPhone, OutsideDeliveryArea, MissingDeliveryAddress
│   ├── InvalidTender
│   └── InvalidDate
├── IllegalTransition        an order stage that may not follow the current one
├── NotFound                 no such order, customer, staff member, …
├── AccessDenied             a wrong PIN, a locked PIN, a role that may not do this
└── StoreDatabaseError       the file is missing, not a store, or its schema is out of date
"""

from __future__ import annotations


class StoreError(Exception):
    """Base of every error `store_db` raises on purpose."""


class BadInput(StoreError):
    """The request was refused before anything was written."""


class UnknownProduct(BadInput):
    pass


class UnknownSize(BadInput):
    pass


class UnknownOption(BadInput):
    """An unknown crust, sauce, cheese or topping."""


class ToppingNotAllowed(BadInput):
    pass


class QuantityOutOfRange(BadInput):
    pass


class UnknownCoupon(BadInput):
    pass


class CouponNotApplicable(BadInput):
    pass


class InvalidPhone(BadInput):
    pass


class OutsideDeliveryArea(BadInput):
    pass


class MissingDeliveryAddress(BadInput):
    pass


class InvalidTender(BadInput):
    pass


class InvalidDate(BadInput):
    pass


class IllegalTransition(StoreError):
    pass


class NotFound(StoreError):
    pass


class AccessDenied(StoreError):
    pass


class StoreDatabaseError(StoreError):
    pass
