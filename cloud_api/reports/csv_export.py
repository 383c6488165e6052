"""Reports as CSV: one table, a `section` column saying which breakdown a row belongs to.

Every cell goes through `cell`: text that a spreadsheet would run as a formula (it starts
with `=`, `+`, `-`, `@`, a tab or a carriage return: a product, store or driver name
typed by someone) gets a leading apostrophe, so it shows as typed and runs nothing.
Numbers, negative ones too, stay numbers.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def cell(value: Any) -> Any:
    """A value as a CSV cell that no spreadsheet will run."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def table(sections: list[tuple[str, list[dict[str, Any]]]]) -> str:
    columns: list[str] = ["section"]
    for _, rows in sections:
        for row in rows:
            columns.extend(k for k in row if k not in columns)
    out = io.StringIO()
    # RFC 4180 line ends: a cell holding a CR or LF is then quoted, never a new row.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cell(c) for c in columns])
    for name, rows in sections:
        for row in rows:
            values = {"section": name, **row}
            writer.writerow([cell(values.get(c)) for c in columns])
    return out.getvalue()


def sales(report: dict[str, Any]) -> str:
    return table(
        [
            ("totals", [report["totals"]]),
            ("day", report["by_day"]),
            ("hour", report["by_hour"]),
            ("channel", report["by_channel"]),
            ("service", report["by_service"]),
            ("store", report["by_store"]),
            ("product", report["product_mix"]),
            ("coupon", report["discounts"]),
        ]
    )


def inventory(report: dict[str, Any]) -> str:
    rows = [{"store_code": s["store_code"], **item} for s in report["stores"] for item in s["items"]]
    totals = [{"store_code": s["store_code"], **s["totals"]} for s in report["stores"]]
    return table([("item", rows), ("store", totals)])


def delivery(report: dict[str, Any]) -> str:
    return table([("store", report["by_store"]), ("driver", report["by_driver"])])


def food_cost(report: dict[str, Any]) -> str:
    league = [
        {"rank": s["rank"], "store_code": s["store_code"], "store_name": s["store_name"], **s["totals"]}
        for s in report["stores"]
    ]
    return table([("store", league)])
