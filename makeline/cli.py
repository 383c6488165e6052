"""`makeline …`: each package registers its own subcommands; they load lazily.

Flags first, then `MAKELINE_…` environment variables, then defaults that just
work on one laptop. Any `StoreError` / `PrinterError` / … raised by a command is
printed as one plain sentence and exits 2; nothing else is caught.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Packages that add subcommands, each through `register(subparsers)` in its `cli` module.
COMMAND_MODULES = (
    "store_db.cli",
    "printers.cli",
    "terminal.cli",
    "cloud_api.cli",
    "sync.cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="makeline", description="makeline: run a pizza delivery store and its chain."
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # that package has no commands yet
                continue
            raise
        module.register(subparsers)
    _register_simulate(subparsers)
    if "demo" not in subparsers.choices:
        demo = subparsers.add_parser("demo", help="the demo store on this laptop, in one command")
        demo.add_argument("--db", help="store database (default .makeline/store.db)")
        demo.add_argument("--screen", default="counter", help="the screen to open first")
        demo.set_defaults(run=_demo)
    return parser


def _demo(args: argparse.Namespace) -> int:
    """The demo store on this laptop: its database, preview printers, the agent, the counter."""
    import subprocess

    from printers.configure import add_demo_printers
    from store_db.cli import db_path
    from store_db.db import StoreDB
    from store_db.setup import init_store
    from terminal.app import MakelineApp
    from terminal.config import TerminalConfig, poll_from_env

    path = db_path(args.db)
    print(init_store(path, demo=True))
    printouts = path.parent / "printouts"
    with StoreDB(path) as db:
        for line in add_demo_printers(db, printouts):
            print(line)
    log_path = path.parent / "agent.log"
    with open(log_path, "a", encoding="utf-8") as log:
        agent = subprocess.Popen(
            [sys.executable, "-m", "makeline", "agent", "--db", str(path)], stdout=log, stderr=log
        )
    try:
        app = MakelineApp(TerminalConfig(db_path=path, screen=args.screen, poll_s=poll_from_env()))
        try:
            app.run()
        finally:
            app.db.close()
    finally:
        agent.terminate()
        agent.wait(timeout=10)
    print(f"Tickets and receipts printed as text in {printouts}; the agent's log is {log_path}.")
    if app.fatal is not None:
        raise app.fatal
    return app.return_code or 0


def _register_simulate(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sim = subparsers.add_parser(
        "simulate", help="place simulated orders in a store database, or through the cloud's API"
    )
    sim.add_argument("--db", help="store database (env MAKELINE_DB)")
    sim.add_argument("--cloud", help="cloud base URL: simulate online customers instead")
    sim.add_argument("--store", help="with --cloud: the store id to order from")
    sim.add_argument("--orders", type=int, default=20)
    sim.add_argument("--rate", type=float, help="orders per minute, in real time")
    sim.add_argument("--service", default="mixed", choices=("delivery", "carryout", "mixed"))
    sim.add_argument("--through", default="placed", choices=("placed", "made", "baked", "ready", "delivered"))
    sim.add_argument("--drivers", type=int, default=0, help="clock in this many demo drivers first")
    sim.add_argument("--seed", type=int)
    sim.set_defaults(run=_simulate)


def _simulate(args: argparse.Namespace) -> int:
    if args.cloud:
        from cloud_api.simulate import run_simulation  # type: ignore[import-not-found,unused-ignore]

        if not args.store:
            print("makeline: --cloud needs --store STORE_ID (makeline enroll prints it).", file=sys.stderr)
            return 2
        run_simulation(args.cloud, args.store, args.orders, args.rate, sys.stdout)
        return 0
    from store_db.cli import db_path
    from store_db.db import StoreDB
    from store_db.simulate import simulate

    with StoreDB(db_path(args.db)) as db:
        if args.drivers:
            from store_db.simulate import clock_in_drivers

            clock_in_drivers(db, args.drivers)
        simulate(
            db,
            args.orders,
            sys.stdout,
            rate_per_min=args.rate,
            service=args.service,
            through=args.through,
            seed=args.seed,
        )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from makeline.errors import known_errors

    try:
        result: int | None = args.run(args)
    except known_errors() as exc:
        print(f"makeline: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return result or 0
