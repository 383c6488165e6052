"""Keeping the reports' aggregates (`cloud_api.models.reports`) equal to the raw records.

`refresh_aggregates(session, store_id, days)` recomputes one store's business days from its
orders, runs, shifts and stock movements, set-based: per table one `SELECT … GROUP BY` of the
store-days, and only what differs from the rows kept written (changed rows updated, new ones
inserted, gone ones deleted; an unchanged row is not written), every table in one statement
(two round trips with the lock, however many events or orders changed them).

Whoever changes those records notes the store-days (`note_days`): once per batch of store
events (`store_events.service`), and where the cloud changes an order or a run itself (online
orders, the REST run updates, the demo kitchen). The noted days are recomputed just before the
transaction commits, under a transaction-level advisory lock per store: refreshes of one store
never interleave (the later one recomputes from records that include the earlier one's), and
as the lock is the last one a transaction takes, it cannot close a cycle with row locks.

A store's backlog applied in several chunks (a night offline) is recomputed once, not at every
chunk: a chunk with more of the store's events waiting behind it notes its days as due
(`defer_days`, the `report_due_day` rows, in its own transaction), and the chunk that empties
the backlog takes them back (`due_days`) with its own days, so its commit recomputes them all.

Stock segments and the sales between counts are not tied to a business day: a change on a day
recomputes every segment that closes from the day before it on (a count splits the segment
it falls in; a receipt changes the one it falls in).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import TextClause, event, text
from sqlalchemy.orm import Session

from cloud_api.inventory import usage
from cloud_api.models import CountSales, CouponDay, DriverDay, ProductDay, SalesHour, StockSegment
from makeline.trade.business_day import day_bounds

_NOTED = "makeline.report_days"
_LOCK_SPACE = 7_301_016  # pg_advisory_xact_lock(space, hashtext(store)): one refresh per store at once

_SOLD = "o.stage <> 'voided'"
_VOIDED = "o.stage = 'voided'"
_REFUNDED = "o.payment IN ('refund_pending', 'refunded')"


def _seconds(later: str, earlier: str, where: str = _SOLD) -> str:
    """Exact seconds from `earlier` to `later` summed, and how many orders have both stamps
    (a bare name is the order's stamp)."""
    diff = f"{_stamp(later)} - {_stamp(earlier)}"
    return (
        f"coalesce(sum(extract(epoch FROM {diff})) FILTER (WHERE {where}), 0), "
        f"count({diff}) FILTER (WHERE {where})"
    )


def _stamp(name: str) -> str:
    return name if "(" in name else f"o.{name}"


# The make line starts when the order is in the store (an online order fired to the kitchen).
_MAKE = _seconds("made_at", "coalesce(o.in_store_at, o.placed_at)")
_FLAGS = ", ".join(
    f"count(*) FILTER (WHERE {_SOLD} AND ({flag}))"
    for flag in (
        "o.flagged_early_bump",
        "o.flagged_quick_delivery",
        "o.flagged_repeated_recall",
        "o.flagged_early_bump OR o.flagged_quick_delivery OR o.flagged_repeated_recall",
    )
)
_SALES_HOUR_KEY = "o.store_id, o.business_date, extract(hour FROM timezone(s.timezone, o.placed_at))::int"

_ON_TIME = (
    "count(*) FILTER (WHERE {w} AND o.delivered_at IS NOT NULL AND o.promise_at IS NOT NULL"
    " AND o.delivered_at <= o.promise_at), "
    "count(*) FILTER (WHERE {w} AND o.delivered_at IS NOT NULL AND o.promise_at IS NOT NULL)"
)
_DAYS = "o.store_id = :store_id AND o.business_date = ANY(:days)"
# A timestamp's business day in its store's zone, as `reports.raw` computes it.
_BUSINESS_DAY = "date(timezone(s.timezone, {at}) - make_interval(0, 0, 0, 0, s.day_starts_hour))"

SALES_HOUR = f"""
INSERT INTO report_sales_hour ({{sales_hour}})
SELECT {_SALES_HOUR_KEY}, o.channel, o.service,
       count(*) FILTER (WHERE {_SOLD}),
       coalesce(sum(o.subtotal) FILTER (WHERE {_SOLD}), 0),
       coalesce(sum(o.discount) FILTER (WHERE {_SOLD}), 0),
       coalesce(sum(o.tax) FILTER (WHERE {_SOLD}), 0),
       coalesce(sum(o.tip) FILTER (WHERE {_SOLD}), 0),
       coalesce(sum(o.total) FILTER (WHERE {_SOLD}), 0),
       count(*) FILTER (WHERE {_VOIDED}),
       coalesce(sum(o.total) FILTER (WHERE {_VOIDED}), 0),
       count(*) FILTER (WHERE {_REFUNDED}),
       coalesce(sum(o.total) FILTER (WHERE {_REFUNDED}), 0),
       count(o.delivered_at) FILTER (WHERE {_SOLD}),
       {_MAKE},
       {_seconds("baked_at", "made_at")},
       {_seconds("out_the_door_at", "ready_at")},
       {_seconds("out_the_door_at", "placed_at")},
       {_seconds("delivered_at", "placed_at")},
       {_ON_TIME.format(w=_SOLD)},
       {_FLAGS}
FROM orders o JOIN store s ON s.id = o.store_id
WHERE {{scope}}
GROUP BY 1, 2, 3, 4, 5
"""

# The columns 0014 added to the rows kept before it, from the same orders (every row's key has them).
BACKFILL_SPEED = f"""
UPDATE report_sales_hour h
SET make_s = f.make_s, make_n = f.make_n, early_bumps = f.early_bumps,
    quick_deliveries = f.quick_deliveries, repeated_recalls = f.repeated_recalls, flagged = f.flagged
FROM (
    SELECT {_SALES_HOUR_KEY} AS hour, o.channel, o.service, {_MAKE}, {_FLAGS}
    FROM orders o JOIN store s ON s.id = o.store_id
    GROUP BY 1, 2, 3, 4, 5
) AS f (store_id, business_date, hour, channel, service, make_s, make_n, early_bumps,
        quick_deliveries, repeated_recalls, flagged)
WHERE h.store_id = f.store_id AND h.business_date = f.business_date AND h.hour = f.hour
  AND h.channel = f.channel AND h.service = f.service
"""

# An order's lines by its key (store_id, id): one store's shard. Migration 0014 rebuilds
# every aggregate on the schema of its day, when lines were keyed by the order's id alone.
# Each order's lines looked up by the lines' key, order by order (a lateral subquery that
# `OFFSET 0` keeps the planner from flattening into a join): joined as two tables, a store the
# statistics did not know yet was taken for one order, and its lines were read whole once for
# every order of its day (2.6 million rows for a 1,000-order day, 630 ms a chunk).
_LINES = (
    "orders o CROSS JOIN LATERAL (SELECT l.product, l.name, l.size, l.quantity, l.line_total "
    "FROM order_line l WHERE l.store_id = o.store_id AND l.order_id = o.id OFFSET 0) AS l"
)
_LINES_BEFORE_0019 = "order_line l JOIN orders o ON o.id = l.order_id"

PRODUCT_DAY = f"""
INSERT INTO report_product_day ({{product_day}})
SELECT o.store_id, o.business_date, l.product, l.name, l.size, sum(l.quantity), sum(l.line_total)
FROM {_LINES}
WHERE {{scope}} AND {_SOLD}
GROUP BY 1, 2, 3, 4, 5
"""

COUPON_DAY = f"""
INSERT INTO report_coupon_day ({{coupon_day}})
SELECT o.store_id, o.business_date, o.coupon, count(*), sum(o.discount)
FROM orders o
WHERE {{scope}} AND {_SOLD} AND o.coupon IS NOT NULL
GROUP BY 1, 2, 3
"""

_DELIVERY = "o.service = 'delivery' AND o.stage <> 'voided'"
# Out on a run: dispatched to back in the store (a run not back yet counts nothing).
_RUN_S = "coalesce(sum(extract(epoch FROM r.returned_at - r.dispatched_at)), 0)"
DRIVER_DAY = f"""
INSERT INTO report_driver_day ({{driver_day}})
SELECT store_id, day, driver, sum(orders), sum(delivered), sum(otd_s), sum(otd_n), sum(delivery_s),
       sum(delivery_n), sum(on_time), sum(promised), sum(runs), sum(shift_s), sum(run_s)
FROM (
    SELECT o.store_id, o.business_date AS day, o.driver_name AS driver, count(*) AS orders,
           count(o.delivered_at) AS delivered,
           {_seconds("out_the_door_at", "placed_at", "true")},
           {_seconds("delivered_at", "placed_at", "true")},
           {_ON_TIME.format(w="true")}, 0 AS runs, 0 AS shift_s, 0 AS run_s
    FROM orders o
    WHERE {{scope}} AND {_DELIVERY} AND o.driver_name IS NOT NULL
    GROUP BY 1, 2, 3
  UNION ALL
    SELECT r.store_id, {_BUSINESS_DAY.format(at="r.dispatched_at")}, r.driver_name,
           0, 0, 0, 0, 0, 0, 0, 0, count(*), 0, {_RUN_S}
    FROM delivery_run r JOIN store s ON s.id = r.store_id
    WHERE {{run_scope}}
    GROUP BY 1, 2, 3
  UNION ALL
    SELECT d.store_id, {_BUSINESS_DAY.format(at="d.clock_in_at")}, d.driver_name,
           0, 0, 0, 0, 0, 0, 0, 0, 0, sum(extract(epoch FROM d.clock_out_at - d.clock_in_at)), 0
    FROM driver_shift d JOIN store s ON s.id = d.store_id
    WHERE {{shift_scope}}
    GROUP BY 1, 2, 3
) AS found (store_id, day, driver, orders, delivered, otd_s, otd_n, delivery_s, delivery_n,
            on_time, promised, runs, shift_s, run_s)
GROUP BY 1, 2, 3
"""

BACKFILL_DRIVER_RUNS = f"""
UPDATE report_driver_day d SET run_s = f.run_s
FROM (
    SELECT r.store_id, {_BUSINESS_DAY.format(at="r.dispatched_at")}, r.driver_name, {_RUN_S}
    FROM delivery_run r JOIN store s ON s.id = r.store_id
    GROUP BY 1, 2, 3
) AS f (store_id, day, driver, run_s)
WHERE d.store_id = f.store_id AND d.business_date = f.day AND d.driver = f.driver
"""

# The last count written at each moment is the one that stands (the raw rule's `reversed`).
# The orders' usage is summed once a period (a store counts its items together), not once an
# item: its lines are a row an order (`inventory.usage`), read a line a row.
STOCK_SEGMENT = f"""
INSERT INTO report_stock_segment ({{stock_segment}})
WITH counted AS (
    SELECT k.store_id, k.code, k.at, k.quantity, p.opened_at
    FROM (
        SELECT DISTINCT ON (store_id, code, at) store_id, code, at, quantity
        FROM stock_movement c
        WHERE {{scope}} AND c.kind = 'count'
        ORDER BY store_id, code, at, id DESC
    ) AS k
    LEFT JOIN LATERAL (
        SELECT max(c.at) AS opened_at FROM stock_movement c
        WHERE c.store_id = k.store_id AND c.code = k.code AND c.kind = 'count' AND c.at < k.at
    ) AS p ON true
), used AS (
    SELECT p.store_id, p.opened_at, p.at, u.code, sum(u.quantity) AS quantity
    FROM (SELECT DISTINCT store_id, opened_at, at FROM counted WHERE opened_at IS NOT NULL) AS p
    JOIN {usage.LINES} AS u ON u.store_id = p.store_id AND u.at > p.opened_at AND u.at <= p.at
    GROUP BY 1, 2, 3, 4
)
SELECT m.store_id, m.at, m.code, m.opened_at, (
           SELECT o.quantity FROM stock_movement o
           WHERE o.store_id = m.store_id AND o.code = m.code AND o.kind = 'count' AND o.at = m.opened_at
           ORDER BY o.id DESC LIMIT 1
       ), m.quantity,
       coalesce(sum(x.quantity) FILTER (WHERE x.kind = 'received'), 0),
       coalesce(sum(x.quantity) FILTER (WHERE x.kind = 'waste'), 0),
       coalesce(used.quantity, 0)
FROM counted m
LEFT JOIN used
    ON used.store_id = m.store_id AND used.opened_at = m.opened_at AND used.at = m.at AND used.code = m.code
LEFT JOIN stock_movement x
    ON x.store_id = m.store_id AND x.code = m.code AND x.kind IN ('received', 'waste')
    AND x.at > m.opened_at AND x.at <= m.at
GROUP BY m.store_id, m.code, m.at, m.opened_at, m.quantity, used.quantity
"""
# Before 0029 the usage was in `stock_movement`, a row a line (`rebuild_all` for 0014).
_USAGE_BEFORE_0029 = "(SELECT store_id, code, quantity, at FROM stock_movement WHERE kind = 'usage')"

# The first count moment has no previous one: it holds 0, and no period opens before it.
COUNT_SALES = """
INSERT INTO report_count_sales ({count_sales})
SELECT m.store_id, m.at, coalesce((
    SELECT sum(o.subtotal - o.discount) FROM orders o
    WHERE o.store_id = m.store_id AND o.stage <> 'voided' AND o.made_at > m.prev AND o.made_at <= m.at
), 0)
FROM (
    SELECT store_id, at, lag(at) OVER (PARTITION BY store_id ORDER BY at) AS prev
    FROM (SELECT DISTINCT store_id, at FROM stock_movement c WHERE {stores} AND c.kind = 'count') AS c
) AS m
WHERE {scope}
"""


def _columns(model: Any) -> str:
    return ", ".join(column.name for column in model.__table__.columns)


# The sub-statements below run in the tables' column order.
_COLUMNS = {
    "sales_hour": _columns(SalesHour),
    "product_day": _columns(ProductDay),
    "coupon_day": _columns(CouponDay),
    "driver_day": _columns(DriverDay),
    "stock_segment": _columns(StockSegment),
    "count_sales": _columns(CountSales),
}
_DAY_TABLES = ("report_sales_hour", "report_product_day", "report_coupon_day", "report_driver_day")


def _lock(session: Session, store_id: str, first: date) -> datetime:
    """Wait for the store's earlier refresh to commit; a day before the first business day's
    start (where its stock segments are recomputed from: a stamp a clock early falls after it)."""
    store = session.execute(
        text(
            "SELECT pg_advisory_xact_lock(:space, hashtext(:store_id)), timezone, day_starts_hour"
            " FROM store WHERE id = :store_id"
        ),
        {"space": _LOCK_SPACE, "store_id": store_id},
    ).one()
    return day_bounds(first, store.timezone, store.day_starts_hour)[0] - timedelta(days=1)


def _merge(n: int, model: Any, rows: str, scope: str) -> list[str]:
    """The sub-statements that write `rows` (an `INSERT … SELECT` of every column of `model`'s
    table, in order) over the table's rows in `scope` (as `t`): a row whose values changed is
    updated, a new one inserted, one no longer computed deleted, and one that is the same is
    not written at all. A chunk of a store's live events changes a few of the day's rows; a
    delete and insert of them all was most of the WAL such a chunk wrote."""
    table = model.__tablename__
    columns = [c.name for c in model.__table__.columns]
    keys = [c.name for c in model.__table__.primary_key.columns]
    values = [c for c in columns if c not in keys]
    listed = ", ".join(columns)
    same = " AND ".join(f"f.{k} = t.{k}" for k in keys)
    held = ", ".join(f"{table}.{v}" for v in values)
    told = ", ".join(f"excluded.{v}" for v in values)
    select = rows.strip().split("\n", 1)[1]  # the statement without its `INSERT INTO … (…)` line
    return [
        f"f{n} ({listed}) AS ({select})",
        f"g{n} AS (DELETE FROM {table} t WHERE {scope} AND NOT EXISTS (SELECT FROM f{n} f WHERE {same}))",
        f"u{n} AS (INSERT INTO {table} ({listed}) SELECT {listed} FROM f{n} "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {', '.join(f'{v} = excluded.{v}' for v in values)} "
        f"WHERE ({held}) IS DISTINCT FROM ({told}))",
    ]


def refresh_aggregates(session: Session, store_id: str, days: Collection[date]) -> None:
    """Recompute the store's aggregates of these business days from its raw records, writing
    only the rows that changed."""
    if not days:
        return
    session.flush()
    ordered = sorted(set(days))
    # The lock first, in a statement of its own: what follows reads after the earlier commit.
    since = _lock(session, store_id, ordered[0])
    params: dict[str, Any] = {
        "store_id": store_id,
        "days": ordered,
        # A wide window around the days, so the runs' and shifts' index narrows the scan.
        "lo": datetime.combine(ordered[0], time(), UTC) - timedelta(days=2),
        "hi": datetime.combine(ordered[-1], time(), UTC) + timedelta(days=3),
        "since": since,
    }
    session.execute(_MERGE, params)


def _statement() -> TextClause:
    """`refresh_aggregates`' statement, written once: every table's merge in one round trip
    (the sub-statements share one snapshot; each table's deletes and writes touch other keys)."""
    window = "{t}.store_id = :store_id AND {t}.{at} >= :lo AND {t}.{at} < :hi AND {day} = ANY(:days)"
    scopes = {
        "scope": _DAYS,
        "run_scope": window.format(t="r", at="dispatched_at", day=_BUSINESS_DAY.format(at="r.dispatched_at")),
        "shift_scope": window.format(t="d", at="clock_in_at", day=_BUSINESS_DAY.format(at="d.clock_in_at")),
    }
    days = "t.store_id = :store_id AND t.business_date = ANY(:days)"
    merged = [
        (SalesHour, SALES_HOUR.format(**scopes, **_COLUMNS), days),
        (ProductDay, PRODUCT_DAY.format(**scopes, **_COLUMNS), days),
        (CouponDay, COUPON_DAY.format(**scopes, **_COLUMNS), days),
        (DriverDay, DRIVER_DAY.format(**scopes, **_COLUMNS), days),
        (
            StockSegment,
            STOCK_SEGMENT.format(scope="c.store_id = :store_id AND c.at >= :since", **_COLUMNS),
            "t.store_id = :store_id AND t.closed_at >= :since",
        ),
        (
            CountSales,
            COUNT_SALES.format(stores="c.store_id = :store_id", scope="m.at >= :since", **_COLUMNS),
            "t.store_id = :store_id AND t.counted_at >= :since",
        ),
    ]
    parts = [part for n, (model, rows, scope) in enumerate(merged) for part in _merge(n, model, rows, scope)]
    return text("WITH " + ",\n".join(parts) + " SELECT 1")


# Built once: a new text each refresh was parsed for its parameters again (a chunk's millisecond).
_MERGE = _statement()


def rebuild_all(session: Session, before_0029: bool = False) -> None:
    """Every aggregate of every store, from scratch (migration 0014, on the schema of its day:
    `before_0029`, the usage in `stock_movement`)."""
    for table in (*_DAY_TABLES, "report_stock_segment", "report_count_sales"):
        session.execute(text(f"DELETE FROM {table}"))
    scopes = {"scope": "true", "run_scope": "true", "shift_scope": "true"}
    product_day = PRODUCT_DAY.replace(_LINES, _LINES_BEFORE_0019)
    for statement in (SALES_HOUR, product_day, COUPON_DAY, DRIVER_DAY):
        session.execute(text(statement.format(**scopes, **_COLUMNS)))
    segment = STOCK_SEGMENT.replace(usage.LINES, _USAGE_BEFORE_0029) if before_0029 else STOCK_SEGMENT
    session.execute(text(segment.format(scope="true", **_COLUMNS)))
    session.execute(text(COUNT_SALES.format(stores="true", scope="true", **_COLUMNS)))


_DEFER = text(
    "INSERT INTO report_due_day (store_id, business_date) SELECT :store_id, unnest(CAST(:days AS date[]))"
    " ON CONFLICT DO NOTHING"
)
_DUE = text("DELETE FROM report_due_day WHERE store_id = :store_id RETURNING business_date")


def defer_days(session: Session, store_id: str, days: Collection[date]) -> None:
    """These business days of the store changed and more of its backlog follows: noted as due
    (in this transaction), for the chunk that empties the backlog to recompute (`due_days`)."""
    if days:
        session.execute(_DEFER, {"store_id": store_id, "days": sorted(set(days))})


def due_days(session: Session, store_id: str) -> set[date]:
    """The store's days noted as due by earlier chunks, taken off the list (this transaction
    recomputes them: its rollback puts them back)."""
    return set(session.scalars(_DUE, {"store_id": store_id}))


def note_days(session: Session, store_id: str, days: Collection[date]) -> None:
    """These business days of the store changed: recompute them before this transaction commits."""
    if days:
        noted: dict[str, set[date]] = session.info.setdefault(_NOTED, {})
        noted.setdefault(store_id, set()).update(days)


@event.listens_for(Session, "before_commit")
def _refresh_noted(session: Session) -> None:
    noted: dict[str, set[date]] | None = session.info.pop(_NOTED, None)
    for store_id in sorted(noted or {}):  # one lock order for every transaction
        refresh_aggregates(session, store_id, noted[store_id])  # type: ignore[index]


@event.listens_for(Session, "after_rollback")
def _forget_noted(session: Session) -> None:
    session.info.pop(_NOTED, None)
