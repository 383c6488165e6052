"""The orders' ideal usage (`stock_usage`, `models.IdealUsage`): one row an order's make or
void, its lines as arrays in step, written in one statement for a batch and read back a line
a row (`LINES`) wherever the stock ledger is summed.

A dozen rows an order, as `stock_movement` had them, were a heap tuple and a key entry a line;
one row an order took the WAL an evening's events write from 2.51 to 1.91 KB an event and the
applier's PostgreSQL CPU from 0.049 to 0.036 ms an event (`benchmarks/bench_apply.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Table, text

from cloud_api.db.records import recordset
from cloud_api.inventory.terms import Line
from cloud_api.models import IdealUsage

_COLUMNS = ("store_id", "at", "reference", "codes", "quantities", "costs")

# Rows (`row`, one JSON document as `rows`) in one statement, however many.
INSERT = text(
    f"INSERT INTO stock_usage ({', '.join(_COLUMNS)}) SELECT {', '.join(_COLUMNS)} "
    f"FROM {recordset(cast(Table, IdealUsage.__table__), _COLUMNS, 'rows')}"
)

# Every usage line, a row each, as `stock_movement`'s columns (store_id, code, quantity, at):
# the stores' and moments' conditions of a statement reading it reach the table's key.
LINES = (
    "(SELECT s.store_id, u.code, u.quantity, s.at FROM stock_usage s "
    "CROSS JOIN LATERAL unnest(s.codes, s.quantities) AS u (code, quantity))"
)


def row(store_id: str, lines: Sequence[Line], reference: str, at: datetime) -> dict[str, object]:
    """One usage event's row."""
    return {
        "store_id": store_id,
        "at": at,
        "reference": reference,
        "codes": [line.code for line in lines],
        "quantities": [line.quantity for line in lines],
        "costs": [line.cost_cents for line in lines],
    }
