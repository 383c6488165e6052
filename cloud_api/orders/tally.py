"""A new online order added to its store's report aggregates, instead of recomputing the day.

The reports' own statements (`cloud_api.reports.refresh`), narrowed to the one order and
added to the aggregate rows (`ON CONFLICT … DO UPDATE SET x = x + excluded.x`): every
aggregate is a sum or a count, so adding one order's share gives what the day's recompute
would. A newly placed order has no kitchen, driver or stock stamps yet, so only the sales
hours, the product mix and the coupons change. The store's refresh lock is taken first, as
a recompute takes it (and, as there, after every row lock of the transaction), so a recompute
of the same store never interleaves with the addition.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table

from cloud_api.models import CouponDay, ProductDay, SalesHour
from cloud_api.orders.rows import Statement
from cloud_api.reports.refresh import _LOCK_SPACE, COUPON_DAY, PRODUCT_DAY, SALES_HOUR


def _added(statement: str, model: type[Any], name: str) -> str:
    table = cast(Table, model.__table__)
    keys = [c.name for c in table.primary_key.columns]
    sums = [c.name for c in table.columns if c.name not in keys]
    columns = ", ".join(c.name for c in table.columns)
    insert = statement.format(scope="o.store_id = %(store_id)s AND o.id = %(order_id)s", **{name: columns})
    adding = ", ".join(f"{c} = {table.name}.{c} + excluded.{c}" for c in sums)
    return f"{insert.rstrip()}\nON CONFLICT ({', '.join(keys)}) DO UPDATE SET {adding}"


_ADD = (
    "WITH "
    + ",\n".join(
        f"s{n} AS ({_added(statement, model, name)})"
        for n, (statement, model, name) in enumerate(
            [
                (SALES_HOUR, SalesHour, "sales_hour"),
                (PRODUCT_DAY, ProductDay, "product_day"),
                (COUPON_DAY, CouponDay, "coupon_day"),
            ]
        )
    )
    + " SELECT 1"
)
# The store's lock, then the order's share: two statements, sent after the order's write.
NEW_ORDER = (
    Statement(f"SELECT pg_advisory_xact_lock({_LOCK_SPACE}, hashtext(%(store_id)s))".encode(), {}),
    Statement(_ADD.encode(), {}),
)


def new_order(store_id: str, order_id: str) -> dict[str, Any]:
    """`NEW_ORDER`'s parameters for the new order."""
    return {"store_id": store_id, "order_id": order_id}
