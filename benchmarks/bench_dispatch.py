"""Run building: plan time and quality, PyVRP beside it, and the Friday rush.

    .venv/bin/python benchmarks/bench_dispatch.py [--seeds N] [--reference-s S]
        [--only quality|pyvrp|rush|store|solomon] [--solomon-s S]

1. Plan time and quality for 15 orders / 5 drivers (250 ms) and 60 orders /
   20 drivers (1 s): rush snapshots around the store (orders on the rack and
   in the oven, promises from 10 to 35 minutes, some drivers still out),
   against a 10 s search of the same instance.
2. The same sizes where every order can be on time (every order ready, loose
   promises), solved by PyVRP under the same time budget: driving time, ours
   over PyVRP's. PyVRP is installed for this benchmark only
   (`.venv/bin/pip install pyvrp`); without it this part is skipped.
3. The Friday rush (120 orders over 2 hours, 6 drivers) under each dispatcher.
4. The same rush through the demo store's database, in virtual time: orders
   placed with the store's own promise rule and oven time, dispatched by
   accepting the dispatch board's suggestion, delivered and checked in.
5. Solomon's VRPTW instances C101, R101 and RC101 at 25 and 50 customers
   (benchmarks/solomon/, `makeline.dispatch.vrptw`): vehicles and distance
   beside the best-known solutions, at `--solomon-s` seconds a run.
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import random
import statistics
import time
from dataclasses import replace
from pathlib import Path

from makeline.demo.rush import Dispatcher, RushResult, capacity_bound, drivers_in, friday_rush, simulate
from makeline.demo.rush_promise import PromiseScore, live_promises
from makeline.demo.rush_promise import score as promise_score
from makeline.dispatch.baselines import naive_plan, nearest_neighbour_plan
from makeline.dispatch.objective import objective
from makeline.dispatch.planner import plan_runs
from makeline.dispatch.runs import Driver, Plan, PlanRequest, Stop, lay_out
from makeline.dispatch.travel import GreatCircleTravel, LatLon, TravelTimes
from makeline.dispatch.vrptw import parse, score, solve

STORE = LatLon(41.8781, -87.6298)
TRAVEL = GreatCircleTravel()
SIZES = [(15, 5, 250), (60, 20, 1000)]
PYVRP_SIZES = [(15, 5, 0), (30, 10, 0), (60, 20, 0)]
BUDGETS_MS = (100, 250, 1000)
SOLOMON = Path(__file__).parent / "solomon"
# Best-known (proven optimal) vehicles and distance, distances truncated to one decimal, from
# M. M. Solomon's VRPTW benchmark page (https://www.sintef.no/projectweb/top/vrptw/ lists the
# same): Kohl, Desrosiers, Madsen, Solomon and Soumis, "2-path cuts for the vehicle routing
# problem with time windows", Transportation Science 33(1), 1999; Desrochers, Desrosiers and
# Solomon, Operations Research 40(2), 1992. The optimum minimises distance, not vehicles.
BEST_KNOWN: dict[str, tuple[int, float]] = {
    "C101.25": (3, 191.3),
    "C101.50": (5, 362.4),
    "R101.25": (8, 617.1),
    "R101.50": (12, 1044.0),
    "RC101.25": (4, 461.1),
    "RC101.50": (8, 944.0),
}


def snapshot(seed: int, orders: int, drivers: int, limit_ms: int, on_time: bool) -> PlanRequest:
    rng = random.Random(seed)
    stops = []
    for i in range(orders):
        distance = 150 + 5850 * rng.random() ** 1.5
        bearing = rng.uniform(0, 2 * math.pi)
        lat = STORE.lat + distance * math.cos(bearing) / 111_320
        lon = STORE.lon + distance * math.sin(bearing) / (111_320 * math.cos(math.radians(STORE.lat)))
        release = 0 if on_time else rng.choice([0, 0, 0, 60, 120, 240, 420])
        deadline = 3 * 3600 if on_time else release + rng.randint(600, 2100)
        stops.append(Stop(f"o{i}", f"#{1001 + i}", lat, lon, deadline, release))
    crew = [Driver(f"d{j}", f"Driver {j}", rng.choice([0, 0, 0, 240, 600, 900])) for j in range(drivers)]
    return PlanRequest(STORE.lat, STORE.lon, tuple(stops), tuple(crew), 3, limit_ms)


def timed(request: PlanRequest, thorough: bool = False) -> tuple[Plan, float]:
    started = time.perf_counter()
    plan = plan_runs(request, TRAVEL, thorough=thorough)
    return plan, time.perf_counter() - started


def gap(ours: tuple[int, ...], best: tuple[int, ...]) -> str:
    """The objective's levels: starving orders left, ready orders left, overtime, lateness, driving."""
    if ours[0] != best[0]:
        return f"{ours[0] - best[0]:+d} starving orders left"
    if ours[1] != best[1]:
        return f"{ours[1] - best[1]:+d} orders left"
    if ours[2] != best[2]:
        return f"{ours[2] - best[2]:+d} s overtime"
    if ours[3] != best[3]:
        return f"{100 * (ours[3] - best[3]) / max(best[3], 1):+.1f} % lateness"
    return f"{100 * (ours[4] - best[4]) / max(best[4], 1):+.2f} % driving"


def quality(seeds: int, reference_s: float) -> None:
    print(f"\n1. Plan time and quality against a {reference_s:g} s search of the same instance")
    print(
        "   (objective: orders left, then lateness -- with drivers' time when orders wait for a "
        "seat -- then driving; in seconds)"
    )
    for orders, drivers, limit in SIZES:
        times: list[float] = []
        for seed in range(seeds):
            request = snapshot(seed, orders, drivers, limit, on_time=False)
            seconds = TRAVEL.matrix(request.points())
            plan, elapsed = timed(request)
            times.append(elapsed)
            best, _ = timed(replace(request, time_limit_ms=round(reference_s * 1000)), thorough=True)
            ours, ref = objective(request, plan, seconds), objective(request, best, seconds)
            print(
                f"   {orders:>2} orders / {drivers:>2} drivers, seed {seed}: {elapsed * 1000:4.0f} ms "
                f"(limit {limit}), late {ours[3]:5d} s, driving {ours[4]:5d} s; "
                f"{reference_s:g} s search: late {ref[3]:5d} s, driving {ref[4]:5d} s -> {gap(ours, ref)}; "
                f"nearest-neighbour: {gap(objective(request, nearest_neighbour_plan(request), seconds), ours)}"
            )
        print(
            f"   {orders} / {drivers}: median {statistics.median(times) * 1000:.0f} ms, "
            f"slowest {max(times) * 1000:.0f} ms"
        )


def pyvrp_routes(request: PlanRequest, seconds: list[list[int]], budget_s: float) -> list[list[int]] | None:
    import pyvrp
    from pyvrp.stop import MaxRuntime

    model = pyvrp.Model()
    places = [model.add_location(x=round(p.lon * 1e5), y=round(p.lat * 1e5)) for p in request.points()]
    depot = model.add_depot(places[0])
    classes = sorted({d.available_at_s for d in request.drivers})
    for available in classes:
        model.add_vehicle_type(
            num_available=sum(d.available_at_s == available for d in request.drivers),
            capacity=[request.capacity],
            start_depot=depot,
            end_depot=depot,
            tw_early=available,
        )
    for k, stop in enumerate(request.stops):
        model.add_client(
            places[k + 1],
            delivery=[1],
            service_duration=request.door_s(stop),
            tw_late=stop.deadline_s,
            release_time=stop.release_s,
        )
    for i, here in enumerate(places):
        for j, there in enumerate(places):
            # driving seconds as the distance PyVRP minimises
            model.add_edge(here, there, distance=seconds[i][j], duration=seconds[i][j])
    result = model.solve(stop=MaxRuntime(budget_s), seed=1, display=False)
    if not result.best.is_feasible():
        return None
    routes: list[list[int]] = [[] for _ in request.drivers]
    free = {a: [v for v, d in enumerate(request.drivers) if d.available_at_s == a] for a in classes}
    for route in result.best.routes():
        driver = free[classes[route.vehicle_type()]].pop(0)
        routes[driver] = [visit.idx for visit in route if visit.is_client()]
    return routes


def against_pyvrp(seeds: int) -> None:
    print("\n2. Against PyVRP, same time budget, instances where every order can be on time")
    try:
        import pyvrp  # noqa: F401
    except ImportError:
        print("   PyVRP is not installed (.venv/bin/pip install pyvrp): skipped.")
        return
    for (orders, drivers, _), limit in itertools.product(PYVRP_SIZES, BUDGETS_MS):
        ratios: list[float] = []
        for seed in range(seeds):
            request = snapshot(100 + seed, orders, drivers, limit, on_time=True)
            seconds, metres = TRAVEL.matrix(request.points()), TRAVEL.distances(request.points())
            plan, elapsed = timed(request)
            started = time.perf_counter()
            routes = pyvrp_routes(request, seconds, limit / 1000)
            theirs_s = time.perf_counter() - started
            if routes is None:
                print(f"   {orders} / {drivers}, seed {seed}: PyVRP found no feasible plan")
                continue
            theirs = lay_out(request, routes, seconds, metres)
            ok = not plan.unassigned and plan.total_lateness_s == 0 and not theirs.unassigned
            ratio = plan.total_drive_s / theirs.total_drive_s
            ratios.append(ratio)
            print(
                f"   {orders:>2} orders / {drivers:>2} drivers, seed {seed}: ours {plan.total_drive_s:5d} s "
                f"driving in {elapsed * 1000:4.0f} ms, PyVRP {theirs.total_drive_s:5d} s in "
                f"{theirs_s * 1000:4.0f} ms -> ours / PyVRP = {ratio:.3f}"
                + ("" if ok else "  (not every order on time in both)")
            )
        if ratios:
            print(f"   {orders} / {drivers} at {limit} ms: mean ratio {statistics.mean(ratios):.3f}")


def rush_row(drivers: int, name: str, results: list[RushResult]) -> str:
    """On time, average, p90, worst and orders over an hour, over the seeds (worst: of all)."""
    return (
        f"   {drivers:>7} {name:<32} {statistics.mean(r.on_time_pct for r in results):7.1f}% "
        f"{statistics.mean(r.avg_delivery_min for r in results):6.1f} "
        f"{statistics.mean(r.percentile_min(90) for r in results):6.1f} "
        f"{max(r.max_delivery_min for r in results):6.1f} "
        f"{sum(r.over_min(60) for r in results):8d}"
    )


def rush_table(seeds: int, budget_ms: int | None) -> None:
    budget = "its default (scaled with the orders)" if budget_ms is None else f"{budget_ms} ms"
    print(
        f"\n3. Friday rush: 120 delivery orders over 2 hours, 6 min oven, hot bags of 3, "
        f"seeds 0-{seeds - 1}, planner budget {budget} per re-plan"
    )
    dispatchers: list[tuple[str, Dispatcher]] = [
        ("naive (first ready, first out)", naive_plan),
        ("nearest-neighbour batching", nearest_neighbour_plan),
        ("planner, drivers in the store", drivers_in(plan_runs)),
    ]
    head = (
        f"   {'drivers':>7} {'dispatcher':<32} {'on time':>8} {'avg':>6} {'p90':>6} {'max':>6} {'>60 min':>8}"
    )
    print(head + "   (minutes, placed to door; averaged over seeds, max the worst)")
    planned: dict[int, list[RushResult]] = {}
    for drivers in (6, 8, 10):
        for seed in range(seeds):
            bound, unlimited = capacity_bound(friday_rush(seed=2024 + seed, drivers=drivers), TRAVEL)
            perfect, single = bound.load_pct
            print(
                f"   {drivers:>7} seed {seed}: busiest hour needs {perfect:.0f} % (bags of 3) to "
                f"{single:.0f} % (one order a run) of the drivers' time; "
                f"unlimited drivers: {unlimited:.1f} min average"
            )
        for name, dispatcher in dispatchers:
            results = [
                simulate(friday_rush(seed=2024 + seed, drivers=drivers), dispatcher, TRAVEL, budget_ms)
                for seed in range(seeds)
            ]
            if dispatcher is dispatchers[-1][1]:
                planned[drivers] = results
            print(rush_row(drivers, name, results))

    promise_table(seeds, planned)
    cap_table(seeds, budget_ms)


def with_cap(minutes: int) -> Dispatcher:
    """The planner with the store's rack-time cap set to `minutes` (the default is 30)."""

    def plan(request: PlanRequest, travel: TravelTimes) -> Plan:
        return plan_runs(replace(request, rack_cap_s=minutes * 60), travel)

    return drivers_in(plan)


def cap_table(seeds: int, budget_ms: int | None) -> None:
    """The rack-time cap is the store's setting: what a shorter one trades."""
    print("\n3c. The planner with a shorter rack-time cap (the store's setting, 30 min by default)")
    for drivers, minutes in itertools.product((6, 8), (20, 15)):
        results = [
            simulate(friday_rush(seed=2024 + seed, drivers=drivers), with_cap(minutes), TRAVEL, budget_ms)
            for seed in range(seeds)
        ]
        print(rush_row(drivers, f"planner, cap {minutes} min", results))


def promise_table(seeds: int, planned: dict[int, list[RushResult]]) -> None:
    """The planner's deliveries above, scored against three promises quoted at placing."""
    print(
        "\n3b. Promises on the same deliveries (planner, drivers in the store): on-time % and the "
        "average promise (placed to promise, minutes)"
    )
    print(f"   {'drivers':>7} {'promise':<44} {'on time':>8} {'promised':>9}")
    for drivers, results in planned.items():
        policies: list[tuple[str, list[PromiseScore]]] = [
            ("old: flat 10 min for a driver", [promise_score(r, lambda _label, old: old) for r in results]),
            (
                "old + 5 min on every promise",
                [promise_score(r, lambda _label, old: old + 300) for r in results],
            ),
        ]
        live = []
        for seed, result in enumerate(results):
            quoted = live_promises(friday_rush(seed=2024 + seed, drivers=drivers), result, TRAVEL)
            live.append(promise_score(result, lambda label, _old: quoted[label]))  # noqa: B023 - used at once
        policies.append(("promise from the live plan (quote model)", live))
        for name, found in policies:
            print(
                f"   {drivers:>7} {name:<44} {statistics.mean(f.on_time_pct for f in found):7.1f}% "
                f"{statistics.mean(f.avg_promise_min for f in found):8.1f}"
            )
    print(f"   seeds 0-{seeds - 1}; a longer promise is easier to keep: read on-time beside its length")


def store_rush_table() -> None:
    import shutil
    import tempfile
    from pathlib import Path

    from makeline.demo.seed import init_demo_store
    from makeline.demo.store_rush import store_rush
    from store_db.db import StoreDB

    print("\n4. The Friday rush through the demo store's database (its promises, oven and settings)")
    print(f"   {'dispatcher':<32} {'on time':>8} {'avg delivery':>13} {'avg on rack':>12} {'orders/run':>11}")
    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / "demo.db"
        init_demo_store(template)
        for n, (name, planner) in enumerate(
            [
                ("naive (first ready, first out)", naive_plan),
                ("nearest-neighbour batching", nearest_neighbour_plan),
                ("dispatch board (planner)", plan_runs),
            ]
        ):
            path = Path(folder) / f"rush{n}.db"
            shutil.copyfile(template, path)
            started = time.perf_counter()
            with StoreDB(path) as db:
                result = store_rush(db, planner)
            print(
                f"   {name:<32} {result.on_time_pct:7.1f}% {result.avg_delivery_min:9.1f} min "
                f"{result.avg_rack_min:8.1f} min {result.orders_per_run:11.2f}"
                f"   ({time.perf_counter() - started:.1f} s)"
            )


def solomon_table(limit_s: float) -> None:
    print(f"\n5. Solomon VRPTW instances, {limit_s:g} s a run (distance in the instances' units)")
    print(
        f"   {'instance':<9} {'vehicles':>8} {'distance':>9}   {'best known':>10} {'':>8}   "
        f"{'gap':>7} {'time':>6}  windows"
    )
    gaps: list[float] = []
    for name in ("C101", "R101", "RC101"):
        whole = parse(name, (SOLOMON / f"{name}.txt").read_text())
        for n in (25, 50):
            instance = whole.first(n)
            started = time.perf_counter()
            plan = solve(instance, limit_s)
            elapsed = time.perf_counter() - started
            got = score(plan)
            vehicles, distance = BEST_KNOWN[instance.name]
            gap = 100 * (got.distance - distance) / distance
            gaps.append(gap)
            kept = (
                "all kept"
                if got.feasible
                else f"{got.late} late, {got.unserved} unserved, {got.overtime} back late"
            )
            print(
                f"   {instance.name:<9} {got.vehicles:>8} {got.distance:>9.1f}   {vehicles:>10} {distance:>8.1f}"
                f"   {gap:+6.1f}% {elapsed:5.1f}s  {kept}"
            )
    print(f"   mean gap {statistics.mean(gaps):+.1f} %, worst {max(gaps):+.1f} %")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--reference-s", type=float, default=10.0)
    parser.add_argument("--rush-seeds", type=int, default=4)
    parser.add_argument(
        "--rush-budget-ms", type=int, default=0, help="0: the planner's own (scaled with the orders)"
    )
    parser.add_argument("--solomon-s", type=float, default=5.0)
    parser.add_argument("--only", choices=["quality", "pyvrp", "rush", "store", "solomon"], default=None)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    if args.only in (None, "quality"):
        quality(args.seeds, args.reference_s)
    if args.only in (None, "pyvrp"):
        against_pyvrp(args.seeds)
    if args.only in (None, "rush"):
        rush_table(args.rush_seeds, args.rush_budget_ms or None)
    if args.only in (None, "store"):
        store_rush_table()
    if args.only in (None, "solomon"):
        solomon_table(args.solomon_s)


if __name__ == "__main__":
    main()
