"""`makeline …`: each package registers its own subcommands; they load lazily.

Flags first, then `MAKELINE_…` environment variables, then defaults that just
work on one laptop. Any `StoreError` / `PrinterError` / … raised by a command is
printed as one plain sentence and exits 2; nothing else is caught.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from makeline.demo.launcher import ChildProcess
    from terminal.app import MakelineApp

# Packages that add subcommands, each through `register(subparsers)` in its `cli` module.
COMMAND_MODULES = (
    "makeline.cli.store",
    "makeline.cli.printers",
    "makeline.cli.terminal",
    "cloud_api.cli",
    "makeline.cli.agent",
    "makeline.cli.restore",
    "makeline.cli.crew",
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
    _register_agent(subparsers)
    if "demo" not in subparsers.choices:
        demo = subparsers.add_parser(
            "demo", help="the whole product on this laptop: cloud, store, agent, customers, terminal"
        )
        demo.add_argument("--db", help="store database (default .makeline/store.db)")
        demo.add_argument("--screen", default="counter", help="the screen to open first")
        demo.add_argument("--port", type=int, default=8000, help="the demo cloud's port (default 8000)")
        demo.add_argument("--no-cloud", action="store_true", help="the store alone, not connected")
        demo.add_argument("--rate", type=float, default=2.0, help="online orders per minute (default 2)")
        demo.add_argument(
            "--no-crew",
            action="store_true",
            help="no simulated crew and drivers: every order waits for the keyboard",
        )
        demo.set_defaults(run=_demo)
    return parser


def _register_agent(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    agent = subparsers.add_parser(
        "agent", help="the store's agent: the print queue, and the sync with the cloud once enrolled"
    )
    agent.add_argument("--db", help="store database file (env MAKELINE_DB; default .makeline/store.db)")
    agent.add_argument(
        "--once", action="store_true", help="print what is waiting and sync what is waiting, then stop"
    )
    agent.add_argument(
        "--failures-before-backup",
        type=int,
        default=3,
        help="failed tries before a printer's jobs go to its backup (default %(default)s)",
    )
    agent.set_defaults(run=_agent)


def _log_to_stderr() -> None:
    """One line per printed job, per printer state change and per sync event, on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", datefmt="%H:%M:%S"))
    for name in ("printers", "sync"):
        found = logging.getLogger(name)
        found.setLevel(logging.INFO)
        found.addHandler(handler)
        found.propagate = False


def _agent(args: argparse.Namespace) -> int:
    """The print queue and the firing of orders for later in threads, the sync in asyncio, in
    one process, until stopped."""
    import asyncio
    import signal
    import threading
    from datetime import UTC, datetime
    from types import FrameType

    from makeline.cli.store import db_path
    from printers.agent import run_print_queue
    from printers.errors import BadPrinterConfig
    from printers.queue import QueueSettings
    from printers.store_jobs import health
    from store_db.db import StoreDB
    from sync.agent import AgentSettings, SyncAgent, agent_lock, sync_forever
    from sync.agent.firing import fire_due, fire_until_stopped
    from sync.contract import PrinterHealth
    from sync.errors import CloudUnreachable, NotEnrolled, SyncError

    _log_to_stderr()
    if args.failures_before_backup < 1:
        raise BadPrinterConfig("--failures-before-backup must be at least 1.")
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _stop)
    path = db_path(args.db)
    with StoreDB(path) as db, agent_lock(path):

        def printers() -> list[PrinterHealth]:
            return [
                PrinterHealth(name=p.name, online=p.online, waiting=p.waiting, last_error=p.last_error)
                for p in health(db)
            ]

        sync = SyncAgent(db, AgentSettings.from_env(), printers, version=_version())
        outcome: dict[str, int | BaseException] = {}

        def print_queue() -> None:
            settings = QueueSettings(failures_before_backup=args.failures_before_backup)
            try:
                outcome["print"] = run_print_queue(db, stop, settings, once=args.once)
            except BaseException as exc:
                outcome["error"] = exc
                stop.set()

        firing = threading.Thread(target=fire_until_stopped, args=(db, stop), name="firing", daemon=True)
        if args.once:
            fire_due(db, datetime.now(UTC))  # what fell due while the agent was down, then print
        else:
            firing.start()
        thread = threading.Thread(target=print_queue, name="print-queue", daemon=True)
        thread.start()
        print(
            f"Agent running for {path}: print queue and cloud sync; Ctrl-C to stop.",
            file=sys.stderr,
            flush=True,
        )
        synced = 0
        try:
            if args.once:
                try:
                    asyncio.run(sync.sync_once())
                except NotEnrolled as exc:
                    print(f"sync: {exc}", file=sys.stderr)
                except (CloudUnreachable, SyncError) as exc:
                    print(f"sync: not finished: {exc}", file=sys.stderr)
                    synced = 1
            else:
                asyncio.run(sync_forever(sync, stop.is_set))
        finally:
            if not args.once:  # with --once the print queue ends by itself when settled
                stop.set()
                firing.join()
            thread.join()
    error = outcome.get("error")
    if isinstance(error, BaseException):
        raise error
    printed = outcome.get("print", 0)
    return max(synced, printed if isinstance(printed, int) else 1)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("makeline")
    except PackageNotFoundError:
        return ""


def _demo(args: argparse.Namespace) -> int:
    """Everything on this laptop: a cloud with its own database, the demo store enrolled in it,
    the store's agent, simulated online customers, and the counter screen. Stopped on exit."""
    from makeline.cli.store import db_path
    from makeline.lock import hold, lock_path
    from store_db.errors import AlreadyRunning

    path = db_path(args.db)

    def refuse(pid: int | None) -> AlreadyRunning:
        return AlreadyRunning(
            f"A makeline demo (pid {pid or '?'}) is already running on {path}; switch to it, "
            "or quit it (Ctrl+Q) before starting another.",
            pid,
        )

    with hold(lock_path(path, "demo"), refuse):
        return _demo_on(path, args)


def _demo_on(path: Path, args: argparse.Namespace) -> int:
    from makeline.cli.terminal import run_until_stopped
    from makeline.demo.seed import init_demo_store
    from printers.configure import add_demo_printers
    from store_db.db import StoreDB

    folder = path.parent
    print(init_demo_store(path))
    printouts = folder / "printouts"
    with StoreDB(path) as db:
        for line in add_demo_printers(db, printouts):
            print(line)
    children: list[ChildProcess] = []
    try:  # whatever was started is stopped on the way out: quit, Ctrl-C, SIGTERM or an error
        app = _demo_children(path, args, children)
        try:
            run_until_stopped(app)
        finally:
            app.db.close()
    finally:
        for child in reversed(children):
            child.stop()
    print(f"Tickets and receipts printed as text in {printouts}; the agent's log is {folder / 'agent.log'}.")
    if app.fatal is not None:
        raise app.fatal
    return app.return_code or 0


def _demo_children(path: Path, args: argparse.Namespace, children: list[ChildProcess]) -> MakelineApp:
    """Start the demo's cloud, agent and customers (each added to `children` as it starts),
    and make the terminal app; everything said here is said before the screen is taken."""
    from makeline.demo.launcher import (
        ChildProcess,
        connect_store,
        console_banner,
        free_port,
        start_cloud,
        wait_online,
    )
    from store_db.db import StoreDB
    from sync.errors import SyncError
    from terminal.app import MakelineApp
    from terminal.config import TerminalConfig, poll_from_env

    folder = path.parent
    cloud_url, store_id = "", ""
    if not args.no_cloud:
        print("Starting the demo cloud (the first start sets up its database; about a minute)...")
        try:
            port = free_port(args.port)
            if port != args.port:
                print(f"Port {args.port} is taken (another program listens there); took port {port}.")
            cloud, cloud_url = start_cloud(folder, port)
            children.append(cloud)
            with StoreDB(path) as db:
                store_id = connect_store(db, cloud_url)
            print(f"Storefront: order a pizza at {cloud_url}/ (API docs at {cloud_url}/api/v1/docs).")
            print(console_banner(cloud_url))
            print(f"The demo store is {store_id} in the cloud.")
        except (SyncError, OSError) as exc:
            print(f"The cloud is not running ({exc}): the store runs on its own, not connected.")
            cloud_url = ""
    agent_log = folder / "agent.log"
    children.append(ChildProcess.start(["agent", "--db", str(path)], agent_log))
    if cloud_url and wait_online(cloud_url, store_id):
        customers = ["simulate", "--cloud", cloud_url, "--store", store_id, "--orders", "100000"]
        children.append(ChildProcess.start([*customers, "--rate", str(args.rate)], folder / "customers.log"))
        print(f"Simulated customers order online ({args.rate:g} a minute); see {folder / 'customers.log'}.")
    elif cloud_url:
        print(f"The cloud has not heard the store's agent yet; see {agent_log}. No online customers.")
    if not args.no_crew:
        children.append(ChildProcess.start(["crew", "--db", str(path)], folder / "crew.log"))
        print(
            "A simulated crew and drivers move along the orders nobody touches for 2 minutes "
            f"(off: --no-crew); see {folder / 'crew.log'}."
        )
    return MakelineApp(TerminalConfig(db_path=path, screen=args.screen, poll_s=poll_from_env()))


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
        from makeline.demo.online_customers import run_simulation  # type: ignore[import-not-found,unused-ignore]

        if not args.store:
            print("makeline: --cloud needs --store STORE_ID (makeline enroll prints it).", file=sys.stderr)
            return 2
        run_simulation(args.cloud, args.store, args.orders, args.rate, sys.stdout)
        return 0
    from makeline.cli.store import db_path
    from makeline.demo.simulate import simulate
    from makeline.lock import hold, lock_path
    from store_db.db import StoreDB
    from store_db.errors import AlreadyRunning

    path = db_path(args.db)

    def refuse(pid: int | None) -> AlreadyRunning:
        return AlreadyRunning(
            f"A simulator (pid {pid or '?'}) is already placing orders in {path}; "
            "let it finish, or stop it before starting another.",
            pid,
        )

    with StoreDB(path) as db, hold(lock_path(path, "simulate"), refuse):
        if args.drivers:
            from makeline.demo.simulate import clock_in_drivers

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
    from makeline.cli.errors import known_errors

    _say_store_file_warnings()
    try:
        with _sigterm_as_ctrl_c():
            result: int | None = args.run(args)
    except known_errors() as exc:
        print(f"makeline: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return result or 0


@contextlib.contextmanager
def _sigterm_as_ctrl_c() -> Iterator[None]:
    """SIGTERM (how a service manager stops a command) does what Ctrl-C does: every command
    stops what it started on the way out. Commands that serve (cloud, agent, terminal)
    install their own handlers and exit 0."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class _ToStderr(logging.Handler):
    """Each record as `makeline: …` on stderr as it is when said (tests swap stderr)."""

    def emit(self, record: logging.LogRecord) -> None:
        print(f"makeline: {record.getMessage()}", file=sys.stderr)


def _say_store_file_warnings() -> None:
    """A store file made owner-only at start, or left open, is said on stderr in one line."""
    found = logging.getLogger("store_db.integrity")
    if not any(isinstance(h, _ToStderr) for h in found.handlers):
        found.addHandler(_ToStderr())
        found.propagate = False
