"""Is this file a sound store database? Checked at every start, before anything reads it.

`check_store_file(path)` looks, cheapest first: the file is there; it starts with a SQLite
header and is as long as that header says; SQLite's `PRAGMA quick_check` finds nothing
wrong; it carries makeline's schema at the revision this makeline needs. Each failure is
one sentence saying what is wrong and what to do: a damaged file is restored from the
cloud, a file of another program is the wrong `--db`, an old schema is migrated.

`secure_store_files(path)` keeps the file, its `-wal` and its `-shm` (they hold customers'
details and the store's device credential) readable by their owner only: a file found
open to others is made owner-only (0600), or, when this user may not change it, reported.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

from store_db.errors import NotAStoreDatabase, StoreDatabaseError, StoreFileDamaged

log = logging.getLogger("store_db.integrity")

HEADER = b"SQLite format 3\x00"
HEADER_SIZE = 100
OWNER_ONLY = 0o600


def companions(path: Path) -> tuple[Path, Path, Path]:
    """The database file and the two files SQLite keeps beside it in WAL mode."""
    return path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


def damaged(path: Path, reason: str) -> StoreFileDamaged:
    return StoreFileDamaged(
        f"The store database {path} is damaged ({reason}). Move it aside (mv {path} {path}.damaged), "
        f"then rebuild it from the cloud with `makeline restore --db {path} --cloud URL --code CODE` "
        "(ask head office for a re-enrollment code for this store)."
    )


def missing(path: Path) -> StoreDatabaseError:
    return StoreDatabaseError(
        f"There is no store database at {path}. Create it with: makeline init-store --db {path} --demo "
        f"(or, to rebuild a store the cloud knows: makeline restore --db {path} --cloud URL --code CODE)"
    )


def check_header(path: Path, *, allow_empty: bool = False) -> None:
    """The file exists, is a SQLite database by its first 100 bytes, and is not cut short.

    An empty file holds no store: it is either cut to nothing or new; `init-store`
    (`allow_empty`) makes it a store.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        raise missing(path) from None
    if not stat.S_ISREG(info.st_mode):
        raise StoreDatabaseError(f"{path} is not a file; give the store database's file with --db.")
    try:
        with path.open("rb") as file:
            head = file.read(HEADER_SIZE)
    except OSError as exc:
        raise StoreDatabaseError(
            f"The store database {path} cannot be read ({exc.strerror}); check who owns it."
        ) from exc
    if not head:
        if allow_empty:
            return
        raise StoreDatabaseError(
            f"The store database {path} is empty. If it held this store's data, move it aside "
            f"(mv {path} {path}.damaged) and rebuild it from the cloud with `makeline restore --db "
            f"{path} --cloud URL --code CODE` (ask head office for a re-enrollment code); for a new "
            f"store, Run: makeline init-store --db {path}"
        )
    if not head.startswith(HEADER):
        raise damaged(path, "it does not start with a SQLite header")
    if len(head) < HEADER_SIZE:
        raise damaged(path, f"it is cut short at {len(head)} bytes")
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise damaged(path, "its header names no valid page size")
    pages = int.from_bytes(head[28:32], "big")
    size_valid = head[24:28] == head[92:96]  # SQLite's own test that `pages` is current
    wal = companions(path)[1]
    wal_holds_pages = wal.exists() and wal.stat().st_size > 0
    if size_valid and not wal_holds_pages and info.st_size < pages * page_size:
        raise damaged(path, f"it is cut short: {info.st_size:,} of {pages * page_size:,} bytes")


def check_store_file(path: Path, *, schema: bool = True) -> None:
    """Raise a `StoreDatabaseError` that says what to do unless `path` is a sound store file.

    With `schema=False` the schema revision is not checked (for `init-store`, which
    migrates; a file of another program is still refused).
    """
    check_header(path, allow_empty=not schema)
    if path.stat().st_size == 0:
        return
    try:
        with _connect(path) as conn:
            found = [str(row[0]) for row in conn.execute("PRAGMA quick_check")]
            if found != ["ok"]:
                raise damaged(path, f"SQLite's check found: {_first_problem(found)}")
            tables = {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master")}
            row = None
            if "alembic_version" in tables:
                row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            raise StoreDatabaseError(
                f"The store database {path} is locked by another program; try again in a moment."
            ) from exc
        raise damaged(path, f"SQLite's check found: {exc}") from exc
    current = None if row is None else str(row[0])
    if (tables and current is None) or (current is not None and not current.isdigit()):
        raise NotAStoreDatabase(
            f"{path} is a SQLite database of another program, not a makeline store "
            "database; give the store's file with --db, or create one with: "
            "makeline init-store --db PATH --demo"
        )
    if not schema:
        return
    from store_db.migrate import head_revision

    head = head_revision()
    if current == head:
        return
    found_text = "no makeline schema" if current is None else f"schema {current}"
    advice = (
        "It was made by a newer makeline; update makeline on this computer."
        if current is not None and current > head
        else f"Run: makeline init-store --db {path}"
    )
    raise StoreDatabaseError(f"{path} has {found_text}; this makeline needs schema {head}. {advice}")


@contextlib.contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    # mode=rw: never create a file that is not there (it may have been deleted since).
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=10)
    try:
        yield conn
    finally:
        conn.close()


def _first_problem(found: list[str]) -> str:
    lines = [line for row in found for line in row.splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("*** in database")]
    more = f" and {len(lines) - 1} more problem(s)" if len(lines) > 1 else ""
    return f"{lines[0] if lines else found[0]}{more}"


def secure_store_files(path: Path) -> list[str]:
    """Make the store file and its WAL companions owner-only; a sentence per file changed
    or left open (also logged as a warning)."""
    said: list[str] = []
    for file in companions(path):
        try:
            mode = stat.S_IMODE(file.stat().st_mode)
        except FileNotFoundError:
            continue
        if not mode & 0o077:
            continue
        try:
            file.chmod(OWNER_ONLY)
        except OSError:
            said.append(
                f"{file} can be read by other users of this computer (mode {mode:04o}) and this "
                f"user may not change it; run: chmod 600 {file}"
            )
        else:
            said.append(
                f"{file} could be read by other users of this computer (mode {mode:04o}); "
                "it is now readable by its owner only (0600)."
            )
    for sentence in said:
        log.warning("%s", sentence)
    return said


@contextlib.contextmanager
def owner_only_files() -> Iterator[None]:
    """New files made in this block are readable by their owner only (umask 077).

    The umask is the process's, so this is for creating a store at a command's start,
    not for a server's threads.
    """
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def create_owner_only(path: Path) -> None:
    """Create `path` empty and owner-only unless it exists; SQLite gives its `-wal` and
    `-shm` the database file's own mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY)
    except FileExistsError:
        return
    os.close(fd)
