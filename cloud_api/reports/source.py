"""Where a report's figures come from: the aggregates (`reports.repository`, what every report
answers from) or the raw records (`reports.raw`, the reference they are proven equal to and
timed against). Both modules answer these same questions with the same numbers."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Literal, Protocol

from sqlalchemy.orm import Session

from cloud_api.models import Store
from cloud_api.reports.period import Period
from cloud_api.reports.variance import FoodCostTotals, Item, ItemVariance

By = Literal["store", "driver"]


class Figures(Protocol):
    def sales(self, session: Session, stores: Sequence[str] | None, span: Period) -> dict[str, Any]:
        """The sales report's body: totals, breakdowns, product mix and coupons."""

    def delivery(
        self, session: Session, stores: Sequence[str] | None, span: Period, by: By
    ) -> list[dict[str, Any]]:
        """Sums behind the delivery KPIs, one row per store or driver with delivery orders."""

    def runs(self, session: Session, stores: Sequence[str] | None, span: Period, by: By) -> dict[Any, int]:
        """Runs dispatched on the period's business days, per store or driver."""

    def driver_seconds(
        self, session: Session, stores: Sequence[str] | None, span: Period, by: By
    ) -> dict[Any, Decimal]:
        """Seconds on the clock of the shifts begun on the period's business days."""

    def run_seconds(
        self, session: Session, stores: Sequence[str] | None, span: Period, by: By
    ) -> dict[Any, Decimal]:
        """Seconds out on runs dispatched on the period's business days and back, per store or driver."""

    def speed_parts(
        self, session: Session, stores: Sequence[str] | None, span: Period
    ) -> list[dict[str, Any]]:
        """Speed-of-service sums and honest-timer flags per store and daypart of the hour placed."""

    def variances(
        self, session: Session, stores: Sequence[Store], span: Period, prices: dict[str, dict[str, Item]]
    ) -> dict[str, tuple[list[ItemVariance], int]]:
        """Each store's items between its counts, most money lost first, and its net sales."""

    def food_cost_totals(
        self, session: Session, stores: Sequence[Store], span: Period
    ) -> dict[str, FoodCostTotals]:
        """Each store's food-cost totals (the league table's row), without its items."""
