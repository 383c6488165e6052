"""The manager's KPI panel: today's averages against their targets, coloured so a miss is seen
across the room (green on target, amber up to half as long again, red past that)."""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from store_db.queries.kpis import Kpis
from store_db.queries.store import StoreInfo
from terminal.data.formatting import minutes, money

ON_TIME_GOOD = 90.0  # below it the on-time figure turns amber
ON_TIME_BAD = 75.0  # below it, red


def kpi_targets(store: StoreInfo) -> dict[str, float]:
    """Seconds each average should stay under: the store's own targets, else the trade's."""
    return {
        "make": store.make_target_s,
        "oven": 7 * 60,
        "rack": store.rack_target_s,
        "out the door": 15 * 60,
        "delivery": 35 * 60,
        "carryout wait": store.rack_target_s,
    }


def kpi_style(average_s: float | None, target_s: float | None) -> str:
    """Green on target, amber up to half as long again, red past that."""
    if average_s is None or target_s is None:
        return ""
    if average_s <= target_s:
        return "bold green"
    return "bold yellow" if average_s <= 1.5 * target_s else "bold white on red"


def on_time_style(pct: float | None) -> str:
    if pct is None:
        return ""
    return (
        "bold green" if pct >= ON_TIME_GOOD else "bold yellow" if pct >= ON_TIME_BAD else "bold white on red"
    )


def kpi_panel(kpis: Kpis, targets: Mapping[str, float] | None = None) -> RenderableType:
    targets = targets or {}
    head = Text.assemble(
        ("Today ", "bold"),
        f"{kpis.orders} orders · {money(kpis.sales)} · {kpis.voids} voided · ",
        ("on-time ", "bold"),
        (f"{kpis.on_time_pct:.0f}%", on_time_style(kpis.on_time_pct))
        if kpis.on_time_pct is not None
        else "— (nothing delivered yet)",
        f" of {kpis.delivered} delivered" if kpis.on_time_pct is not None else "",
    )
    grid = Table.grid(expand=True, padding=(0, 1))
    for _ in range(2):
        grid.add_column(no_wrap=True)
        grid.add_column(justify="right", no_wrap=True)
        grid.add_column(ratio=1, style="dim", no_wrap=True, overflow="ellipsis")
    cells: list[RenderableType] = []
    for m in kpis.measures:
        cells += [
            Text(m.name.capitalize(), style="bold"),
            Text(minutes(m.average_s), style=kpi_style(m.average_s, targets.get(m.name))),
            f"{m.target} · n={m.count}",
        ]
    for n in range(0, len(cells), 6):
        grid.add_row(*cells[n : n + 6])
    return Group(head, grid)
