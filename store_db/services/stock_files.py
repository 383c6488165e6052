"""Count sheets and handheld files as CSV: reading count and invoice files, writing the sheet.

Columns are found by their header, in any order; other columns are ignored,
so a filled-in count sheet is itself a count file.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from makeline.trade.costing import round_cents
from makeline.trade.units import fmt_qty, parse_decimal
from store_db.errors import BadInput
from store_db.queries.count_sheet import SheetLine
from store_db.services.receiving import ReceiptLineIn

SHEET_COLUMNS = ("code", "name", "unit", "quantity", "storage_area", "units")


def read_table(path: Path, needed: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) for every non-blank row; a missing column or file says which."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise BadInput(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    reader = csv.DictReader(text.splitlines())
    headers = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in needed if c not in headers]
    if missing:
        raise BadInput(
            f"{path} has no {', '.join(missing)} column; its first line must name the columns "
            f"({', '.join(needed)})."
        )
    rows = []
    for n, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
        if any(row.values()):
            rows.append((n, row))
    if not rows:
        raise BadInput(f"{path} has no lines under its header.")
    return rows


def count_entries(path: Path) -> list[tuple[str, str, str | None]]:
    """(code, quantity, unit) rows of a count file; quantity may be "2 case + 3 bag"."""
    entries = []
    for n, row in read_table(path, ("code", "quantity")):
        if not row["code"]:
            raise BadInput(f"{path} line {n}: the code is empty.")
        if not row["quantity"]:
            raise BadInput(f"{path} line {n}: no quantity for {row['code']}; enter 0 if there is none.")
        entries.append((row["code"], row["quantity"], row.get("unit") or None))
    return entries


def receipt_lines(path: Path) -> list[ReceiptLineIn]:
    """Invoice lines: code, quantity, unit (default the purchase unit), and the line's cost as
    `cost` in dollars (84.00) or `cost_cents` (8400)."""
    rows = read_table(path, ("code", "quantity"))
    lines = []
    for n, row in rows:
        if row.get("cost_cents"):
            cents = parse_decimal(row["cost_cents"], f"{path} line {n} cost_cents")
        elif row.get("cost"):
            cents = parse_decimal(row["cost"].replace("$", "").replace(",", ""), f"{path} line {n} cost")
            cents *= 100
        else:
            raise BadInput(f"{path} line {n}: no cost for {row['code']}; add a cost or cost_cents column.")
        if cents != cents.to_integral_value():
            raise BadInput(f"{path} line {n}: the cost must be whole cents.")
        lines.append(
            ReceiptLineIn(row["code"], row["quantity"], row.get("unit") or None, round_cents(Decimal(cents)))
        )
    return lines


def write_sheet(out: TextIO, lines: Iterable[SheetLine]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SHEET_COLUMNS)
    for line in lines:
        writer.writerow(
            [
                line.code,
                line.name,
                line.unit,
                fmt_qty(line.expected),
                line.storage_area,
                " ".join(line.units),
            ]
        )
