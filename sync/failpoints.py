"""Fail-points: named spots in the agent and the push endpoint where a fault test can
make the process die, stall or fail, chosen by the `MAKELINE_FAILPOINTS` variable.

    MAKELINE_FAILPOINTS="agent.after_answer=kill@3,push.after_commit=hang:1.5"

`name=ACTION[@N]`: ACTION is `kill` (SIGKILL this process), `hang:SECONDS` (stall
here) or `error` (raise `FailPointError`); with `@N` only the N-th time the spot is
reached in this process, else every time. The variable is read on every hit, so a
test may arm and disarm spots in a running process. Unset, `hit` costs a dict lookup.

Spots: `agent.before_push` (a batch is read, nothing sent), `agent.after_answer` (the
cloud answered, the store has not recorded it), `agent.mid_page` (a feed page is
applied inside its SQLite transaction, not committed), `push.mid_batch` (a batch
is stored inside the cloud's transaction, not committed), `push.after_commit` (the cloud committed a
batch and has not answered).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from dataclasses import dataclass

ENV = "MAKELINE_FAILPOINTS"


class FailPointError(RuntimeError):
    pass


@dataclass(frozen=True)
class Action:
    kind: str  # kill, hang, error
    seconds: float = 0.0
    nth: int | None = None


_lock = threading.Lock()
_hits: Counter[str] = Counter()
_parsed: tuple[str, dict[str, Action]] = ("", {})


def parse(spec: str) -> dict[str, Action]:
    """`name=kill@3,other=hang:2` → actions by spot name; malformed parts are refused."""
    actions: dict[str, Action] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, _, rest = part.partition("=")
        what, _, nth = rest.partition("@")
        kind, _, seconds = what.partition(":")
        if not name or kind not in ("kill", "hang", "error"):
            raise ValueError(f"{ENV}: cannot read '{part}' (write name=kill|hang:S|error[@N])")
        actions[name.strip()] = Action(kind, float(seconds or 0), int(nth) if nth else None)
    return actions


def _armed() -> dict[str, Action]:
    global _parsed
    spec = os.environ.get(ENV, "")
    if spec != _parsed[0]:
        _parsed = (spec, parse(spec))
    return _parsed[1]


def hits(name: str) -> int:
    """How often `name` fired in this process."""
    with _lock:
        return _hits[f"fired:{name}"]


def hit(name: str) -> None:
    """Pass through the spot `name`, doing what the variable asks there, if anything."""
    armed = _armed()
    action = armed.get(name) if armed else None
    if action is None:
        return
    with _lock:
        _hits[name] += 1
        if action.nth is not None and _hits[name] != action.nth:
            return
        _hits[f"fired:{name}"] += 1
    if action.kind == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(10)  # the signal is on its way
    elif action.kind == "hang":
        time.sleep(action.seconds)
    else:
        raise FailPointError(f"fail-point {name}")
