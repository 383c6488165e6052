"""The store's sales for a period of business days, in the report shape it shares with
the cloud (`makeline.trade.sales.SalesReport`)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from makeline.trade.sales import (
    ChannelSales,
    CouponSales,
    DaySales,
    HourSales,
    ProductSales,
    Sales,
    SalesReport,
    SalesTotals,
    ServiceSales,
)
from store_db.errors import InvalidDate
from store_db.models import Order, OrderLine, Store

_FIGURES = (
    "orders",
    "gross_cents",
    "discount_cents",
    "net_sales_cents",
    "tax_cents",
    "tip_cents",
    "total_cents",
)


def _add(bucket: dict[str, int], order: Order) -> None:
    bucket["orders"] += 1
    bucket["gross_cents"] += order.subtotal
    bucket["discount_cents"] += order.discount
    bucket["net_sales_cents"] += order.subtotal - order.discount
    bucket["tax_cents"] += order.tax
    bucket["tip_cents"] += order.tip
    bucket["total_cents"] += order.total


def _figures() -> dict[str, int]:
    return dict.fromkeys(_FIGURES, 0)


def sales_report(session: Session, start: date, end: date) -> SalesReport:
    if end < start:
        raise InvalidDate(f"The period ends ({end}) before it starts ({start}); swap --from and --to.")
    store = session.scalars(select(Store)).one()
    zone = ZoneInfo(store.timezone)
    orders = session.scalars(
        select(Order).where(Order.business_date >= start, Order.business_date <= end)
    ).all()
    totals = _figures()
    voided = voided_cents = 0
    groups: dict[str, dict[object, dict[str, int]]] = {
        name: defaultdict(_figures) for name in ("day", "hour", "channel", "service")
    }
    coupons: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for order in orders:
        if order.stage == "voided":
            voided += 1
            voided_cents += order.total
            continue
        _add(totals, order)
        _add(groups["day"][order.business_date], order)
        _add(groups["hour"][order.placed_at.astimezone(zone).hour], order)
        _add(groups["channel"][order.channel], order)
        _add(groups["service"][order.service], order)
        if order.coupon:
            coupons[order.coupon][0] += 1
            coupons[order.coupon][1] += order.discount
    mix: dict[tuple[str, str, str | None], list[int]] = defaultdict(lambda: [0, 0])
    lines = session.execute(
        select(OrderLine.product, OrderLine.name, OrderLine.size, OrderLine.quantity, OrderLine.line_total)
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.business_date >= start, Order.business_date <= end, Order.stage != "voided")
    )
    for product, name, size, quantity, line_total in lines:
        mix[(product, name, size)][0] += quantity
        mix[(product, name, size)][1] += line_total

    def rows(name: str) -> list[tuple[object, dict[str, int]]]:
        return sorted(groups[name].items(), key=lambda kv: str(kv[0]).zfill(2))

    return SalesReport(
        store_id=store.id,
        store_name=store.name,
        first=start,
        last=end,
        totals=SalesTotals(**totals, voided_orders=voided, voided_cents=voided_cents),
        by_day=[DaySales(date=k, **v) for k, v in rows("day")],
        by_hour=[HourSales(hour=k, **v) for k, v in rows("hour")],
        by_channel=[ChannelSales(channel=str(k), **v) for k, v in rows("channel")],
        by_service=[ServiceSales(service=str(k), **v) for k, v in rows("service")],
        product_mix=[
            ProductSales(product=p, name=n, size=s, quantity=q, sales_cents=c)
            for (p, n, s), (q, c) in sorted(mix.items(), key=lambda kv: (-kv[1][1], kv[0][0], kv[0][2] or ""))
        ],
        discounts=[
            CouponSales(coupon=k, orders=n, discount_cents=c) for k, (n, c) in sorted(coupons.items())
        ],
    )


__all__ = ["Sales", "SalesReport", "sales_report"]
