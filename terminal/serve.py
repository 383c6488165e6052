"""Serving one screen to browsers with textual-serve: each tab starts `makeline terminal`."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from store_db.db import StoreDB
from terminal.data.roles import spec
from terminal.errors import BadTerminalOption


def terminal_command(db: Path, screen: str) -> str:
    """The command each browser session runs: this Python, this store file, this screen."""
    spec(screen)
    return shlex.join(
        [sys.executable, "-m", "makeline", "terminal", "--db", str(db.resolve()), "--screen", screen]
    )


def serve(db: Path, screen: str, host: str, port: int) -> None:
    if not 1 <= port <= 65535:
        raise BadTerminalOption(f"Port {port} is not a TCP port; use 1–65535, e.g. 8080.")
    StoreDB(db).close()  # refuse a missing or outdated store file here, not in every browser tab
    from textual_serve.server import Server

    Server(terminal_command(db, screen), host=host, port=port, title=f"makeline {spec(screen).title}").serve()
