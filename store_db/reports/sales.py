"""The store's sales for a period of business days.

Voided orders are not sales: they are counted apart. Net sales = gross (the
lines' prices) − discounts; tax and tips are reported beside, never inside.
The JSON shape is shared with the cloud's `GET /reports/sales`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from store_db.errors import InvalidDate
from store_db.models import Order, OrderLine, Store


def _bucket() -> dict[str, int]:
    return {"orders": 0, "gross_cents": 0, "discount_cents": 0, "net_sales_cents": 0}


def sales_report(session: Session, start: date, end: date) -> dict[str, Any]:
    if end < start:
        raise InvalidDate(f"The period ends ({end}) before it starts ({start}); swap --from and --to.")
    store = session.scalars(select(Store)).one()
    orders = session.scalars(
        select(Order).where(Order.business_date >= start, Order.business_date <= end)
    ).all()
    totals = {**_bucket(), "tax_cents": 0, "tips_cents": 0, "total_cents": 0, "voids": 0, "voided_cents": 0}
    by_channel: dict[str, dict[str, int]] = defaultdict(_bucket)
    by_service: dict[str, dict[str, int]] = defaultdict(_bucket)
    by_day: dict[str, dict[str, int]] = defaultdict(_bucket)
    sold: list[str] = []
    for order in orders:
        if order.stage == "voided":
            totals["voids"] += 1
            totals["voided_cents"] += order.total
            continue
        sold.append(order.id)
        net = order.subtotal - order.discount
        for bucket in (
            totals,
            by_channel[order.channel],
            by_service[order.service],
            by_day[order.business_date.isoformat()],
        ):
            bucket["orders"] += 1
            bucket["gross_cents"] += order.subtotal
            bucket["discount_cents"] += order.discount
            bucket["net_sales_cents"] += net
        totals["tax_cents"] += order.tax
        totals["tips_cents"] += order.tip
        totals["total_cents"] += order.total
    mix: dict[tuple[str, str], dict[str, Any]] = {}
    if sold:
        lines = session.execute(
            select(
                OrderLine.product, OrderLine.name, OrderLine.size, OrderLine.quantity, OrderLine.line_total
            )
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.business_date >= start, Order.business_date <= end, Order.stage != "voided")
        )
        for product, name, size, quantity, line_total in lines:
            row = mix.setdefault(
                (product, size),
                {"product": product, "name": name, "size": size, "quantity": 0, "gross_cents": 0},
            )
            row["quantity"] += quantity
            row["gross_cents"] += line_total
    return {
        "store": {"id": store.id, "code": store.code, "name": store.name, "timezone": store.timezone},
        "from": start.isoformat(),
        "to": end.isoformat(),
        "totals": totals,
        "by_channel": dict(sorted(by_channel.items())),
        "by_service": dict(sorted(by_service.items())),
        "by_day": dict(sorted(by_day.items())),
        "product_mix": sorted(mix.values(), key=lambda r: (-r["quantity"], r["product"], r["size"])),
    }


def money(cents: int) -> str:
    return f"${cents / 100:,.2f}"


def render_text(report: dict[str, Any]) -> str:
    t = report["totals"]
    lines = [
        f"{report['store']['name']} — sales {report['from']} to {report['to']}",
        f"  orders          {t['orders']:>10}",
        f"  gross           {money(t['gross_cents']):>10}",
        f"  discounts       {money(t['discount_cents']):>10}",
        f"  net sales       {money(t['net_sales_cents']):>10}",
        f"  tax             {money(t['tax_cents']):>10}",
        f"  tips            {money(t['tips_cents']):>10}",
        f"  voids           {t['voids']:>10}  ({money(t['voided_cents'])})",
        "  by channel:",
    ]
    lines += [
        f"    {k:<14}{v['orders']:>6}  {money(v['net_sales_cents']):>12}"
        for k, v in report["by_channel"].items()
    ]
    lines.append("  by service:")
    lines += [
        f"    {k:<14}{v['orders']:>6}  {money(v['net_sales_cents']):>12}"
        for k, v in report["by_service"].items()
    ]
    lines.append("  product mix (top 15):")
    lines += [
        f"    {r['name']:<26}{r['size']:<6}{r['quantity']:>6}  {money(r['gross_cents']):>12}"
        for r in report["product_mix"][:15]
    ]
    return "\n".join(lines)
