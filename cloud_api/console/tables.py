"""A table of figures as the console shows it and exports it: named columns with a kind
(text, count, money in cents, percent, minutes, rate), rows of plain values, and links
for drill-downs. The same table is drawn in HTML and sent as CSV, so the numbers match."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cloud_api.reports.csv_export import cell


class Kind(StrEnum):
    TEXT = "text"
    COUNT = "count"
    MONEY = "money"  # integer cents
    PCT = "pct"
    MINUTES = "minutes"
    RATE = "rate"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: Kind = Kind.TEXT
    link: str | None = None  # the row key holding this cell's drill-down address

    @property
    def numeric(self) -> bool:
        return self.kind is not Kind.TEXT


@dataclass(frozen=True)
class Table:
    """`name` is the table's address on its page (`?csv=name`) and its file name."""

    name: str
    caption: str
    columns: Sequence[Column]
    rows: Sequence[Mapping[str, Any]]
    empty: str = "Nothing in this period."
    notes: Sequence[str] = field(default_factory=tuple)


def money(cents: int | None) -> str:
    if cents is None:
        return "—"
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) // 100:,}.{abs(cents) % 100:02d}"


def shown(value: Any, kind: Kind) -> str:
    """A value as the page shows it; a figure that does not exist shows as a dash."""
    if value is None or value == "":
        return "—"
    if kind is Kind.MONEY:
        return money(int(value))
    if kind is Kind.PCT:
        return f"{value} %"
    if kind is Kind.MINUTES:
        return f"{float(value):.1f} min"
    if kind is Kind.COUNT:
        return f"{int(value):,}"
    return str(value)


def _exported(value: Any, kind: Kind) -> Any:
    """A value as a spreadsheet should get it: money in dollars, figures as plain numbers."""
    if value is None:
        return ""
    if kind is Kind.MONEY:
        cents = int(value)
        return f"{'-' if cents < 0 else ''}{abs(cents) // 100}.{abs(cents) % 100:02d}"
    return value


def to_csv(table: Table) -> str:
    """The table as CSV: every cell neutralised the way the report API's CSV is (text that a
    spreadsheet would run as a formula gets a leading apostrophe); RFC 4180 line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cell(_heading(c)) for c in table.columns])
    for row in table.rows:
        writer.writerow([cell(_exported(row.get(c.key), c.kind)) for c in table.columns])
    return out.getvalue()


def _heading(column: Column) -> str:
    unit = {Kind.MONEY: " ($)", Kind.PCT: " (%)", Kind.MINUTES: " (min)"}.get(column.kind, "")
    return column.label + unit
