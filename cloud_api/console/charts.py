"""Charts drawn on the server: a Vega-Lite spec built with altair, rendered to SVG by
vl-convert (no browser script, no CDN, works offline), shipped to the page as an image so
no name in it can ever be read as markup. Every chart carries its table: the numbers are a
click away under the picture, and the picture's text alternative says what it shows.

altair is imported when the first chart is drawn: it is a third of a second of every worker's
start otherwise, and most workers serve customers and stores, never a chart."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import vl_convert as vlc

from cloud_api.console.tables import Kind, Table

BRAND = "#8a1c12"
SECOND = "#6b6b6b"
WIDTH, HEIGHT = 560, 220


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    image: str  # a data: URI of the SVG
    table: Table


def _value(row: Mapping[str, Any], key: str, kind: Kind) -> float:
    raw = row.get(key)
    if raw is None:
        return 0.0
    return int(raw) / 100 if kind is Kind.MONEY else float(raw)


def _svg(spec: dict[str, Any]) -> str:
    svg: str = vlc.vegalite_to_svg(spec)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def bars(
    title: str,
    description: str,
    table: Table,
    x: str,
    y: str,
    series: Sequence[tuple[str, str]] = (),
    y_title: str | None = None,
) -> Chart:
    """Bars of column `y` along column `x`; with `series` ((column, legend name), …) a group
    of bars per `x`, one per series (this week beside last week)."""
    import altair as alt  # on the first chart: see the module's note

    columns = {c.key: c for c in table.columns}
    x_label, kind = columns[x].label, columns[y].kind
    plotted = series or ((y, columns[y].label),)
    values = [
        {"x": str(row.get(x, "")), "series": name, "value": _value(row, key, kind)}
        for row in table.rows
        for key, name in plotted
    ]
    unit = {Kind.MONEY: " ($)", Kind.PCT: " (%)", Kind.MINUTES: " (min)"}.get(kind, "")
    y_title = (y_title or columns[y].label) + unit
    order = [str(row.get(x, "")) for row in table.rows]
    encoding: dict[str, Any] = {
        "x": alt.X("x:N", title=x_label, sort=order, axis=alt.Axis(labelAngle=0)),
        "y": alt.Y("value:Q", title=y_title),
        "color": alt.Color(
            "series:N",
            title=None,
            scale=alt.Scale(domain=[n for _, n in plotted], range=[BRAND, SECOND]),
            legend=alt.Legend(orient="top") if series else None,
        ),
    }
    if series:
        encoding["xOffset"] = alt.XOffset("series:N", sort=[n for _, n in plotted])
    spec = (
        alt.Chart(alt.InlineData(values=values), title=title, width=WIDTH, height=HEIGHT)
        .mark_bar()
        .encode(**encoding)
        .to_dict()
    )
    return Chart(title, description, _svg(spec), table)
