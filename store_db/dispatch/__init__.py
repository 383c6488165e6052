"""Run building for delivery: which driver takes which ready orders, in what order.

Pure planning over plain data: no database, no clock. Callers pass times as
seconds from "now" and get back runs with an ETA per stop. The store's
services and screens sit around it and turn orders and shifts into a
`PlanRequest`.

    PlanError                   base of this package's errors (a StoreError)
    └── TravelTimesUnavailable  the road-network matrix could not be had
"""

from __future__ import annotations

from store_db.errors import StoreError


class PlanError(StoreError):
    """A run plan could not be built as asked."""


class TravelTimesUnavailable(PlanError):
    """The travel-time source did not answer with a usable matrix."""
