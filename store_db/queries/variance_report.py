"""The food-cost variance report: per item over the period between the last two counts.

The closing count is the latest finalised count; each item on it opens at its
own previous count (a weekly item skips the daily counts it is not on). With
only one count so far the period runs from it to now, and actual usage and
variance are unknown until the next count. Sales are the net sales (subtotal −
discounts) of orders made in the period and not voided. Quantities are in each
item's counting unit, as exact text; money in cents; sorted by money lost.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from makeline.trade.units import fmt_qty
from makeline.trade.variance import (
    FoodCost,
    ItemPeriod,
    VarianceLine,
    by_money_lost,
    expected_on_hand,
    food_cost,
    suggested_order,
    variance_line,
)
from store_db.errors import NoCount
from store_db.models import Order, StockCount, StockCountLine, Store
from store_db.queries import stock_ledger as ledger

ZERO = Decimal(0)


def net_sales(session: Session, after: datetime, upto: datetime) -> int:
    value = session.scalar(
        select(func.coalesce(func.sum(Order.subtotal - Order.discount), 0)).where(
            Order.made_at > after, Order.made_at <= upto, Order.stage != "voided"
        )
    )
    return int(value or 0)


def _pct(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _q(item: ledger.StockItem, base: Decimal | None) -> str | None:
    return None if base is None else fmt_qty(item.units.to_count(base))


def _row(item: ledger.StockItem, line: VarianceLine) -> dict[str, Any]:
    p = line.period
    return {
        "code": item.code,
        "name": item.units.name,
        "unit": item.units.count_unit,
        "ideal": _q(item, p.ideal),
        "actual": _q(item, line.actual),
        "variance": _q(item, line.variance),
        "variance_cents": line.variance_cents,
        "opening": _q(item, p.opening),
        "received": _q(item, p.received),
        "waste": _q(item, p.wasted),
        "closing": _q(item, p.closing),
        "ideal_cents": line.ideal_cents,
        "actual_cents": line.actual_cents,
        "waste_cents": line.waste_cents,
        "base_unit": item.units.base_unit,
        "variance_base": str(line.variance),
    }


def _open_row(item: ledger.StockItem, opening: Decimal, moved: tuple[Decimal, ...]) -> dict[str, Any]:
    received, wasted, used = moved
    return {
        "code": item.code,
        "name": item.units.name,
        "unit": item.units.count_unit,
        "ideal": _q(item, used),
        "actual": None,
        "variance": None,
        "variance_cents": None,
        "opening": _q(item, opening),
        "received": _q(item, received),
        "waste": _q(item, wasted),
        "closing": None,
        "expected": _q(item, expected_on_hand(opening, received, wasted, used)),
        "ideal_cents": item.price.value(used),
        "base_unit": item.units.base_unit,
    }


def low_stock(session: Session, items: dict[str, ledger.StockItem], at: datetime) -> list[dict[str, Any]]:
    """Items under par now, with the order (in purchase units) that brings them back to par."""
    active = [i for i in items.values() if i.active and i.par > 0]
    held = ledger.on_hand(session, at, [i.code for i in active])
    rows = []
    for item in sorted(active, key=lambda i: i.code):
        units = item.units
        on_hand = held[item.code]
        if units.to_count(on_hand) >= item.par:
            continue
        order = suggested_order(
            on_hand, item.par, units.per_unit[units.count_unit], units.per_unit[units.purchase_unit]
        )
        rows.append(
            {
                "code": item.code,
                "name": units.name,
                "unit": units.count_unit,
                "on_hand": fmt_qty(units.to_count(on_hand)),
                "par": fmt_qty(item.par),
                "suggested_order": order,
                "purchase_unit": units.purchase_unit,
            }
        )
    return rows


def _totals(cost: FoodCost) -> dict[str, Any]:
    return {
        "net_sales_cents": cost.net_sales_cents,
        "ideal_cents": cost.ideal_cents,
        "actual_cents": cost.actual_cents,
        "waste_cents": cost.waste_cents,
        "variance_cents": cost.variance_cents,
        "ideal_food_cost_pct": _pct(cost.ideal_pct),
        "actual_food_cost_pct": _pct(cost.actual_pct),
        "variance_pct_of_sales": _pct(cost.variance_pct),
    }


def variance_report(session: Session, now: datetime) -> dict[str, Any]:
    store = session.scalars(select(Store)).one()
    counts = session.scalars(
        select(StockCount)
        .where(StockCount.state == ledger.FINALISED)
        .order_by(StockCount.started_at.desc())
        .limit(2)
    ).all()
    if not counts:
        raise NoCount(
            "There is no finalised stock count yet; count the shelves first "
            "(the count screen, or makeline stock count --csv FILE)."
        )
    items = ledger.catalog(session)
    closing = counts[0] if len(counts) == 2 else None
    opening_count = counts[1] if closing else counts[0]
    upto = closing.started_at if closing else now
    report: dict[str, Any] = {
        "store": {
            "id": store.id,
            "code": store.code,
            "name": store.name,
            "timezone": store.timezone,
        },
        "from": opening_count.started_at.isoformat(),
        "to": upto.isoformat(),
        "opening_count": opening_count.id,
        "closing_count": closing.id if closing else None,
    }
    if closing is None:
        openings = ledger.last_counts(session, before=upto)
        rows = []
        by_moment = _group(openings, [c for c in openings if openings[c].count_id == opening_count.id])
        for moment, codes in by_moment.items():
            moved = ledger.movements(session, moment, upto, codes)
            rows += [_open_row(items[c], openings[c].on_hand, moved.of(c)) for c in codes]
        rows.sort(key=lambda r: (-r["ideal_cents"], r["code"]))
        report.update(
            items=rows,
            totals={"net_sales_cents": net_sales(session, opening_count.started_at, upto)},
        )
    else:
        closing_lines = {
            line.item: line.on_hand
            for line in session.scalars(select(StockCountLine).where(StockCountLine.count_id == closing.id))
        }
        openings = ledger.last_counts(session, before=closing.started_at)
        counted = [c for c in closing_lines if c in openings]
        lines: list[VarianceLine] = []
        for moment, codes in _group(openings, counted).items():
            moved = ledger.movements(session, moment, upto, codes)
            for code in codes:
                received, wasted, used = moved.of(code)
                item = items[code]
                units = item.units
                lines.append(
                    variance_line(
                        ItemPeriod(
                            code=code,
                            name=units.name,
                            count_unit=units.count_unit,
                            count_size=units.per_unit[units.count_unit],
                            price=item.price,
                            opening=openings[code].on_hand,
                            received=received,
                            wasted=wasted,
                            ideal=used,
                            closing=closing_lines[code] or ZERO,
                        )
                    )
                )
        ordered = by_money_lost(lines)
        cost = food_cost(ordered, net_sales(session, opening_count.started_at, upto))
        report.update(
            items=[_row(items[v.code], v) for v in ordered],
            totals=_totals(cost),
            not_comparable=sorted(c for c in closing_lines if c not in openings),
        )
    report["low_stock"] = low_stock(session, items, now)
    return report


def _group(openings: dict[str, ledger.LastCount], codes: Iterable[str]) -> dict[datetime, list[str]]:
    groups: dict[datetime, list[str]] = {}
    for code in codes:
        groups.setdefault(openings[code].moment, []).append(code)
    return groups


def money(cents: int | None) -> str:
    return "" if cents is None else f"${cents / 100:,.2f}"


def render_text(report: dict[str, Any]) -> str:
    """The report for a screen or a printer: 80 columns."""
    t = report["totals"]
    lines = [f"{report['store']['name']} — food-cost variance {report['from'][:16]} to {report['to'][:16]}"]
    if report["closing_count"] is None:
        lines.append("  one count so far: actual usage and variance come with the next count")
    else:
        lines += [
            f"  net sales {money(t['net_sales_cents'])}   ideal food cost {money(t['ideal_cents'])} "
            f"({t['ideal_food_cost_pct'] or '-'}%)   actual {money(t['actual_cents'])} "
            f"({t['actual_food_cost_pct'] or '-'}%)",
            f"  variance {money(t['variance_cents'])} ({t['variance_pct_of_sales'] or '-'}% of sales)"
            f"   waste {money(t['waste_cents'])}",
        ]
    lines.append(f"  {'item':<26}{'unit':<7}{'ideal':>10}{'actual':>10}{'variance':>10}{'money':>12}")
    for row in report["items"]:
        lines.append(
            f"  {row['name'][:25]:<26}{row['unit']:<7}{row['ideal']:>10}{row['actual'] or '-':>10}"
            f"{row['variance'] or '-':>10}{money(row['variance_cents']) or '-':>12}"
        )
    if report["low_stock"]:
        lines.append("  low stock (under par) — suggested order:")
        lines += [
            f"    {r['name'][:30]:<32}{r['on_hand']:>8} / {r['par']:<6}{r['unit']:<8}"
            f"order {r['suggested_order']} {r['purchase_unit']}"
            for r in report["low_stock"]
        ]
    return "\n".join(lines)
