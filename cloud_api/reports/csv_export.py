"""Reports as CSV: one table, a `section` column saying which breakdown a row belongs to."""

from __future__ import annotations

import csv
import io
from typing import Any


def table(sections: list[tuple[str, list[dict[str, Any]]]]) -> str:
    columns: list[str] = ["section"]
    for _, rows in sections:
        for row in rows:
            columns.extend(k for k in row if k not in columns)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for name, rows in sections:
        for row in rows:
            writer.writerow({"section": name, **{k: "" if v is None else v for k, v in row.items()}})
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
