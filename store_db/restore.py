"""Making a store database from the cloud's snapshot (`makeline restore`): a fresh file,
written whole in one transaction, put in place only when complete, and never over a
store file that is already there (a damaged one is moved aside by hand first, on purpose).
"""

from __future__ import annotations

import contextlib
import os
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from store_db import migrate
from store_db.db import StoreDB
from store_db.errors import StoreDatabaseError, StoreFileExists
from store_db.models import utcnow
from store_db.services.restore import Manager, Restored, restore
from sync.contract.snapshot import StoreSnapshot

_SIDE_FILES = ("-wal", "-shm", "-journal")


def refuse_existing(path: Path) -> None:
    """Raise `StoreFileExists` when there is a store file (or what is left of one) at `path`."""
    there = [p for p in (path, *(Path(f"{path}{s}") for s in _SIDE_FILES)) if p.exists()]
    if there:
        raise StoreFileExists(
            f"There is already a store file at {there[0]}; a restore never writes over one. Move it "
            f"aside (for example: mv {path} {path}.damaged), then run makeline restore again."
        )


def check_target(path: Path) -> None:
    """Refuse, before anything is asked of the cloud, a place a store file cannot be written:
    a file already there, or a folder this user may not write in."""
    refuse_existing(path)
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreDatabaseError(
            f"Cannot make the folder {folder} for the store file ({exc.strerror}); choose another --db."
        ) from exc
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StoreDatabaseError(
            f"This user may not write in {folder}; choose another --db, or run as the store's user."
        )


def restore_store(
    path: Path,
    snapshot: StoreSnapshot,
    cloud_url: str,
    device_token: str,
    *,
    device_label: str = "",
    manager: Manager | None = None,
    at: datetime | None = None,
) -> Restored:
    """Write `snapshot` into a new store file at `path`; nothing is left behind on failure."""
    check_target(path)
    work = path.with_name(f".{path.name}.restoring")
    _remove(work)
    try:
        migrate.upgrade(work)
        with StoreDB(work) as db:
            try:
                done = db.run(
                    restore,
                    snapshot,
                    cloud_url,
                    device_token,
                    at or utcnow(),
                    device_label=device_label,
                    manager=manager,
                )
            except SQLAlchemyError as exc:  # the snapshot contradicts itself (two orders #1042 …)
                raise StoreDatabaseError(
                    f"The cloud's picture of the store could not be written ({type(exc).__name__}: "
                    f"{str(exc.orig if hasattr(exc, 'orig') else exc)[:160]}); nothing was written. "
                    "Ask head office for a new re-enrollment code and try again; if it happens again, "
                    "call support."
                ) from exc
        # A hard link fails if the name is taken meanwhile: never over another file.
        try:
            os.link(work, path)
        except FileExistsError:
            refuse_existing(path)
            raise
    finally:
        _remove(work)
    return done


def _remove(work: Path) -> None:
    for p in (work, *(Path(f"{work}{s}") for s in _SIDE_FILES)):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
