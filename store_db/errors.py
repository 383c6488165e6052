"""The store's error tree. Every message says what is wrong and what to do.

It grows from the trade's (`makeline.trade.errors`): the refusals of the pure
rules (pricing, lifecycle, units) are store refusals too, so `StoreError` is the
trade's root and `except StoreError` catches every refusal made on purpose.

StoreError (= makeline.trade.errors.TradeError)
├── BadInput                 refused before anything was written
│   ├── UnknownProduct, UnknownSize, UnknownOption        (trade)
│   ├── ToppingNotAllowed, QuantityOutOfRange              (trade)
│   ├── UnknownCoupon, CouponNotApplicable, InvalidDate    (trade)
│   ├── UnknownUnit, InvalidQuantity                       (trade)
│   ├── InvalidPhone, AddressNotFound                    (trade)
│   ├── OutsideDeliveryArea, MissingDeliveryAddress
│   ├── InvalidTender
│   ├── OverLimits           above the store's order limits, and no manager approved
│   ├── UnknownItem          no inventory item with that code
│   ├── CountNotOpen         no count to act on, or it is paused or already finalised
│   │   └── CountFinalised   a finalised count cannot change or be finalised again
│   ├── CountInProgress      another count is open or paused
│   ├── CountIncomplete      lines not counted yet
│   └── DuplicateInvoice     that supplier's invoice was already received
├── IllegalTransition        an order stage that may not follow the current one (trade)
│   └── CareNotAcknowledged  a flagged ticket bumped without someone reading its flags
├── NotFound                 no such order, customer, staff member, …
│   └── NoCount              no finalised count to report from
├── AccessDenied             a wrong PIN, a locked PIN, a role that may not do this
├── StoreDatabaseError       the file is missing, not a store, or its schema is out of date
│   ├── StoreFileDamaged     the file is cut short, overwritten or corrupt: restore it
│   ├── StoreFileExists      a restore never writes over a store file that is there
│   ├── NotAStoreDatabase    a SQLite file, but another program's
│   └── WriteOutsideStore    a write transaction opened outside a store_db service (a defect)
└── AlreadyRunning           another process already does this job on this file
"""

from __future__ import annotations

from collections.abc import Sequence

from makeline.trade.errors import (
    AddressNotFound,
    BadInput,
    CouponNotApplicable,
    IllegalTransition,
    InvalidDate,
    InvalidPhone,
    InvalidQuantity,
    QuantityOutOfRange,
    ToppingNotAllowed,
    UnknownCoupon,
    UnknownOption,
    UnknownProduct,
    UnknownSize,
    UnknownUnit,
)
from makeline.trade.errors import TradeError as StoreError
from makeline.trade.limits import Breach

__all__ = [
    "AccessDenied",
    "AddressNotFound",
    "BadInput",
    "CareNotAcknowledged",
    "CountFinalised",
    "CountInProgress",
    "CountIncomplete",
    "CountNotOpen",
    "CouponNotApplicable",
    "DuplicateInvoice",
    "IllegalTransition",
    "InvalidDate",
    "InvalidPhone",
    "InvalidQuantity",
    "InvalidTender",
    "MissingDeliveryAddress",
    "NoCount",
    "NotFound",
    "OutsideDeliveryArea",
    "OverLimits",
    "QuantityOutOfRange",
    "StoreDatabaseError",
    "StoreError",
    "ToppingNotAllowed",
    "UnknownCoupon",
    "UnknownItem",
    "UnknownOption",
    "UnknownProduct",
    "UnknownSize",
    "UnknownUnit",
    "WriteOutsideStore",
]


class CareNotAcknowledged(IllegalTransition):
    """A ticket with an allergy or special-care flag is bumped only once someone has read it."""


class OutsideDeliveryArea(BadInput):
    pass


class MissingDeliveryAddress(BadInput):
    pass


class InvalidTender(BadInput):
    pass


class OverLimits(BadInput):
    """An order above the store's limits; `breaches` says which, each naming its limit."""

    def __init__(self, message: str, breaches: Sequence[Breach]) -> None:
        super().__init__(message)
        self.breaches = tuple(breaches)


class UnknownItem(BadInput):
    pass


class CountNotOpen(BadInput):
    pass


class CountFinalised(CountNotOpen):
    pass


class CountInProgress(BadInput):
    pass


class CountIncomplete(BadInput):
    pass


class DuplicateInvoice(BadInput):
    pass


class NotFound(StoreError):
    pass


class NoCount(NotFound):
    pass


class AccessDenied(StoreError):
    pass


class StoreDatabaseError(StoreError):
    pass


class StoreFileDamaged(StoreDatabaseError):
    """The store file is damaged; the way back is a restore from the cloud."""


class StoreFileExists(StoreDatabaseError):
    """A restore is asked to write where a store file already is: it never overwrites one."""


class NotAStoreDatabase(StoreDatabaseError):
    """A readable SQLite file without makeline's schema: the wrong file was given."""


class AlreadyRunning(StoreError):
    """Another process holds the lock of this job on this file (its pid in `pid` when known)."""

    def __init__(self, message: str, pid: int | None = None) -> None:
        super().__init__(message)
        self.pid = pid


class WriteOutsideStore(StoreDatabaseError):
    pass
