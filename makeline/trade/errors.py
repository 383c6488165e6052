"""The trade's refusals: what a pricing, lifecycle or unit rule will not accept.

Both the store and the cloud raise and catch these; the store's error tree
(`store_db.errors`) grows from `TradeError`, so a pricing refusal is a store
refusal too. Every message says what is wrong and what to do.

TradeError
├── BadInput                 refused before anything was written
│   ├── UnknownProduct, UnknownSize, UnknownOption
│   ├── ToppingNotAllowed, QuantityOutOfRange
│   ├── UnknownCoupon, CouponNotApplicable
│   ├── InvalidDate
│   ├── InvalidPhone, AddressNotFound
│   ├── UnknownUnit, InvalidQuantity
│   └── BadCareFlag          an allergy or special-care flag that cannot be read
└── IllegalTransition        an order stage that may not follow the current one
"""

from __future__ import annotations


class TradeError(Exception):
    """Base of every refusal a rule of the trade makes on purpose."""


class BadInput(TradeError):
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


class InvalidDate(BadInput):
    pass


class UnknownUnit(BadInput):
    """The item is not bought or counted in that unit."""


class InvalidQuantity(BadInput):
    """Negative, not a number, or zero where something must be."""


class InvalidPhone(BadInput):
    pass


class AddressNotFound(BadInput):
    """No such street or house number on the street grid searched."""


class BadCareFlag(BadInput):
    pass


class IllegalTransition(TradeError):
    pass
