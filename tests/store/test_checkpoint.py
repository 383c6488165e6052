"""The WAL is checkpointed beside the order path, and never grows without bound.

An order's commit only appends to the WAL and fsyncs it; the `Checkpointer`'s thread
copies the pages into the database file once the counter is quiet. What the database
file holds is read from a copy of it alone (no WAL beside it): an order found there was
checkpointed.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text

from store_db.checkpoint import BACKSTOP_PAGES
from store_db.db import StoreDB
from store_db.services.orders import place_order
from tests.store.helpers import T0, carryout
from tests.sync.helpers import eventually

WAL_HEADER, FRAME_HEADER = 32, 24


def orders_in_file(path: Path, scratch: Path) -> int | None:
    """Orders the database file holds by itself; None while a checkpoint is half-way through it."""
    copy = scratch / "file-alone.db"
    shutil.copyfile(path, copy)
    conn = sqlite3.connect(f"file:{copy}?mode=ro&immutable=1", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM orders").fetchone()[0])
    except sqlite3.DatabaseError:
        return None
    finally:
        conn.close()


def wal_frames(path: Path, page_size: int) -> int:
    wal = path.with_name(path.name + "-wal")
    size = wal.stat().st_size if wal.exists() else 0
    return max(0, size - WAL_HEADER) // (FRAME_HEADER + page_size)


def test_orders_reach_the_database_file_once_the_counter_is_quiet(db: StoreDB, tmp_path: Path) -> None:
    before = orders_in_file(db.path, tmp_path)
    assert before is not None
    for n in range(5):
        db.run(place_order, carryout(), T0 + timedelta(minutes=n))
    # Caught up, not only copied: the checkpoint that copied them is counted and over.
    eventually(
        lambda: orders_in_file(db.path, tmp_path) == before + 5 and db.checkpointer.caught_up,
        what="the five orders checkpointed into the database file",
    )
    frames, copied = db.checkpointer.last
    assert frames == copied  # everything in the WAL was copied...
    done = db.checkpointer.checkpoints
    db.run(place_order, carryout(), T0 + timedelta(minutes=6))
    eventually(lambda: db.checkpointer.checkpoints > done, what="the sixth order checkpointed")
    # ...so the sixth order started the WAL again: it holds that one order (~30-50 pages),
    # not all six (180 or more).
    assert db.checkpointer.last[0] < 120


def test_an_orders_commit_does_not_checkpoint(db: StoreDB, tmp_path: Path) -> None:
    db.checkpointer.stop()  # no thread: only the commits themselves could checkpoint
    before = orders_in_file(db.path, tmp_path)
    for n in range(20):
        db.run(place_order, carryout(), T0 + timedelta(minutes=n))
    assert orders_in_file(db.path, tmp_path) == before
    with db.read() as session:  # ...and every one of them is committed, in the WAL
        assert session.execute(text("SELECT count(*) FROM orders")).scalar_one() == (before or 0) + 20


def test_a_stream_with_no_quiet_moment_keeps_the_wal_under_its_bound(db: StoreDB) -> None:
    """Without the thread at all (the worst case: it never finishes between two commits),
    the backstop checkpoints and the WAL starts again from its beginning."""
    db.checkpointer.stop()
    with db.write() as session:
        session.execute(text("CREATE TABLE scratch (id INTEGER PRIMARY KEY, body BLOB)"))
        page_size = int(session.execute(text("PRAGMA page_size")).scalar_one())
    body = b"\x00" * (256 * page_size)  # ~260 pages a commit
    per_commit = 270
    commits = 2 * BACKSTOP_PAGES // 257
    largest = 0
    for _ in range(commits):
        with db.write() as session:
            session.execute(text("INSERT INTO scratch (body) VALUES (:b)"), {"b": body})
        largest = max(largest, wal_frames(db.path, page_size))
    assert BACKSTOP_PAGES - per_commit <= largest <= BACKSTOP_PAGES + per_commit
    with db.read() as session:
        assert session.execute(text("SELECT count(*) FROM scratch")).scalar_one() == commits
