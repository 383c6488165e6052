"""`makeline crew --db PATH [--grace S]`: the demo's simulated kitchen crew and drivers, who
move along the orders nobody at the keyboard touches (`makeline.demo.crew`). `makeline demo`
starts it beside the terminal unless it is given `--no-crew`."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "crew",
        help="a simulated crew and drivers for the orders nobody at the keyboard touches (demo)",
    )
    parser.add_argument("--db", help="store database file (env MAKELINE_DB; default .makeline/store.db)")
    parser.add_argument(
        "--grace", type=float, default=120.0, help="seconds an order stands untouched first (default 120)"
    )
    parser.set_defaults(run=_crew)


def _crew(args: argparse.Namespace) -> int:
    from makeline.cli.store import db_path
    from makeline.demo.crew import run_crew
    from makeline.lock import hold, lock_path
    from store_db.db import StoreDB
    from store_db.errors import AlreadyRunning, BadInput

    if args.grace < 0:
        raise BadInput("--grace is a number of seconds, 0 or more.")
    path = db_path(args.db)

    def refuse(pid: int | None) -> AlreadyRunning:
        return AlreadyRunning(
            f"A simulated crew (pid {pid or '?'}) already works {path}; one is enough.", pid
        )

    with StoreDB(path) as db, hold(lock_path(path, "crew"), refuse):
        try:
            run_crew(db, grace_s=args.grace, say=lambda line: print(line, flush=True))
        except KeyboardInterrupt:
            return 0
    return 0
