"""`makeline terminal` and `makeline serve`: one screen in this terminal, or in a browser."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from terminal.data.roles import SCREEN_NAMES

if TYPE_CHECKING:
    from textual.app import App


def _db_default() -> str:
    from makeline.cli.store import DEFAULT_DB

    return os.environ.get("MAKELINE_DB", DEFAULT_DB)


def register(subparsers: Any) -> None:
    terminal = subparsers.add_parser(
        "terminal",
        help="run a store screen (counter, kitchen, rack, manager, stock, dispatch, driver) here",
        description="Run a store screen in this terminal. Several may run at once on one "
        "store database; a change in one shows in every other within 500 ms.",
    )
    terminal.add_argument(
        "--db",
        default=_db_default(),
        type=Path,
        help="the store database file (env MAKELINE_DB; default .makeline/store.db)",
    )
    terminal.add_argument(
        "--screen",
        choices=SCREEN_NAMES,
        default=os.environ.get("MAKELINE_SCREEN", "makeline"),
        help="the screen to open (env MAKELINE_SCREEN; default makeline)",
    )
    terminal.add_argument(
        "--poll-ms",
        type=float,
        default=None,
        help="how often to look for changes by other terminals (env MAKELINE_POLL_MS; default 50)",
    )
    terminal.set_defaults(run=run_terminal)

    serve = subparsers.add_parser(
        "serve",
        help="serve one store screen to a browser (a kitchen monitor or tablet)",
        description="Serve a store screen through textual-serve, for a device that is not "
        "the store computer. Each browser tab runs its own terminal process.",
    )
    serve.add_argument("--db", default=_db_default(), type=Path, help="the store database file")
    serve.add_argument("--screen", choices=SCREEN_NAMES, default="makeline")
    serve.add_argument(
        "--host",
        default=os.environ.get("MAKELINE_SERVE_HOST", "localhost"),
        help="the address to listen on (default localhost; 0.0.0.0 for the store LAN)",
    )
    serve.add_argument("--port", type=int, default=8080)
    serve.set_defaults(run=run_serve)


def run_terminal(args: argparse.Namespace) -> int:
    from store_db.integrity import check_store_file
    from terminal.app import MakelineApp
    from terminal.config import TerminalConfig, poll_from_env

    check_store_file(args.db)  # a damaged file is said in one sentence before the screen is taken
    poll = args.poll_ms / 1000 if args.poll_ms is not None else poll_from_env()
    config = TerminalConfig(db_path=args.db, screen=args.screen, poll_s=poll)
    app = MakelineApp(config)
    try:
        run_until_stopped(app)
    finally:
        app.db.close()
    if app.fatal is not None:
        raise app.fatal
    return app.return_code or 0


def run_until_stopped(app: App[Any]) -> None:
    """Run `app` until it exits, or until SIGTERM, SIGHUP (the terminal went away) or SIGINT
    asks it to: then it exits as if quit from the keyboard, and the terminal is restored."""

    async def run() -> None:
        loop = asyncio.get_running_loop()
        asked = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
        on_main_thread = threading.current_thread() is threading.main_thread()
        if on_main_thread:
            for sig in asked:
                loop.add_signal_handler(sig, app.exit)
        try:
            await app.run_async()
        finally:
            if on_main_thread:
                for sig in asked:
                    loop.remove_signal_handler(sig)

    asyncio.run(run())


def run_serve(args: argparse.Namespace) -> int:
    from terminal.serve import serve

    serve(args.db, args.screen, args.host, args.port)
    return 0
