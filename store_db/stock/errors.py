"""Refusals of the stock services, each a `BadInput`: nothing is written when one is raised.

BadInput
├── UnknownItem         no inventory item with that code
├── UnknownUnit         the item is not bought or counted in that unit
├── InvalidQuantity     negative, not a number, or zero where something must be
├── CountNotOpen        no count to act on, or it is paused or already finalised
│   └── CountFinalised  a finalised count cannot change or be finalised again
├── CountInProgress     another count is open or paused
├── CountIncomplete     lines not counted yet
└── DuplicateInvoice    that supplier's invoice was already received
NotFound
└── NoCount             no finalised count to report from
"""

from __future__ import annotations

from store_db.errors import BadInput, NotFound


class UnknownItem(BadInput):
    pass


class UnknownUnit(BadInput):
    pass


class InvalidQuantity(BadInput):
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


class NoCount(NotFound):
    pass
