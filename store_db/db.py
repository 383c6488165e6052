"""Opening a store database: the SQLite settings every connection gets, and sessions.

Every connection: WAL, `synchronous=FULL` (a taken order survives a power cut),
foreign keys on, a busy timeout. Writes begin with `BEGIN IMMEDIATE` so two
processes never deadlock upgrading a read lock; reads see one snapshot.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from store_db.integrity import check_header, check_store_file, secure_store_files

BUSY_TIMEOUT_MS = 10_000


def _configure(engine: Engine, begin: str) -> Engine:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is deferred and late).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine


def make_engine(path: Path, *, write: bool = True) -> Engine:
    engine = create_engine(f"sqlite:///{path}", pool_size=4, max_overflow=8)
    return _configure(engine, "BEGIN IMMEDIATE" if write else "BEGIN")


class StoreDB:
    """A store's SQLite file. `write()` and `read()` hand out sessions in one transaction.

    Opening checks the file first (`store_db.integrity`): a missing, damaged or foreign
    file, or one of another schema, raises a `StoreDatabaseError` that says what to do;
    `check_schema=False` checks only its header (the terminal checks the rest once its
    screen is up). The file and its WAL are kept readable by their owner only.
    """

    def __init__(self, path: Path | str, *, check_schema: bool = True) -> None:
        self.path = Path(path)
        self._watch: sqlite3.Connection | None = None
        if check_schema:
            check_store_file(self.path)
        else:
            check_header(self.path)
        secure_store_files(self.path)
        self.engine = make_engine(self.path, write=True)
        self.read_engine = make_engine(self.path, write=False)
        self._writes = sessionmaker(self.engine, expire_on_commit=False)
        self._reads = sessionmaker(self.read_engine, expire_on_commit=False)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed on exit, rolled back whole on any error."""
        with self._writes() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reads() as session, session.begin():
            yield session

    def data_version(self) -> int:
        """Changes when another connection commits; comparable only on this one connection."""
        if self._watch is None:
            self._watch = sqlite3.connect(self.path, check_same_thread=False)
        return int(self._watch.execute("PRAGMA data_version").fetchone()[0])

    def integrity_check(self) -> str:
        with self.read_engine.connect() as conn:
            return str(conn.execute(text("PRAGMA integrity_check")).scalar_one())

    def close(self) -> None:
        if self._watch is not None:
            self._watch.close()
            self._watch = None
        self.engine.dispose()
        self.read_engine.dispose()

    def __enter__(self) -> StoreDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
