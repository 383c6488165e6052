"""The reports' figures read from the aggregates (`cloud_api.models.reports`), kept equal to
the raw records (`reports.raw`) by `reports.refresh`: a few rows per store-day, whatever the
number of orders. Every function answers exactly what its namesake in `reports.raw` does."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, case, func, select, text, tuple_
from sqlalchemy.orm import Session

from cloud_api.models import CouponDay, DriverDay, ProductDay, SalesHour, Store
from cloud_api.reports.dayparts import daypart_of
from cloud_api.reports.period import Period
from cloud_api.reports.source import By
from cloud_api.reports.variance import FoodCostTotals, Item, ItemVariance

ZERO = Decimal(0)


def _int(column: Any) -> Any:
    return func.coalesce(func.sum(column), 0).cast(BigInteger)


def _sales_columns() -> list[Any]:
    gross, discount = _int(SalesHour.gross_cents), _int(SalesHour.discount_cents)
    return [
        _int(SalesHour.orders).label("orders"),
        gross.label("gross_cents"),
        discount.label("discount_cents"),
        (gross - discount).label("net_sales_cents"),
        _int(SalesHour.tax_cents).label("tax_cents"),
        _int(SalesHour.tip_cents).label("tip_cents"),
        _int(SalesHour.total_cents).label("total_cents"),
    ]


def _in_scope(query: Any, model: Any, stores: Sequence[str] | None, span: Period) -> Any:
    query = query.where(model.business_date.between(span.first, span.last))
    return query.where(model.store_id.in_(list(stores))) if stores is not None else query


def _rows(session: Session, query: Any) -> list[dict[str, Any]]:
    """The rows as dicts, through the session's connection: plain columns need none of the
    ORM's row loading, which costs more than the query on a chain's thousands of rows."""
    session.flush()
    return [dict(row) for row in session.connection().execute(query).mappings()]


_KEYS = ("business_date", "hour", "channel", "service", "store_id")
_BREAKDOWNS = {"by_day": "business_date", "by_hour": "hour", "by_channel": "channel", "by_service": "service"}


def sales(session: Session, stores: Sequence[str] | None, span: Period) -> dict[str, Any]:
    # The totals and every breakdown in one pass over the period's rows (grouping sets).
    keys = {name: getattr(SalesHour, column) for name, column in _BREAKDOWNS.items()}
    if stores is None or len(stores) > 1:
        keys["by_store"] = SalesHour.store_id
    extra = [
        _int(SalesHour.voided_orders).label("voided_orders"),
        _int(SalesHour.voided_cents).label("voided_cents"),
    ]
    flags = [func.grouping(k).label(f"g_{name}") for name, k in keys.items()]
    query = select(*keys.values(), *_sales_columns(), *extra, *flags).group_by(
        func.grouping_sets(tuple_(), *[tuple_(k) for k in keys.values()])
    )
    body: dict[str, Any] = {name: [] for name in (*_BREAKDOWNS, "by_store")}
    found = session.execute(_in_scope(query, SalesHour, stores, span))
    columns = list(found.keys())  # a Result, not a dict
    names = [k for k in columns if not k.startswith("g_") and k not in _KEYS]
    for row in found.mappings():
        grouped = [name for name in keys if row[f"g_{name}"] == 0]
        figures = {k: row[k] for k in names}
        if not grouped:  # the empty grouping set: one row, even for no orders at all
            body["totals"] = figures
        elif figures["orders"] > 0:  # a group of voided orders only is no sale
            column = keys[grouped[0]].key
            sales = {k: v for k, v in figures.items() if not k.startswith("voided_")}
            body[grouped[0]].append({column: row[column]} | sales)
    for name, key in keys.items():
        body[name].sort(key=lambda r, c=key.key: r[c])
    mix = _rows(
        session,
        _in_scope(
            select(
                ProductDay.product,
                ProductDay.name,
                ProductDay.size,
                _int(ProductDay.quantity).label("quantity"),
                _int(ProductDay.sales_cents).label("sales_cents"),
            )
            .group_by(ProductDay.product, ProductDay.name, ProductDay.size)
            .order_by(
                func.sum(ProductDay.sales_cents).desc(), ProductDay.product, ProductDay.size, ProductDay.name
            ),
            ProductDay,
            stores,
            span,
        ),
    )
    discounts = _rows(
        session,
        _in_scope(
            select(
                CouponDay.coupon,
                _int(CouponDay.orders).label("orders"),
                _int(CouponDay.discount_cents).label("discount_cents"),
            )
            .group_by(CouponDay.coupon)
            .order_by(CouponDay.coupon),
            CouponDay,
            stores,
            span,
        ),
    )
    return body | {"product_mix": mix, "discounts": discounts}


def net_sales(session: Session, stores: Sequence[str] | None, span: Period) -> dict[str, int]:
    """Each store's net sales of the period's business days."""
    query = _in_scope(
        select(SalesHour.store_id, _int(SalesHour.gross_cents) - _int(SalesHour.discount_cents)).group_by(
            SalesHour.store_id
        ),
        SalesHour,
        stores,
        span,
    )
    return {row[0]: int(row[1]) for row in session.execute(query)}


def delivery(session: Session, stores: Sequence[str] | None, span: Period, by: By) -> list[dict[str, Any]]:
    """Sums behind the delivery KPIs of delivery orders not voided, by store or driver."""
    model: Any = SalesHour if by == "store" else DriverDay
    key = SalesHour.store_id if by == "store" else DriverDay.driver
    query = select(
        key.label("key"),
        _int(model.orders).label("orders"),
        _int(model.delivered).label("delivered"),
        func.sum(model.out_the_door_s).label("out_the_door_s"),
        _int(model.out_the_door_n).label("out_the_door_n"),
        func.sum(model.delivery_s).label("delivery_s"),
        _int(model.delivery_n).label("delivery_n"),
        _int(model.on_time).label("on_time"),
        _int(model.promised).label("promised"),
    )
    if by == "store":
        query = query.where(SalesHour.service == "delivery")
    query = query.group_by(key).having(func.sum(model.orders) > 0).order_by(key)
    return _rows(session, _in_scope(query, model, stores, span))


def runs(session: Session, stores: Sequence[str] | None, span: Period, by: By) -> dict[Any, int]:
    key = DriverDay.store_id if by == "store" else DriverDay.driver
    query = _in_scope(select(key, _int(DriverDay.runs)).group_by(key), DriverDay, stores, span)
    return {row[0]: int(row[1]) for row in session.execute(query) if row[1]}


def driver_seconds(
    session: Session, stores: Sequence[str] | None, span: Period, by: By
) -> dict[Any, Decimal]:
    key = DriverDay.store_id if by == "store" else DriverDay.driver
    query = _in_scope(select(key, func.sum(DriverDay.shift_s)).group_by(key), DriverDay, stores, span)
    return {row[0]: Decimal(str(row[1] or 0)) for row in session.execute(query)}


def run_seconds(session: Session, stores: Sequence[str] | None, span: Period, by: By) -> dict[Any, Decimal]:
    key = DriverDay.store_id if by == "store" else DriverDay.driver
    query = _in_scope(select(key, func.sum(DriverDay.run_s)).group_by(key), DriverDay, stores, span)
    return {row[0]: Decimal(str(row[1])) for row in session.execute(query) if row[1]}


# Measured over delivery orders only; the make line and the oven over every order.
_DELIVERY_ONLY = ("rack", "out_the_door", "delivery")


def speed_parts(session: Session, stores: Sequence[str] | None, span: Period) -> list[dict[str, Any]]:
    columns = []
    for name in ("make", "oven", *_DELIVERY_ONLY):
        seconds, count = getattr(SalesHour, f"{name}_s"), getattr(SalesHour, f"{name}_n")
        if name in _DELIVERY_ONLY:
            seconds = case((SalesHour.service == "delivery", seconds))
            count = case((SalesHour.service == "delivery", count))
        columns += [func.sum(seconds).label(f"{name}_s"), _int(count).label(f"{name}_n")]
    flags = ("early_bumps", "quick_deliveries", "repeated_recalls", "flagged")
    part = daypart_of(SalesHour.hour, Store.day_starts_hour)
    query = (
        select(
            SalesHour.store_id,
            part.label("daypart"),
            _int(SalesHour.orders).label("orders"),
            *columns,
            *(_int(getattr(SalesHour, flag)).label(flag) for flag in flags),
        )
        .join(Store, Store.id == SalesHour.store_id)
        .group_by(SalesHour.store_id, part)
        .having(func.sum(SalesHour.orders) > 0)
    )
    return _rows(session, _in_scope(query, SalesHour, stores, span))


# Per store and item, the period's first count (the last one at or before the period's start,
# else its first count after it) to its last count before the end, from the segments that close
# in the period: the first of them opened at the count the period opens at, unless a count
# falls on the start itself or the item had none before (then the period opens at its close,
# and what came before it is left out): the sums of the item's segments, less the first one's
# when the period opens at its close. One pass, no sort and no look-up: the first and the last
# segment are the least and the greatest of arrays led by the moment (epoch seconds, exact to
# the microsecond, as the stamps are), read whole from the covering index.
_ITEMS = """
WITH a AS (
    SELECT g.store_id, g.code, b.start_at,
           min(ARRAY[extract(epoch FROM g.closed_at), extract(epoch FROM g.opened_at), g.opening, g.closing,
                     g.received, g.waste, g.usage]) AS first,
           max(ARRAY[extract(epoch FROM g.closed_at), g.closing]) AS last, max(g.closed_at) AS close_at,
           sum(g.received) AS received, sum(g.waste) AS waste, sum(g.usage) AS usage
    FROM unnest(CAST(:stores AS text[]), CAST(:starts AS timestamptz[]), CAST(:ends AS timestamptz[]))
         AS b (store_id, start_at, end_at)
    JOIN report_stock_segment g
      ON g.store_id = b.store_id AND g.closed_at >= b.start_at AND g.closed_at < b.end_at
    GROUP BY g.store_id, g.code, b.start_at
), f AS (
    SELECT a.*, first[1] = extract(epoch FROM start_at) OR first[2] IS NULL AS at_first FROM a
), e AS (
    SELECT store_id, code, last[2] AS closing, close_at, last[1] AS close_s,
           CASE WHEN at_first THEN first[1] ELSE first[2] END AS open_s,
           CASE WHEN at_first THEN first[4] ELSE first[3] END AS opening,
           received - CASE WHEN at_first THEN first[5] ELSE 0 END AS received,
           waste - CASE WHEN at_first THEN first[6] ELSE 0 END AS waste,
           usage - CASE WHEN at_first THEN first[7] ELSE 0 END AS usage
    FROM f
)
SELECT store_id, code, closing, opening, received, waste, usage, close_at,
       to_timestamp(0) + (open_s * 1000000)::bigint * interval '1 microsecond' AS open_at
FROM e
WHERE close_s > open_s
"""

# The league table's totals per store, in SQL: each priced item's money rounded half up to the
# cent at the store's own cost (`inventory.terms.Price.value`: quantity × cost ÷ purchase size,
# PostgreSQL's `round` rounds halves away from zero as ROUND_HALF_UP does), summed per store;
# and the net sales of the orders made between the store's counts. The same periods as
# `_ITEMS`, found per priced item by three short walks of the covering index (its first and
# last segment in the period and the sums between): no sort or grouping of the chain's segments.
_IN_SPAN = (
    "g.store_id = p.store_id AND g.code = p.code AND g.closed_at >= p.start_at AND g.closed_at < p.end_at"
)
_TOTALS = f"""
WITH p AS (
    SELECT k.store_id, k.code, k.cost_cents_per_purchase / k.purchase_size AS rate, b.start_at, b.end_at
    FROM unnest(CAST(:stores AS text[]), CAST(:starts AS timestamptz[]), CAST(:ends AS timestamptz[]))
         AS b (store_id, start_at, end_at)
    JOIN store_stock k ON k.store_id = b.store_id AND k.cost_cents_per_purchase IS NOT NULL
), x AS (
    SELECT p.store_id, p.rate, l.close_at, l.closing, s.received, s.waste, s.usage, f.*,
           f.first_at = p.start_at OR f.first_open_at IS NULL AS at_first
    FROM p
    CROSS JOIN LATERAL (
        SELECT g.closed_at AS first_at, g.opened_at AS first_open_at, g.opening AS first_opening,
               g.closing AS first_closing, g.received AS first_received, g.waste AS first_waste,
               g.usage AS first_usage
        FROM report_stock_segment g WHERE {_IN_SPAN} ORDER BY g.closed_at LIMIT 1
    ) AS f
    CROSS JOIN LATERAL (
        SELECT g.closed_at AS close_at, g.closing
        FROM report_stock_segment g WHERE {_IN_SPAN} ORDER BY g.closed_at DESC LIMIT 1
    ) AS l
    CROSS JOIN LATERAL (
        SELECT sum(g.received) AS received, sum(g.waste) AS waste, sum(g.usage) AS usage
        FROM report_stock_segment g WHERE {_IN_SPAN}
    ) AS s
), i AS (
    SELECT store_id, rate, close_at, closing,
           CASE WHEN at_first THEN first_at ELSE first_open_at END AS open_at,
           CASE WHEN at_first THEN first_closing ELSE first_opening END AS opening,
           received - CASE WHEN at_first THEN first_received ELSE 0 END AS received,
           waste - CASE WHEN at_first THEN first_waste ELSE 0 END AS waste,
           usage - CASE WHEN at_first THEN first_usage ELSE 0 END AS usage
    FROM x
), q AS (
    SELECT i.*, i.opening + i.received - i.closing - i.waste AS actual FROM i WHERE close_at > open_at
), t AS (
    SELECT store_id, count(*) AS items, max(open_at) AS after_at, max(close_at) AS upto_at,
           sum(round(usage * rate)) AS ideal_cents, sum(round(actual * rate)) AS actual_cents,
           sum(round(waste * rate)) AS waste_cents, sum(round((actual - usage) * rate)) AS variance_cents
    FROM q GROUP BY store_id
)
SELECT t.*, coalesce((
    SELECT sum(c.net_sales_cents) FROM report_count_sales c
    WHERE c.store_id = t.store_id AND c.counted_at > t.after_at AND c.counted_at <= t.upto_at
), 0) AS net_sales_cents
FROM t
"""

_BETWEEN_COUNTS = """
SELECT w.store_id, coalesce(sum(c.net_sales_cents), 0)
FROM unnest(CAST(:stores AS text[]), CAST(:after AS timestamptz[]), CAST(:upto AS timestamptz[]))
     AS w (store_id, after_at, upto_at)
LEFT JOIN report_count_sales c
  ON c.store_id = w.store_id AND c.counted_at > w.after_at AND c.counted_at <= w.upto_at
GROUP BY w.store_id
"""


def _bounds(session: Session, stores: Sequence[Store], span: Period) -> dict[str, Any]:
    """Each store's period as instants, in its own zone; and memory enough to group the chain's
    segments of a period (tens of thousands of rows) without spilling to disk."""
    session.execute(text("SET LOCAL work_mem = '32MB'"))
    bounds = [span.bounds(s.timezone, s.day_starts_hour) for s in stores]
    return {
        "stores": [s.id for s in stores],
        "starts": [b[0] for b in bounds],
        "ends": [b[1] for b in bounds],
    }


def variances(
    session: Session, stores: Sequence[Store], span: Period, prices: dict[str, dict[str, Item]]
) -> dict[str, tuple[list[ItemVariance], int]]:
    """`reports.raw.variances` from the stock segments and the sales between counts."""
    ids = [s.id for s in stores]
    found: dict[str, list[ItemVariance]] = {i: [] for i in ids}
    for row in session.execute(text(_ITEMS), _bounds(session, stores, span)):
        item = prices.get(row.store_id, {}).get(row.code)
        if item is None:
            continue
        actual = row.opening + row.received - row.closing - row.waste
        found[row.store_id].append(
            ItemVariance(
                code=row.code,
                item=item,
                opened_at=row.open_at,
                closed_at=row.close_at,
                opening=row.opening,
                received=row.received,
                waste=row.waste,
                closing=row.closing,
                ideal=row.usage,
                actual=actual,
                variance=actual - row.usage,
            )
        )
    counted = [i for i in ids if found[i]]
    made: dict[str, int] = {}
    if counted:
        window: dict[str, Any] = {
            "stores": counted,
            "after": [max(r.opened_at for r in found[i]) for i in counted],
            "upto": [max(r.closed_at for r in found[i]) for i in counted],
        }
        made = {row[0]: int(row[1]) for row in session.execute(text(_BETWEEN_COUNTS), window)}
    uncounted = [i for i in ids if not found[i]]
    by_day = net_sales(session, uncounted, span) if uncounted else {}
    return {
        i: (
            sorted(found[i], key=lambda v: (-v.variance_cents, -abs(v.variance), v.code)),
            made.get(i, 0) if found[i] else by_day.get(i, 0),
        )
        for i in ids
    }


def food_cost_totals(session: Session, stores: Sequence[Store], span: Period) -> dict[str, FoodCostTotals]:
    """`reports.raw.food_cost_totals` in one statement, the stores' stock terms read in it."""
    found = {
        row.store_id: FoodCostTotals(
            items=int(row.items),
            net_sales_cents=int(row.net_sales_cents),
            ideal_cents=int(row.ideal_cents),
            actual_cents=int(row.actual_cents),
            waste_cents=int(row.waste_cents),
            variance_cents=int(row.variance_cents),
        )
        for row in session.execute(text(_TOTALS), _bounds(session, stores, span))
    }
    uncounted = [s.id for s in stores if s.id not in found]
    by_day = net_sales(session, uncounted, span) if uncounted else {}
    return {s.id: found.get(s.id) or FoodCostTotals(net_sales_cents=by_day.get(s.id, 0)) for s in stores}
