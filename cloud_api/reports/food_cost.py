"""Food cost per store: its items' ideal vs actual usage between counts, in money at each
store's own latest cost, set against its net sales; and the chain's league table of stores by
variance as a share of sales. The figures come from a `reports.source.Figures`."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import String, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from cloud_api.inventory.terms import Price
from cloud_api.models import InventoryItem, Store, StoreStock
from cloud_api.reports.period import Period
from cloud_api.reports.source import Figures
from cloud_api.reports.variance import FoodCostTotals, Item


def pct(cents: int, sales: int) -> str | None:
    """A share of net sales as the store prints it: percent, two decimals, half up."""
    if sales <= 0:
        return None
    return str((Decimal(cents) * 100 / Decimal(sales)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def prices(session: Session, store_ids: Sequence[str]) -> dict[str, dict[str, Item]]:
    """Each store's priced items (name, counting unit, latest cost), in one query."""
    names = {code: name for code, name in session.execute(select(InventoryItem.code, InventoryItem.name))}
    found: dict[str, dict[str, Item]] = {i: {} for i in store_ids}
    rows = session.execute(
        select(
            StoreStock.store_id,
            StoreStock.code,
            StoreStock.count_size,
            StoreStock.purchase_size,
            StoreStock.cost_cents_per_purchase,
            StoreStock.count_unit,
            StoreStock.base_unit,
        ).where(
            # One array parameter, not one per store: the chain's 2,000 stores stay one short query.
            StoreStock.store_id == any_(bindparam("stores", list(store_ids), type_=ARRAY(String))),
            StoreStock.cost_cents_per_purchase.is_not(None),
        )
    )
    for store_id, code, count_size, purchase_size, cost, count_unit, base_unit in rows:
        price = Price(count_size, purchase_size, cost or 0)  # never None: filtered above
        found[store_id][code] = Item(names.get(code, code), count_unit or "each", base_unit, price)
    return found


def _totals(found: FoodCostTotals) -> dict[str, Any]:
    net = found.net_sales_cents
    return {
        "net_sales_cents": net,
        "ideal_cents": found.ideal_cents,
        "actual_cents": found.actual_cents,
        "waste_cents": found.waste_cents,
        "variance_cents": found.variance_cents,
        "ideal_food_cost_pct": pct(found.ideal_cents, net),
        "actual_food_cost_pct": pct(found.actual_cents, net),
        "variance_pct_of_sales": pct(found.variance_cents, net),
    }


def _named(store: Store) -> dict[str, Any]:
    return {"store_id": store.id, "store_code": store.code, "store_name": store.name}


def store_variances(
    session: Session, stores: Sequence[Store], span: Period, source: Figures
) -> list[dict[str, Any]]:
    """The inventory report's stores: totals and items, in the order given."""
    found = source.variances(session, stores, span, prices(session, [s.id for s in stores]))
    return [
        _named(s)
        | {"totals": _totals(FoodCostTotals.of(*found[s.id])), "items": [r.row() for r in found[s.id][0]]}
        for s in stores
    ]


def store_totals(
    session: Session, stores: Sequence[Store], span: Period, source: Figures
) -> list[dict[str, Any]]:
    """The league table's stores: totals and how many items each counted (a store's items are
    its inventory report, the drill-down), in the order given."""
    found = source.food_cost_totals(session, stores, span)
    return [_named(s) | {"totals": _totals(found[s.id]), "counted_items": found[s.id].items} for s in stores]


def league(per_store: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stores by variance as a share of net sales, worst first; stores without sales (no share
    to rank by) last, by money lost."""

    def rank(row: dict[str, Any]) -> tuple[int, Decimal, int, str]:
        share = row["totals"]["variance_pct_of_sales"]
        lost = row["totals"]["variance_cents"]
        return (share is None, -Decimal(share or 0), -lost, row["store_code"])

    return [{"rank": n} | row for n, row in enumerate(sorted(per_store, key=rank), start=1)]
