"""Opening a store database: the SQLite settings every connection gets, and sessions.

Every connection: WAL, `synchronous=FULL` (a taken order survives a power cut),
foreign keys on, a busy timeout. The WAL is checkpointed by a thread of its own
(`store_db.checkpoint`), not inside an order's commit. Writes begin with
`BEGIN IMMEDIATE` so two processes never deadlock upgrading a read lock, one at a time
in a process (a lock the checkpointer can hold for the last pages of a checkpoint);
reads see one snapshot, on connections SQLite itself keeps from writing (`query_only`).

The write transaction belongs to `store_db`: the other packages write by handing a
service to `StoreDB.run`, which opens the transaction, calls the service with its
session and commits. `StoreDB.write()` is for `store_db` itself (and for tests and
benchmarks arranging their data); a module of the product's other packages that
calls it is refused with `WriteOutsideStore`.
"""

from __future__ import annotations

import sqlite3
import sys
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar, cast

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from store_db.checkpoint import BACKSTOP_PAGES, WAL_LIMIT_BYTES, Checkpointer
from store_db.errors import WriteOutsideStore
from store_db.integrity import check_header, check_store_file, secure_store_files
from store_db.kept import Keeper, connection_settings
from store_db.services.rows import writing

BUSY_TIMEOUT_MS = 10_000
STATEMENTS_KEPT = 512  # prepared statements each connection keeps (pysqlite's default is 128)
# The product's packages that write only through `store_db` services.
NOT_WRITERS = ("makeline", "printers", "terminal", "sync", "cloud_api")
SERVICES = "store_db.services."

P = ParamSpec("P")
T = TypeVar("T")


def _configure(engine: Engine, begin: str, *, query_only: bool = False) -> Engine:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is deferred and late).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        if query_only:
            cursor.execute("PRAGMA query_only = ON")
        else:  # checkpoints are the `Checkpointer`'s; SQLite's own only as a backstop
            cursor.execute(f"PRAGMA wal_autocheckpoint = {BACKSTOP_PAGES}")
            cursor.execute(f"PRAGMA journal_size_limit = {WAL_LIMIT_BYTES}")
            connection_settings(dbapi_connection)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        driver = connection.connection.driver_connection
        if not driver.in_transaction:  # `StoreDB` begins its writes on the connection itself
            driver.execute(begin)  # straight to SQLite: one per write

    return engine


def make_engine(path: Path, *, write: bool = True) -> Engine:
    engine = create_engine(
        f"sqlite:///{path}", pool_size=4, max_overflow=8, connect_args={"cached_statements": STATEMENTS_KEPT}
    )
    return _configure(engine, "BEGIN IMMEDIATE" if write else "BEGIN", query_only=not write)


def _package_of(module: str) -> str:
    return module.partition(".")[0]


def _refuse_outside_store(caller: str) -> None:
    if _package_of(caller) in NOT_WRITERS:
        raise WriteOutsideStore(
            f"{caller} opened a write transaction on the store database; only store_db services "
            "write it. Call a service through StoreDB.run instead."
        )


class StoreDB:
    """A store's SQLite file. `run(service, ...)` writes through a `store_db` service in
    one transaction; `read()` hands out a session that sees one snapshot.

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
        self._writer: Connection | None = None  # the write connection, between transactions
        self._idle: Session | None = None  # its session, between transactions
        self.keeper = Keeper()  # what the write connection keeps between transactions (`store_db.kept`)
        self._reads = sessionmaker(self.read_engine, expire_on_commit=False)
        # One write transaction at a time in this process (SQLite's lock allows no more): a
        # writer waiting here is woken the moment the one before commits, and the
        # checkpointer can hold them all off for the last pages of a checkpoint.
        self._writing = threading.RLock()
        self.checkpointer = Checkpointer(self.path, self._writing)
        self._stop_checkpoints = weakref.finalize(self, self.checkpointer.stop)

    def run(self, service: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Call `service(session, *args, **kwargs)` in one write transaction: committed when
        it returns, rolled back whole when it raises. `service` is a function of
        `store_db.services`; anything else is refused with `WriteOutsideStore`."""
        module = getattr(service, "__module__", None) or ""
        if not module.startswith(SERVICES):
            name = getattr(service, "__qualname__", repr(service))
            raise WriteOutsideStore(
                f"{module}.{name} is not a store_db service; only store_db services write the store database."
            )
        with self._transaction() as session:
            return service(session, *args, **kwargs)

    def write(self) -> AbstractContextManager[Session]:
        """One write transaction: committed on exit, rolled back whole on any error.
        For `store_db` itself; other packages write through `run`."""
        _refuse_outside_store(str(sys._getframe(1).f_globals.get("__name__", "")))
        return self._transaction()

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        with self._writing:
            # The write connection stays checked out between transactions (the pool's checkout
            # and a connection's setup cost more than a counter's statements). The transaction
            # is begun and committed on the SQLite connection itself: the session is handed
            # that connection (`rows.writing`), and SQLAlchemy begins a transaction of its own
            # in it only when the service uses the ORM (then the session commits it).
            # The session serves again too: closed (emptied) when the ORM used it, its info cleared.
            connection, self._writer = self._writer or self.engine.connect(), None
            raw = cast(sqlite3.Connection, connection.connection.driver_connection)
            session, self._idle = self._idle or Session(connection, expire_on_commit=False), None
            session.info.clear()
            self.keeper.attach(session)
            try:
                raw.execute("BEGIN IMMEDIATE")
                writing(session, raw)
                yield session
                session.flush()
                if session.in_transaction():
                    session.commit()
                else:
                    raw.execute("COMMIT")
            except BaseException:
                self.keeper.rolled_back(session)
                session.close()
                if raw.in_transaction:
                    raw.execute("ROLLBACK")
                connection.close()  # a fresh connection for the next write
                raise
            self.keeper.committed(session)
            if session.identity_map or session.in_transaction():
                session.close()
            self._idle = session
            self._writer = connection
            self.checkpointer.committed()

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
        self._stop_checkpoints()
        with self._writing:
            self._idle = None
            if self._writer is not None:
                self._writer.close()
                self._writer = None
        if self._watch is not None:
            self._watch.close()
            self._watch = None
        self.engine.dispose()
        self.read_engine.dispose()

    def __enter__(self) -> StoreDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
