"""What the stock count screen and the variance view read.

The open (or paused) count with one storage area's lines in shelf order, what a
new count would hold when none is open, and the variance report as typed rows
(`store_db.queries.variance_report` builds it; this only gives it a shape a screen can use).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from store_db.models import Staff, StockCount
from store_db.queries import stock_ledger as ledger
from store_db.queries import variance_report as report
from store_db.services import stock_counts as counts
from store_db.services.stock_counts import AreaProgress, CountLineView, CountState


@dataclass(frozen=True)
class CountSheet:
    """The count in progress, showing `area`; quantities in each item's counting unit."""

    id: str
    kind: str
    state: str
    started_at: datetime
    started_by: str  # a name, "" when unknown
    area: str
    areas: list[AreaProgress]
    lines: list[CountLineView]

    @property
    def paused(self) -> bool:
        return self.state == CountState.PAUSED

    @property
    def total(self) -> int:
        return sum(a.lines for a in self.areas)

    @property
    def counted(self) -> int:
        return sum(a.counted for a in self.areas)

    def area_name(self, area: str | None = None) -> str:
        wanted = area or self.area
        return next((a.name for a in self.areas if a.area == wanted), wanted)


@dataclass(frozen=True)
class CountChoice:
    """What a new count would hold, and when the last one was finalised."""

    daily_items: int
    full_items: int
    last_kind: str | None
    last_finalised_at: datetime | None


def count_sheet(session: Session, area: str | None = None) -> CountSheet | None:
    """The open or paused count showing `area` (default: where its counter last was), or None."""
    count = counts.current_count(session)
    if count is None:
        return None
    progress = counts.areas(session, count.id)
    known = [a.area for a in progress]
    shown = area if area in known else count.area if count.area in known else known[0] if known else ""
    who = session.get(Staff, count.started_by) if count.started_by else None
    return CountSheet(
        id=count.id,
        kind=count.kind,
        state=count.state,
        started_at=count.started_at,
        started_by=who.name if who else "",
        area=shown,
        areas=progress,
        lines=counts.area_lines(session, count.id, shown) if shown else [],
    )


def count_choice(session: Session) -> CountChoice:
    items = [i for i in ledger.catalog(session).values() if i.active]
    last = session.scalars(
        select(StockCount)
        .where(StockCount.state == CountState.FINALISED)
        .order_by(StockCount.started_at.desc())
        .limit(1)
    ).first()
    return CountChoice(
        daily_items=sum(1 for i in items if i.daily),
        full_items=len(items),
        last_kind=last.kind if last else None,
        last_finalised_at=last.finalised_at if last else None,
    )


@dataclass(frozen=True)
class VarianceRow:
    """One item over the period, in its counting unit; money in cents (positive: lost)."""

    code: str
    name: str
    unit: str
    opening: Decimal | None
    received: Decimal | None
    waste: Decimal | None
    closing: Decimal | None
    ideal: Decimal | None
    actual: Decimal | None  # None until a second count closes the period
    variance: Decimal | None
    variance_cents: int | None
    expected: Decimal | None  # on hand by the books, while the period is still open


@dataclass(frozen=True)
class LowStockRow:
    code: str
    name: str
    unit: str
    on_hand: Decimal
    par: Decimal
    suggested_order: int
    purchase_unit: str


@dataclass(frozen=True)
class VarianceView:
    """The variance report, sorted by money lost; percentages of net sales (None without sales)."""

    period_from: datetime
    period_to: datetime
    closed: bool  # False with only one count so far: no actual usage yet
    net_sales_cents: int
    ideal_cents: int | None
    actual_cents: int | None
    waste_cents: int | None
    variance_cents: int | None
    ideal_pct: Decimal | None
    actual_pct: Decimal | None
    variance_pct: Decimal | None
    rows: list[VarianceRow]
    low_stock: list[LowStockRow]
    not_comparable: list[str]
    text: str  # the same report in 80 columns, for a printer or a file


def _d(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def variance_view(session: Session, now: datetime) -> VarianceView:
    """The report over the last two counts (or the last count to `now`). Raises `NoCount`."""
    raw = report.variance_report(session, now)
    totals = raw["totals"]
    rows = [
        VarianceRow(
            code=r["code"],
            name=r["name"],
            unit=r["unit"],
            opening=_d(r["opening"]),
            received=_d(r["received"]),
            waste=_d(r["waste"]),
            closing=_d(r["closing"]),
            ideal=_d(r["ideal"]),
            actual=_d(r["actual"]),
            variance=_d(r["variance"]),
            variance_cents=r["variance_cents"],
            expected=_d(r.get("expected")),
        )
        for r in raw["items"]
    ]
    low = [
        LowStockRow(
            code=r["code"],
            name=r["name"],
            unit=r["unit"],
            on_hand=Decimal(r["on_hand"]),
            par=Decimal(r["par"]),
            suggested_order=int(r["suggested_order"]),
            purchase_unit=r["purchase_unit"],
        )
        for r in raw["low_stock"]
    ]
    return VarianceView(
        period_from=datetime.fromisoformat(raw["from"]),
        period_to=datetime.fromisoformat(raw["to"]),
        closed=raw["closing_count"] is not None,
        net_sales_cents=int(totals["net_sales_cents"]),
        ideal_cents=totals.get("ideal_cents"),
        actual_cents=totals.get("actual_cents"),
        waste_cents=totals.get("waste_cents"),
        variance_cents=totals.get("variance_cents"),
        ideal_pct=_d(totals.get("ideal_food_cost_pct")),
        actual_pct=_d(totals.get("actual_food_cost_pct")),
        variance_pct=_d(totals.get("variance_pct_of_sales")),
        rows=rows,
        low_stock=low,
        not_comparable=list(raw.get("not_comparable", [])),
        text=report.render_text(raw),
    )
