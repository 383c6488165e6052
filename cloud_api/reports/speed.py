"""Speed of service per store and daypart: make, oven, rack, out-the-door and delivery times
against the store's targets, with the integrity figures beside them. Voided orders are left out.

The integrity figures are the store's own flags, raised where the facts are
(`makeline.trade.integrity`) and carried up with the events: bumps too early to be real,
deliveries marked sooner than the drive could take, tickets bumped and recalled again and
again; the integrity figure is the share of orders with none of them.

The sums per store and daypart come from the aggregates (`report_sales_hour`, kept as events
arrive, its hours folded into dayparts in the query; `reports.raw.speed_parts` is the
reference), so averages are exact and the answer stays small; `fold` sets those sums against
each store's targets and adds the whole day, free of I/O.

Each store is held to its own targets (its settings on the Stores page); a target it has not
set is the store's default (`TARGETS`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.orm import Session

from cloud_api.auth.principal import Principal
from cloud_api.models import Store
from cloud_api.reports import repository
from cloud_api.reports.dayparts import DAYPARTS
from cloud_api.reports.period import business_day, period
from cloud_api.reports.service import scope
from cloud_api.reports.source import Figures
from cloud_api.stores.service import list_stores
from makeline.trade.integrity import EARLY_BUMP_S, QUICK_SHARE, QUICKEST_DRIVE_S, REPEATED_RECALLS

# The store's default settings (`store_db.models.store.Store`) and the trade's yardsticks.
TARGETS: dict[str, int] = {
    "make": 60,  # make_target_s
    "oven": 360,  # oven_s: fixed by the conveyor
    "rack": 300,  # rack_target_s
    "out_the_door": 15 * 60,
    "delivery": 35 * 60,
}
# The store's settings of the same names, as the cloud holds them (Stores page).
STORE_SETTING = {
    "make": "make_target_s",
    "oven": "oven_s",
    "rack": "rack_target_s",
    "out_the_door": "out_the_door_target_s",
    "delivery": "delivery_target_s",
}
MEASURES = tuple(TARGETS)


def targets(store: Store) -> dict[str, int]:
    found = dict(TARGETS)
    for measure, setting in STORE_SETTING.items():
        value = getattr(store, setting, None)
        if isinstance(value, int) and value > 0:
            found[measure] = value
    return found


_TENTH = Decimal("0.1")


def _minutes(seconds: Decimal | int, count: int) -> float | None:
    if not count:
        return None
    return float((Decimal(seconds) / (count * 60)).quantize(_TENTH, rounding=ROUND_HALF_UP))


# What a row adds up, in this order: the flags, then seconds and count per measure.
_FLAGS = ("orders", "early_bumps", "quick_deliveries", "repeated_recalls", "flagged")
_FIELDS = (*_FLAGS, *(f"{m}_{x}" for m in MEASURES for x in ("s", "n")))
# Per measure: where its seconds are in `_FIELDS` (its count follows), and the names it shows.
_SHOWN = tuple(
    (len(_FLAGS) + 2 * n, f"{m}_min", f"{m}_target_min", f"{m}_over") for n, m in enumerate(MEASURES)
)


def _exact(value: Any) -> Any:
    return Decimal(str(value)) if isinstance(value, float) else value or 0


class _Sums:
    """Exact sums of rows (seconds are Decimal, counts int), in `_FIELDS` order."""

    def __init__(self) -> None:
        self.total: list[Any] = [0] * len(_FIELDS)

    def add(self, row: Mapping[str, Any]) -> None:
        self.total = [a + _exact(row[name]) for a, name in zip(self.total, _FIELDS, strict=True)]

    def merge(self, other: _Sums) -> None:
        self.total = [a + b for a, b in zip(self.total, other.total, strict=True)]

    def row(self, goal: Sequence[tuple[float, float]]) -> dict[str, Any]:
        """Against the store's targets in minutes per measure: as shown, and exact."""
        sums = self.total
        orders = int(sums[0])
        found: dict[str, Any] = {"orders": orders}
        for (at, shown, target, over), (target_min, limit) in zip(_SHOWN, goal, strict=True):
            minutes = _minutes(sums[at], int(sums[at + 1]))
            found[shown] = minutes
            found[target] = target_min
            found[over] = minutes is not None and minutes > limit
        found["early_bumps"] = int(sums[1])
        found["implausible_deliveries"] = int(sums[2])
        found["repeated_recalls"] = int(sums[3])
        found["integrity_pct"] = integrity_pct(orders, int(sums[4]))
        return found


def integrity_pct(orders: int, flagged: int) -> float | None:
    """The share of orders with no honest-timer flag, in percent to one decimal."""
    if not orders:
        return None
    share = Decimal(orders - min(flagged, orders)) * 100 / orders
    return float(share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def fold(rows: Iterable[Mapping[str, Any]], stores: Sequence[Store]) -> list[dict[str, Any]]:
    """Per-store, per-daypart sums → one row per store and daypart, then one for the store's
    whole period, each against that store's targets."""
    parts: dict[tuple[str, str], _Sums] = defaultdict(_Sums)
    for row in rows:
        parts[(row["store_id"], row["daypart"])].add(row)
    found = []
    for store in stores:
        here = [(part, parts[(store.id, part)]) for part in DAYPARTS if (store.id, part) in parts]
        if not here:
            continue
        found_goal = targets(store)
        goal, whole = [(round(found_goal[m] / 60, 1), found_goal[m] / 60) for m in MEASURES], _Sums()
        for part, sums in here:
            found.append(_named(store, part, sums.row(goal)))
            whole.merge(sums)
        found.append(_named(store, "whole day", whole.row(goal)))
    return found


def _named(store: Store, part: str, row: dict[str, Any]) -> dict[str, Any]:
    return {"store_id": store.id, "store_code": store.code, "store_name": store.name, "daypart": part} | row


def speed(
    session: Session,
    caller: Principal,
    store_id: str | None,
    first: date | None,
    last: date | None,
    source: Figures = repository,
) -> dict[str, Any]:
    """Speed of service for the stores the caller may see (one store, or the chain)."""
    stores = scope(session, caller, store_id)
    covered = list(stores) if stores is not None else list(list_stores(session))
    now = datetime.now(UTC)
    today = max((business_day(s.timezone, s.day_starts_hour, now) for s in covered), default=now.date())
    span = period(first, last, today)
    ids = [s.id for s in stores] if stores is not None else None
    return {
        "store_id": store_id,
        "from": span.first.isoformat(),
        "to": span.last.isoformat(),
        "thresholds": {
            "early_bump_s": EARLY_BUMP_S,
            "quick_delivery_share": QUICK_SHARE,
            "quickest_drive_s": QUICKEST_DRIVE_S,
            "repeated_recalls": REPEATED_RECALLS,
        },
        "rows": fold(source.speed_parts(session, ids, span), covered),
    }
