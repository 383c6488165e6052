"""The reports' figures computed from the raw records (every order, line, run, shift, stock
movement and usage line of the period). The reports answer from the aggregates (`reports.repository`); these
are the reference the aggregates are proven equal to, and what `benchmarks/bench_reports.py`
times beside them. Voided orders are not sales."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, case, extract, func, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session

from cloud_api.models import DeliveryRun, DriverShift, IdealUsage, Order, OrderLine, StockMovement, Store
from cloud_api.reports import food_cost
from cloud_api.reports.dayparts import daypart_of
from cloud_api.reports.period import Period
from cloud_api.reports.source import By
from cloud_api.reports.variance import FoodCostTotals, Item, ItemVariance, Move, variance


def _sales_columns() -> list[Any]:
    gross = func.coalesce(func.sum(Order.subtotal), 0)
    discount = func.coalesce(func.sum(Order.discount), 0)
    return [
        func.count(Order.id).label("orders"),
        gross.label("gross_cents"),
        discount.label("discount_cents"),
        (gross - discount).label("net_sales_cents"),
        func.coalesce(func.sum(Order.tax), 0).label("tax_cents"),
        func.coalesce(func.sum(Order.tip), 0).label("tip_cents"),
        func.coalesce(func.sum(Order.total), 0).label("total_cents"),
    ]


def _in_scope(query: Any, stores: Sequence[str] | None, span: Period) -> Any:
    query = query.where(Order.business_date.between(span.first, span.last))
    return query.where(Order.store_id.in_(list(stores))) if stores is not None else query


def _rows(session: Session, query: Any) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in session.execute(query)]


def sales(session: Session, stores: Sequence[str] | None, span: Period) -> dict[str, Any]:
    sold: ColumnElement[bool] = Order.stage != "voided"

    def grouped(*keys: Any) -> list[dict[str, Any]]:
        query = select(*keys, *_sales_columns()).where(sold).group_by(*keys).order_by(*keys)
        return _rows(session, _in_scope(query, stores, span))

    totals = _rows(session, _in_scope(select(*_sales_columns()).where(sold), stores, span))[0]
    voided = session.execute(
        _in_scope(
            select(func.count(Order.id), func.coalesce(func.sum(Order.total), 0)).where(~sold), stores, span
        )
    ).one()
    local_hour = extract("hour", func.timezone(Store.timezone, Order.placed_at))
    by_hour = _rows(
        session,
        _in_scope(
            select(local_hour.label("hour"), *_sales_columns())
            .join(Store, Store.id == Order.store_id)
            .where(sold)
            .group_by(local_hour)
            .order_by(local_hour),
            stores,
            span,
        ),
    )
    mix = _rows(
        session,
        _in_scope(
            select(
                OrderLine.product,
                OrderLine.name,
                OrderLine.size,
                func.sum(OrderLine.quantity).label("quantity"),
                func.sum(OrderLine.line_total).label("sales_cents"),
            )
            .join(Order, (Order.store_id == OrderLine.store_id) & (Order.id == OrderLine.order_id))
            .where(sold)
            .group_by(OrderLine.product, OrderLine.name, OrderLine.size)
            .order_by(
                func.sum(OrderLine.line_total).desc(), OrderLine.product, OrderLine.size, OrderLine.name
            ),
            stores,
            span,
        ),
    )
    discounts = _rows(
        session,
        _in_scope(
            select(
                Order.coupon,
                func.count(Order.id).label("orders"),
                func.sum(Order.discount).label("discount_cents"),
            )
            .where(sold, Order.coupon.is_not(None))
            .group_by(Order.coupon)
            .order_by(Order.coupon),
            stores,
            span,
        ),
    )
    return {
        "totals": totals | {"voided_orders": voided[0], "voided_cents": voided[1]},
        "by_day": grouped(Order.business_date),
        "by_hour": [row | {"hour": int(row["hour"])} for row in by_hour],
        "by_channel": grouped(Order.channel),
        "by_service": grouped(Order.service),
        "by_store": grouped(Order.store_id) if stores is None or len(stores) > 1 else [],
        "product_mix": mix,
        "discounts": discounts,
    }


def counts_before(session: Session, store_id: str, before: datetime) -> list[tuple[str, datetime]]:
    """Each item's last count at or before `before`: where its period opens."""
    query = (
        select(StockMovement.code, StockMovement.at)
        .where(StockMovement.store_id == store_id, StockMovement.kind == "count", StockMovement.at <= before)
        .ext(distinct_on(StockMovement.code))
        .order_by(StockMovement.code, StockMovement.at.desc())
    )
    return [(row.code, row.at) for row in session.execute(query)]


def movements(session: Session, store_id: str, since: datetime, until: datetime) -> list[Move]:
    """The store's stock movements and usage lines from `since` until `until`, by item and
    moment (a moment's counts in the order they were written)."""
    moved = [
        Move(m.code, m.kind, m.quantity, m.at)
        for m in session.scalars(
            select(StockMovement)
            .where(StockMovement.store_id == store_id, StockMovement.at >= since, StockMovement.at < until)
            .order_by(StockMovement.code, StockMovement.at, StockMovement.id)
        )
    ]
    used = session.scalars(
        select(IdealUsage).where(
            IdealUsage.store_id == store_id, IdealUsage.at >= since, IdealUsage.at < until
        )
    )
    moved += [
        Move(code, "usage", quantity, u.at)
        for u in used
        for code, quantity in zip(u.codes, u.quantities, strict=True)
    ]
    return sorted(moved, key=lambda m: (m.code, m.at))  # stable: the counts keep their order


def net_sales(session: Session, store_id: str, span: Period) -> int:
    found = session.scalar(
        _in_scope(
            select(func.coalesce(func.sum(Order.subtotal - Order.discount), 0)).where(
                Order.stage != "voided"
            ),
            [store_id],
            span,
        )
    )
    return int(found or 0)


def net_sales_made(session: Session, store_id: str, after: datetime, upto: datetime) -> int:
    """Net sales of the store's orders made in `(after, upto]` and not voided."""
    found = session.scalar(
        select(func.coalesce(func.sum(Order.subtotal - Order.discount), 0)).where(
            Order.store_id == store_id,
            Order.made_at > after,
            Order.made_at <= upto,
            Order.stage != "voided",
        )
    )
    return int(found or 0)


def _seconds(later: Any, earlier: Any) -> Any:
    return func.sum(extract("epoch", later - earlier))


def delivery(session: Session, stores: Sequence[str] | None, span: Period, by: By) -> list[dict[str, Any]]:
    """Sums behind the delivery KPIs of delivery orders, grouped by store or driver: seconds
    and how many orders have both stamps, so averages are exact."""
    key = Order.store_id if by == "store" else Order.driver_name
    delivered = Order.delivered_at.is_not(None)
    on_time = case((Order.delivered_at <= Order.promise_at, 1), else_=0)
    query = (
        select(
            key.label("key"),
            func.count(Order.id).label("orders"),
            func.count(Order.delivered_at).label("delivered"),
            _seconds(Order.out_the_door_at, Order.placed_at).label("out_the_door_s"),
            func.count(Order.out_the_door_at - Order.placed_at).label("out_the_door_n"),
            _seconds(Order.delivered_at, Order.placed_at).label("delivery_s"),
            func.count(Order.delivered_at - Order.placed_at).label("delivery_n"),
            func.sum(case((delivered & Order.promise_at.is_not(None), on_time), else_=0)).label("on_time"),
            func.count(case((delivered & Order.promise_at.is_not(None), 1))).label("promised"),
        )
        .where(Order.service == "delivery", Order.stage != "voided")
        .group_by(key)
        .order_by(key)
    )
    return _rows(session, _in_scope(query, stores, span))


def _business_day(at: Any) -> Any:
    """A timestamp's business date in its own store's zone, computed in SQL."""
    local = func.timezone(Store.timezone, at) - func.make_interval(0, 0, 0, 0, Store.day_starts_hour)
    return func.date(local)


def runs(session: Session, stores: Sequence[str] | None, span: Period, by: By) -> dict[Any, int]:
    day = _business_day(DeliveryRun.dispatched_at)
    key = DeliveryRun.store_id if by == "store" else DeliveryRun.driver_name
    query = (
        select(key, func.count(DeliveryRun.id))
        .join(Store, Store.id == DeliveryRun.store_id)
        .where(day.between(span.first, span.last))
        .group_by(key)
    )
    if stores is not None:
        query = query.where(DeliveryRun.store_id.in_(list(stores)))
    return {row[0]: int(row[1]) for row in session.execute(query)}


def driver_seconds(
    session: Session, stores: Sequence[str] | None, span: Period, by: By
) -> dict[Any, Decimal]:
    """Seconds on the clock of the drivers' shifts (clock-in to cash-out) begun in the period."""
    seconds = _seconds(DriverShift.clock_out_at, DriverShift.clock_in_at)
    day = _business_day(DriverShift.clock_in_at)
    key = DriverShift.store_id if by == "store" else DriverShift.driver_name
    query = (
        select(key, seconds)
        .join(Store, Store.id == DriverShift.store_id)
        .where(day.between(span.first, span.last))
        .group_by(key)
    )
    if stores is not None:
        query = query.where(DriverShift.store_id.in_(list(stores)))
    return {row[0]: Decimal(str(row[1] or 0)) for row in session.execute(query)}


def run_seconds(session: Session, stores: Sequence[str] | None, span: Period, by: By) -> dict[Any, Decimal]:
    """Seconds out on runs dispatched in the period (in each store's own business days) and
    back in the store, per store or driver."""
    key = DeliveryRun.store_id if by == "store" else DeliveryRun.driver_name
    query = (
        select(key, _seconds(DeliveryRun.returned_at, DeliveryRun.dispatched_at))
        .join(Store, Store.id == DeliveryRun.store_id)
        .where(_business_day(DeliveryRun.dispatched_at).between(span.first, span.last))
        .where(DeliveryRun.returned_at.is_not(None))
        .group_by(key)
    )
    if stores is not None:
        query = query.where(DeliveryRun.store_id.in_(list(stores)))
    return {row[0]: Decimal(str(row[1])) for row in session.execute(query) if row[1]}


def _span(later: Any, earlier: Any) -> tuple[Any, Any]:
    both = later.is_not(None) & earlier.is_not(None)
    return _seconds(case((both, later), else_=None), earlier), func.count(case((both, 1), else_=None))


def speed_parts(session: Session, stores: Sequence[str] | None, span: Period) -> list[dict[str, Any]]:
    """Speed-of-service sums of orders not voided per store and daypart of the local hour
    placed: seconds and how many orders have both stamps per measure, and the store's
    honest-timer flags."""
    delivery = Order.service == "delivery"
    spans = {
        "make": (Order.made_at, func.coalesce(Order.in_store_at, Order.placed_at)),
        "oven": (Order.baked_at, Order.made_at),
        "rack": (case((delivery, Order.out_the_door_at)), Order.ready_at),
        "out_the_door": (case((delivery, Order.out_the_door_at)), Order.placed_at),
        "delivery": (case((delivery, Order.delivered_at)), Order.placed_at),
    }
    columns = []
    for name, (later, earlier) in spans.items():
        seconds, count = _span(later, earlier)
        columns += [seconds.label(f"{name}_s"), count.label(f"{name}_n")]
    flags = {
        "early_bumps": Order.flagged_early_bump,
        "quick_deliveries": Order.flagged_quick_delivery,
        "repeated_recalls": Order.flagged_repeated_recall,
        "flagged": Order.flagged_early_bump | Order.flagged_quick_delivery | Order.flagged_repeated_recall,
    }
    part = daypart_of(extract("hour", func.timezone(Store.timezone, Order.placed_at)), Store.day_starts_hour)
    query = (
        select(
            Order.store_id.label("store_id"),
            part.label("daypart"),
            func.count(Order.id).label("orders"),
            *columns,
            *(func.count(case((flag, 1))).label(name) for name, flag in flags.items()),
        )
        .join(Store, Store.id == Order.store_id)
        .where(Order.stage != "voided")
        .group_by(Order.store_id, part)
    )
    return _rows(session, _in_scope(query, stores, span))


def variances(
    session: Session, stores: Sequence[Store], span: Period, prices: dict[str, dict[str, Item]]
) -> dict[str, tuple[list[ItemVariance], int]]:
    """Each store's items between its counts (`reports.variance`) and the net sales they are set
    against: of the orders made between the counts, or of the period's days without counts."""
    found = {}
    for store in stores:
        start, end = span.bounds(store.timezone, store.day_starts_hour)
        opened = dict(counts_before(session, store.id, start))
        since = min([start, *opened.values()])
        moves = movements(session, store.id, since, end)
        rows = variance(moves, opened, start, end, prices.get(store.id, {}))
        net = (
            net_sales_made(session, store.id, max(r.opened_at for r in rows), max(r.closed_at for r in rows))
            if rows
            else net_sales(session, store.id, span)
        )
        found[store.id] = (rows, net)
    return found


def food_cost_totals(session: Session, stores: Sequence[Store], span: Period) -> dict[str, FoodCostTotals]:
    """Each store's food-cost totals: its items' money (each rounded to the cent) summed."""
    found = variances(session, stores, span, food_cost.prices(session, [s.id for s in stores]))
    return {i: FoodCostTotals.of(rows, net) for i, (rows, net) in found.items()}
