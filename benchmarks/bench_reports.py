"""Reports over a chain's history: the head office's sales page (the chain's sales for a week,
by day, hour, channel, service, store, product and coupon), the food-cost league table
(every store by variance % of sales) and the speed page (every store by daypart against its
targets, with its honest-timer flags), answered from the aggregates, printed
beside the same figures computed from the raw orders, runs, shifts and stock movements; and
what keeping them costs: one store-day recomputed, as after a batch of that store's events.

Reads the history `gen_history.py` wrote (same --folder, or DATABASE_URL). Each figure is
checked equal between the two before it is timed.

    .venv/bin/python benchmarks/bench_reports.py [--days 7] [--runs 50] [--raw-runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from history_db import DEFAULT_FOLDER, history_url
from sqlalchemy import text

from cloud_api.auth.principal import Principal, Role
from cloud_api.db.database import Database
from cloud_api.reports import raw, repository, service
from cloud_api.reports.refresh import refresh_aggregates
from cloud_api.reports.speed import speed

HEAD_OFFICE = Principal(id="head-office", role=Role.HEAD_OFFICE)


def timed(db: Database, runs: int, answer: Callable[[Any], Any]) -> tuple[list[float], Any]:
    times, found = [], None
    for _ in range(runs):
        with db.transaction() as session:
            started = time.perf_counter()
            found = answer(session)
            times.append((time.perf_counter() - started) * 1000)
    return times, found


def load() -> str:
    return ", ".join(f"{n:.2f}" for n in os.getloadavg())


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def line(name: str, kept: list[float], computed: list[float]) -> str:
    return (
        f"{name:<34} aggregates p50 {statistics.median(kept):8.1f} ms  p99 {pct(kept, 0.99):8.1f} ms"
        f"   | raw records p50 {statistics.median(computed):9.1f} ms  p99 {pct(computed, 0.99):9.1f} ms"
        f"   ({statistics.median(computed) / statistics.median(kept):,.0f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--days", type=int, default=7, help="the period: the history's last N business days")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--raw-runs", type=int, default=3)
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    args = parser.parse_args()
    with history_url(args.folder) as url:
        db = Database(url, pool_size=1, max_overflow=0)
        with db.transaction() as session:
            last: date = session.execute(
                text("SELECT max(business_date) FROM report_sales_hour")
            ).scalar_one()
            stores, orders = session.execute(
                text("SELECT count(DISTINCT store_id), count(*) FROM orders")
            ).one()
        first = last - timedelta(days=args.days - 1)
        print(f"history: {stores:,} stores, {orders:,} orders; period {first} to {last} ({args.days} days)")
        print(f"load average (1, 5, 15 min) before: {load()}: a shared machine's figures are noisy")
        pages: list[tuple[str, Callable[..., dict[str, Any]]]] = [
            ("chain sales page", lambda s, src: service.sales(s, HEAD_OFFICE, None, first, last, source=src)),
            (
                "food-cost league table",
                lambda s, src: service.food_cost_league(s, HEAD_OFFICE, first, last, source=src),
            ),
            ("chain speed page", lambda s, src: speed(s, HEAD_OFFICE, None, first, last, source=src)),
        ]
        for name, page in pages:
            computed_times, computed = timed(db, args.raw_runs, lambda s, page=page: page(s, raw))
            kept_times, kept = timed(db, args.runs, lambda s, page=page: page(s, repository))
            if kept != computed:
                raise SystemExit(f"{name}: the aggregates' figures differ from the raw records'")
            print(line(name, kept_times, computed_times) + "  same figures")
        # What keeping them costs: one store-day recomputed, as after a batch of its events.
        with db.transaction() as session:
            ids = list(
                session.execute(text("SELECT id FROM store ORDER BY id LIMIT :n"), {"n": args.runs}).scalars()
            )
        costs = []
        for store_id in ids:
            session = db.sessions()
            try:
                started = time.perf_counter()
                refresh_aggregates(session, store_id, {last})
                costs.append((time.perf_counter() - started) * 1000)
            finally:
                session.rollback()
                session.close()
        trips = []
        with db.transaction() as session:
            for _ in range(200):
                started = time.perf_counter()
                session.execute(text("SELECT 1"))
                trips.append((time.perf_counter() - started) * 1000)
        print(
            f"{'refresh of one store-day':<34} p50 {statistics.median(costs):8.1f} ms  p99 {pct(costs, 0.99):8.1f} ms"
            f"   (2 round trips, per batch of a store's events; one SELECT 1 round trip here: p50"
            f" {statistics.median(trips):.2f} ms)"
        )
        db.dispose()
        print(f"load average (1, 5, 15 min) after: {load()}")


if __name__ == "__main__":
    main()
