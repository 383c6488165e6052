"""The cloud's background work below customers' requests on the CPU: the appliers and the
storer, and their PostgreSQL backends when the database runs on the same machine.

A nice value alone does not do it on Linux with autogroup on (`kernel.sched_autogroup_enabled`,
Debian's and most distributions' default): the scheduler shares the CPU between sessions
first, evenly, and by nice only within each. Every PostgreSQL backend starts a session of its
own, so a backend lowered to nice 10 still got a whole session's share, as much as a
customer's backend; and the appliers, in `makeline cloud`'s session, shared one session's
share with the workers. So `makeline cloud` starts each background process in a session of
its own, and `lower` lowers a session leader's session (`/proc/<pid>/autogroup`) with the
process (without autogroup the nice value is the whole of it), and makes it `SCHED_IDLE`:
it runs when no other process wants the CPU, and a customer's request waking takes the CPU
from it at once rather than at the end of its time slice. Between background processes
their sessions' nice values still share the CPU: the storer's three times an applier's.
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Engine, event

APPLIER_NICE = 10  # below the storer: what is stored is acknowledged before it is applied
STORER_NICE = 5  # below the workers: customers first
# The stores' own workers (`sync.front`): below the customers' workers, never idle-only (a
# store's heartbeat is answered in milliseconds however busy the storer and appliers are).
SYNC_NICE = 2


def lower(pid: int, nice: int, idle: bool = True) -> bool:
    """The process `pid` (0: this one; its threads and children started after inherit it) at
    `nice` at least, and its session too when it leads one of its own, run only when no other
    process wants the CPU (`SCHED_IDLE`) unless `idle` is False. True when lowered; False when
    we may not."""
    pid = pid or os.getpid()
    try:
        os.setpriority(os.PRIO_PROCESS, pid, max(os.getpriority(os.PRIO_PROCESS, pid), nice))
        if idle and hasattr(os, "SCHED_IDLE"):  # Linux's; elsewhere (a Mac) the nice value alone
            os.sched_setscheduler(pid, os.SCHED_IDLE, os.sched_param(0))
        if os.getsid(pid) == pid:  # its session is its own: lowering it lowers nobody else
            session = Path(f"/proc/{pid}/autogroup")
            if session.exists() and session_nice(pid) < nice:
                session.write_text(f"{nice}\n", encoding="ascii")
    except OSError:
        return False
    return True


def session_nice(pid: int) -> int:
    """The nice value of the process's session (its autogroup: "/autogroup-7 nice 5"), 0 when
    the kernel has none."""
    try:
        return int(Path(f"/proc/{pid}/autogroup").read_text(encoding="ascii").split()[-1])
    except (OSError, ValueError, IndexError):
        return 0


def lower_backend(dbapi_connection: Any, _record: object = None, *, nice: int) -> bool:
    """The PostgreSQL backend serving this connection lowered to `nice` (an engine's "connect"
    listener) when it runs on this machine (a Unix socket or a loopback address): the
    background work's SQL then yields the CPU to the backends of customers' requests, as its
    Python does. A server elsewhere or one we may not renice is left as it is."""
    if not isinstance(dbapi_connection, psycopg.Connection):
        return False
    info = dbapi_connection.info
    if not (info.host.startswith("/") or info.host in ("localhost", "127.0.0.1", "::1")):
        return False
    pid = info.backend_pid
    try:  # the pid is this machine's PostgreSQL backend, not some other process
        if Path(f"/proc/{pid}/comm").read_text(encoding="utf-8").strip() != "postgres":
            return False
    except OSError:
        return False
    return lower(pid, nice)


def lower_engine(engine: Engine, nice: int) -> None:
    """Every PostgreSQL backend `engine` connects to from now on lowered to `nice`, and those
    it holds already (a context's checks at its start) closed, to be opened again lowered."""
    event.listen(engine, "connect", partial(lower_backend, nice=nice))
    engine.dispose()
