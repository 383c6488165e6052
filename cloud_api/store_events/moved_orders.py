"""The orders a chunk of store events moved along, written in one statement.

The lifecycle's rules (`progress.advance`, `.void`, `.fired`, …) change the chunk's loaded
orders in memory, event by event, exactly as they always have; what they changed is written
here as one `UPDATE orders … FROM unnest(…)` per chunk instead of one `UPDATE` per order at
the flush. Only orders whose changes all lie among the lifecycle's columns are written so;
anything else (an online order linked to the store's id, a driver set) stays with the flush.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import inspect, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from cloud_api.models import Order
from makeline.trade.lifecycle import STAMP, Stage

_TEXT = (
    "stage",
    "tracked_status",
    "void_reason",
    "cancel_state",
    "cancel_reason",
)
# The stage stamps (placed_at among them: never changed after the order is born).
_TIME = (
    "updated_at",
    "in_store_at",
    "fired_at",
    *(STAMP[stage] for stage in Stage if stage is not Stage.PLACED),
)
_FLAG = ("flagged_early_bump", "flagged_quick_delivery", "flagged_repeated_recall")
_COLUMNS = (*_TEXT, *_TIME, *_FLAG)
_WRITABLE = frozenset(_COLUMNS)

_SQL_TYPE = {
    **dict.fromkeys(_TEXT, "text"),
    **dict.fromkeys(_TIME, "timestamptz"),
    **dict.fromkeys(_FLAG, "boolean"),
}
_UPDATE = text(
    "UPDATE orders AS o SET "
    + ", ".join(f"{c} = v.{c}" for c in _COLUMNS)
    + " FROM unnest(CAST(:id AS text[]), "
    + ", ".join(f"CAST(:{c} AS {_SQL_TYPE[c]}[])" for c in _COLUMNS)
    + ") AS v(id, "
    + ", ".join(_COLUMNS)
    + ") WHERE o.id = v.id"
)


def _moved(order: Order) -> bool:
    """The order changed, and only in the lifecycle's columns."""
    state = inspect(order)
    # What was set since the load (a value set again to itself included: written the same).
    changed = state.committed_state.keys()
    return state.persistent and bool(changed) and changed <= _WRITABLE


def write_moved(session: Session, orders: Iterable[Order]) -> int:
    """Write the orders among `orders` that the lifecycle moved along, in one statement, and
    tell the session they are written (its flush then leaves them be). Returns how many."""
    moved = {order.id: order for order in orders if _moved(order)}
    if not moved:
        return 0
    rows = list(moved.values())
    values: dict[str, list[str | datetime | bool | None]] = {"id": [o.id for o in rows]}
    for column in _COLUMNS:
        values[column] = [getattr(o, column) for o in rows]
    session.connection().execute(_UPDATE, values)
    for order in rows:
        for column in _COLUMNS:
            set_committed_value(order, column, getattr(order, column))
    return len(rows)
