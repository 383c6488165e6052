"""*Fleet*: every store's link at a glance, worst first (online, last heartbeat, backlogs both
ways, quarantined entries, printers, online ordering and why), kept live by a few lines of
JavaScript polling `/console/fleet.json`. Head office sees the chain; a store manager their
own store. The figures are `cloud_api.fleet.service`'s, the ones `GET /api/v1/fleet` answers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from cloud_api.auth.principal import Principal
from cloud_api.console import session as signin
from cloud_api.console.shell import View, local_time, signed_in, store_in_scope
from cloud_api.console.tables import Column, Kind, Table, shown
from cloud_api.context import CloudContext
from cloud_api.db.base import utcnow
from cloud_api.fleet import service as fleet
from cloud_api.fleet.schemas import FleetStore
from cloud_api.store_events import repository as store_events

router = APIRouter()
NOT_REPORTED = "not reported"
HELD_SHOWN = 50

COLUMNS = (
    Column("store", "Store", link="href"),
    Column("name", "Name"),
    Column("status", "Status"),
    Column("heartbeat", "Last heartbeat (store time)"),
    Column("unpushed", "Events not pushed"),
    Column("unpulled", "Feed entries not pulled"),
    Column("held_cloud", "Set aside in the cloud", Kind.COUNT),
    Column("held_store", "Set aside at the store"),
    Column("printers", "Printers"),
    Column("unseen", "Unseen-order alarms"),
    Column("menu", "Menu"),
    Column("ordering", "Online ordering"),
    Column("problems", "What needs doing"),
)


def _reported(value: int | None) -> str:
    return NOT_REPORTED if value is None else str(value)


def _printers(row: FleetStore) -> str:
    if row.printers is None:
        return NOT_REPORTED
    if not row.printers:
        return "none set up"
    parts = []
    for p in row.printers:
        state = "ok" if p.online else "DOWN"
        waiting = f", {p.waiting} waiting" if p.waiting else ""
        parts.append(f"{p.name}: {state}{waiting}")
    return "; ".join(parts)


def _menu(row: FleetStore) -> str:
    if row.menu_version is None:
        return "none published"
    if row.menu_applied is None:
        return f"v{row.menu_version} (applied: {NOT_REPORTED})"
    if row.menu_applied >= row.menu_version:
        return f"v{row.menu_version} applied"
    return f"v{row.menu_version}; store sells v{row.menu_applied}"


def _ago(seconds: int | None) -> str:
    if seconds is None:
        return ""
    return f" ({seconds} s ago)" if seconds < 120 else f" ({seconds // 60} min ago)"


def fleet_rows(stores: Sequence[FleetStore]) -> list[dict[str, Any]]:
    """One row per store as the page and its CSV show it (worst first, as given)."""
    return [
        {
            "store": s.code,
            "name": s.name,
            "href": f"/console/sales/{s.store_id}",
            "status": "Online" if s.online else "OFFLINE",
            "heartbeat": local_time(s.last_heartbeat_at, s.timezone) + _ago(s.silent_seconds),
            "unpushed": _reported(s.outbox_backlog),
            "unpulled": _reported(s.feed_backlog),
            "held_cloud": s.held_in_cloud,
            "held_store": _reported(s.held_at_store),
            "printers": _printers(s),
            "unseen": _reported(s.unseen_order_alarms),
            "menu": _menu(s),
            "ordering": s.online_ordering_why,
            "problems": "; ".join(s.problems) or "nothing",
        }
        for s in stores
    ]


def _ctx(request: Request) -> CloudContext:
    found: CloudContext = request.app.state.ctx
    return found


def poll_seconds(window_s: int) -> int:
    """How often the page asks again: a few times per heartbeat window, at most every 10 s."""
    return max(1, min(10, window_s // 4))


def held_table(session: Session, store_id: str | None, codes: dict[str, tuple[str, str]]) -> Table:
    """The store events the cloud set aside (newest first), with the reason, in store time."""
    rows = [
        {
            "store": codes.get(h.store_id, (h.store_id, "UTC"))[0],
            "seq": h.seq,
            "kind": h.kind,
            "reason": h.reason,
            "at": local_time(h.quarantined_at, codes.get(h.store_id, ("", "UTC"))[1]),
        }
        for h in store_events.quarantined(session, store_id, HELD_SHOWN)
    ]
    return Table(
        "held",
        f"Store events set aside in the cloud, newest {HELD_SHOWN}",
        [
            Column("store", "Store"),
            Column("seq", "Event #", Kind.COUNT),
            Column("kind", "Kind"),
            Column("reason", "Why"),
            Column("at", "Set aside (store time)"),
        ],
        rows,
        empty="None: every event the stores sent was applied.",
    )


def fleet_view(session: Session, caller: Principal, window_s: int) -> View:
    store = store_in_scope(session, caller, None)
    found = fleet.fleet(session, caller, utcnow(), window_s)
    rows = fleet_rows(found)
    view = View(
        "Fleet" + (f" · {store.name}" if store else ""),
        "fleet",
        "fleet/fleet.html",
        store=store,
        values={"summary": summary(rows, window_s), "every": poll_seconds(window_s)},
    )
    view.add(Table("fleet", "Every store, worst first", COLUMNS, rows, empty="No stores yet."))
    codes = {s.store_id: (s.code, s.timezone) for s in found}
    view.add(held_table(session, store.id if store else None, codes))
    return view


@router.get("/fleet")
async def fleet_page(request: Request) -> Response:
    window = _ctx(request).settings.store_online_seconds
    return await signed_in(request, lambda session, caller: fleet_view(session, caller, window))


def summary(rows: list[dict[str, Any]], window_s: int) -> str:
    offline = sum(1 for r in rows if r["status"] != "Online")
    return (
        f"{len(rows)} store{'' if len(rows) == 1 else 's'}; {offline} not online. A store is online while "
        f"its computer was heard from in the last {window_s} s; this page checks again every "
        f"{poll_seconds(window_s)} s."
    )


def live(rows: list[dict[str, Any]], at: datetime, window_s: int) -> dict[str, Any]:
    """What the page's script redraws the table from: each cell as the page shows it."""
    return {
        "updated": at.isoformat(),
        "summary": summary(rows, window_s),
        "numeric": [c.numeric for c in COLUMNS],
        "rows": [{"href": r["href"], "cells": [shown(r[c.key], c.kind) for c in COLUMNS]} for r in rows],
    }


@router.get("/fleet.json")
async def fleet_json(request: Request) -> Response:
    ctx = _ctx(request)

    def run() -> Response:
        with ctx.db.transaction() as session:
            now = utcnow()
            caller, pair = signin.who(session, ctx, request, now)
            if caller is None:
                return JSONResponse({"detail": "Your sign-in has ended; sign in again."}, status_code=401)
            window = ctx.settings.store_online_seconds
            rows = fleet_rows(fleet.fleet(session, caller, now, window))
            answer = JSONResponse(live(rows, now, window), headers={"Cache-Control": "no-store"})
            return signin.keep(answer, ctx, pair)

    return await run_in_threadpool(run)
