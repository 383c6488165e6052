"""`makeline cloud`: migrate the database, optionally seed the demo chain, and serve the
API under uvicorn with N stateless workers. With no database URL it starts an
embedded PostgreSQL in `--data-dir`, so one command works on a laptop."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cloud_api.settings import CloudSettings

# Settings the CLI hands to its worker processes through the environment.
_ENV = {
    "host": "MAKELINE_HOST",
    "port": "MAKELINE_PORT",
    "sync_port": "MAKELINE_SYNC_PORT",
    "sync_workers": "MAKELINE_SYNC_WORKERS",
    "demo": "MAKELINE_DEMO",
    "public_url": "MAKELINE_PUBLIC_URL",
}


# The workers' and appliers' memory allocator: two arenas rather than one per thread (the
# handler and sync threads each kept their own, full of freed pushes), and large blocks (a
# store's batch, its parsed events) always mapped and given back when freed, instead of the
# threshold growing until they stay in the heap. 200 stores' storm: 248 → 190 MiB a worker.
_MALLOC = {"MALLOC_ARENA_MAX": "2", "MALLOC_MMAP_THRESHOLD_": "131072"}


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "cloud",
        help="serve the chain's cloud API (embedded PostgreSQL unless DATABASE_URL is set)",
        description="Serve the cloud API: online orders, payments, tracking, texts, reports.",
    )
    parser.add_argument("--database-url", help="PostgreSQL URL (default: $DATABASE_URL, else embedded)")
    parser.add_argument(
        "--data-dir", type=Path, help="embedded PostgreSQL folder (default ./.makeline/cloud-pg)"
    )
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default 8000)")
    parser.add_argument("--workers", type=int, help="worker processes (default 1)")
    parser.add_argument(
        "--sync-port",
        type=int,
        help="serve the stores' sync (heartbeats, pushes) on workers of its own on this port, "
        "below the customers' on the CPU (default: on the same workers)",
    )
    parser.add_argument("--sync-workers", type=int, help="the stores' worker processes (default 1)")
    parser.add_argument("--public-url", help="the address customers reach, for tracking links")
    parser.add_argument(
        "--demo",
        action="store_true",
        default=None,
        help="seed the demo chain once (menu, store OP-001, hq@makeline.test, customers)",
    )
    parser.set_defaults(run=run)


def settings_from(args: argparse.Namespace) -> CloudSettings:
    given = {
        name: getattr(args, name, None)
        for name in (
            "database_url",
            "data_dir",
            "host",
            "port",
            "workers",
            "sync_port",
            "sync_workers",
            "public_url",
            "demo",
        )
    }
    return CloudSettings(**{k: v for k, v in given.items() if v is not None})


def run(args: argparse.Namespace) -> int:
    """Serve until stopped. SIGTERM (a service manager's stop) and SIGINT (Ctrl-C) both end
    it cleanly: uvicorn finishes its requests, the embedded PostgreSQL is stopped, exit 0."""
    previous = signal.getsignal(signal.SIGTERM)
    on_main_thread = threading.current_thread() is threading.main_thread()
    if on_main_thread:
        # SIGTERM behaves as Ctrl-C does: uvicorn shuts down, then raises it again here.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        return _serve(args)
    except KeyboardInterrupt:
        print("makeline cloud: stopped.", flush=True)
        return 0
    finally:
        if on_main_thread:
            signal.signal(signal.SIGTERM, previous)


def _serve(args: argparse.Namespace) -> int:
    from cloud_api import logs
    from cloud_api.context import check_settings
    from cloud_api.db import wal, writeback
    from cloud_api.db.base import utcnow
    from cloud_api.db.database import Database
    from cloud_api.db.migrate import upgrade
    from cloud_api.demo import DEMO_PASSWORD, HEAD_OFFICE_EMAIL
    from cloud_api.demo.seed import seed
    from cloud_api.embedded import EmbeddedPostgres
    from cloud_api.serving import serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logs.install()
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    settings = settings_from(args)
    check_settings(settings)  # before anything starts: a clear sentence, no traceback
    embedded: EmbeddedPostgres | None = None
    beside: list[subprocess.Popen[bytes]] = []  # the processes started beside the workers
    folder = ""
    url = settings.database_url or ""
    if not url:
        embedded = EmbeddedPostgres(settings.data_dir)
    try:
        if embedded is not None:
            url = embedded.ensure_database()
            print(f"makeline cloud: embedded PostgreSQL in {embedded.data_dir}", flush=True)
        upgrade(url)
        if embedded is not None:
            wal.keep_ready(url)
            if (told := writeback.machine_advice()) is not None:  # its disk is this machine's
                print(f"makeline cloud: {told}", flush=True)
        elif (advice := wal.advice(url)) is not None:
            print(f"makeline cloud: {advice}", flush=True)
        if settings.demo:
            db = Database(url, pool_size=1, max_overflow=0)
            with db.transaction() as session:
                seeded = seed(session, utcnow())
            db.dispose()
            state = "seeded" if seeded.created else "already there"
            print(
                f"makeline cloud: demo chain {state}; demo store OP-001 is {seeded.store_id}; "
                f"head office {HEAD_OFFICE_EMAIL} / {DEMO_PASSWORD}"
            )
        os.environ["DATABASE_URL"] = url
        for name, value in _MALLOC.items():  # read by each process's C library as it starts
            os.environ.setdefault(name, value)
        for name, variable in _ENV.items():
            value = getattr(settings, name)
            os.environ[variable] = str(value).lower() if isinstance(value, bool) else str(value)
        beside = _start_appliers(settings.appliers, settings.quiet_appliers) if settings.background else []
        if settings.background:
            folder = tempfile.mkdtemp(prefix="makeline-storer-")  # the owner's only (0700)
            beside.append(_start_storer(folder))
        if settings.sync_port:
            beside.append(_start_sync_front())
            print(
                f"makeline cloud: the stores' sync at http://{settings.host}:{settings.sync_port}"
                f"/api/v1/sync with {settings.sync_workers} worker(s) of its own"
            )
        print(
            f"makeline cloud: serving http://{settings.host}:{settings.port}/api/v1 "
            f"(docs at /api/v1/docs) with {settings.workers} worker(s)"
        )
        serve(settings.host, settings.port, settings.workers)
    finally:
        for process in beside:
            _stop(process)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
        if embedded is not None:
            with _signals_held():  # a second Ctrl-C must not cut the database's stop short
                embedded.stop()
    return 0


def _start_appliers(count: int, quiet: int = 0) -> list[subprocess.Popen[bytes]]:
    """Background processes beside the workers (`cloud_api.sync.applier`, at a lower
    priority): stores' pushed events are applied there (one store by one applier at a time)
    and the texts, emails and refunds sent from the first, customers' requests keep the
    workers. The `quiet` ones apply only once the stores' pushes have gone quiet."""
    from cloud_api.sync.applier import AFTER_QUIET

    os.environ["MAKELINE_APPLIER_IN_WORKER"] = "false"
    os.environ["MAKELINE_SENDERS_IN_WORKER"] = "false"
    return [
        subprocess.Popen(
            [sys.executable, "-m", "cloud_api.sync.applier"],
            env={
                **os.environ,
                "MAKELINE_APPLIER_PARENT": str(os.getpid()),
                "MAKELINE_APPLIER_SENDS": "true" if n == 0 else "false",  # the senders run once
                AFTER_QUIET: "true" if n >= max(1, count) else "false",
            },
            start_new_session=True,  # a session of its own, lowered with it (`sync.priority`)
        )
        for n in range(max(1, count) + max(0, quiet))
    ]


def _start_storer(folder: str) -> subprocess.Popen[bytes]:
    """The storer process (`cloud_api.sync.storer`), listening in `folder`: the workers hand
    it the pushes they admit, so reading and storing a store's batch never holds a worker's
    interpreter while customers' orders wait on its event loop. It removes the folder when it
    stops, also after this process was killed outright."""
    os.environ["MAKELINE_STORER_SOCKET"] = str(Path(folder) / "storer.sock")  # the workers' settings
    return subprocess.Popen(
        [sys.executable, "-m", "cloud_api.sync.storer"],
        env={**os.environ, "MAKELINE_APPLIER_PARENT": str(os.getpid()), "MAKELINE_STORER_FOLDER": folder},
        start_new_session=True,  # a session of its own, lowered with it (`sync.priority`)
    )


def _start_sync_front() -> subprocess.Popen[bytes]:
    """The stores' workers (`cloud_api.sync.front`) on the sync port, in a session of their
    own lowered with it: a storm of stores never shares an event loop with a customer's order."""
    from cloud_api.sync import front

    return subprocess.Popen(
        [sys.executable, "-m", "cloud_api.sync.front"],
        env={**os.environ, front.PARENT: str(os.getpid())},
        start_new_session=True,  # a session of its own, lowered with it (`sync.priority`)
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in held.items():
            signal.signal(sig, handler)
