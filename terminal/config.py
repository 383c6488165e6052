"""How one terminal process is set up: which store file, which screen, how it tells time."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from terminal.data.roles import spec
from terminal.data.watcher import DEFAULT_INTERVAL_S
from terminal.errors import BadTerminalOption


def system_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class TerminalConfig:
    db_path: Path
    screen: str = "makeline"
    poll_s: float = DEFAULT_INTERVAL_S
    # The clock every screen reads; tests and snapshots pass a fixed one.
    now: Callable[[], datetime] = system_now
    cursor_blink: bool = True
    # The benchmark's make line without its newer panels (the unseen-order alarm check, the
    # allergy and care bands), to print their cost beside it; never set by `makeline terminal`.
    bare: bool = False

    def __post_init__(self) -> None:
        spec(self.screen)
        if not 0.005 <= self.poll_s <= 5:
            raise BadTerminalOption(
                f"A poll interval of {self.poll_s * 1000:g} ms is out of range; use 5 to 5000 ms."
            )


def poll_from_env(default: float = DEFAULT_INTERVAL_S) -> float:
    raw = os.environ.get("MAKELINE_POLL_MS")
    if not raw:
        return default
    try:
        return float(raw) / 1000
    except ValueError as exc:
        raise BadTerminalOption(f"MAKELINE_POLL_MS='{raw}' is not a number of milliseconds.") from exc
