"""Run building for delivery: which driver takes which ready orders, in what order.

Pure planning over plain data (`runs`, `travel`, `planner`, `recombine`,
`baselines`, `osrm` for road travel times): no database, no clock. Callers pass
times as seconds from "now" and get back runs with an ETA per stop. The store's
dispatch board (`store_db.dispatch`) feeds it from the store database.

    PlanError                   base of this package's errors (a trade refusal)
    └── TravelTimesUnavailable  the road-network matrix could not be had
"""

from __future__ import annotations

from makeline.trade.errors import TradeError


class PlanError(TradeError):
    """A run plan could not be built as asked."""


class TravelTimesUnavailable(PlanError):
    """The travel-time source did not answer with a usable matrix."""
