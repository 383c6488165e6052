"""Run building for delivery: which driver takes which ready orders, in what order.

The planner (`runs`, `travel`, `planner`, `recombine`, `baselines`, `rush`) is
pure planning over plain data: no database, no clock. Callers pass times as
seconds from "now" and get back runs with an ETA per stop. Around it, with the
store database: `board` turns orders and shifts into a `PlanRequest` and its
plan into runs to accept, `driver` is a run as its driver sees it, `cli` the
commands, and `store_rush` a rush run through the store's own services.

    PlanError                   base of this package's errors (a StoreError)
    └── TravelTimesUnavailable  the road-network matrix could not be had
"""

from __future__ import annotations

from store_db.errors import StoreError


class PlanError(StoreError):
    """A run plan could not be built as asked."""


class TravelTimesUnavailable(PlanError):
    """The travel-time source did not answer with a usable matrix."""
