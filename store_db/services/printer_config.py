"""The printers configured in this store: adding, listing and removing them.

What a printer URL or a paper profile may be is printing's business, not the store's:
the caller passes `check_url` and `check_profile`, which return the value to keep (made
canonical) or raise an error that says what is wrong. Every refusal comes before the
first write.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from store_db.errors import BadInput, NotFound
from store_db.models import Printer, PrintJob

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
WAITING = ("queued", "sending")


def add_printer(
    session: Session,
    name: str,
    url: str,
    prints: Sequence[str],
    at: datetime,
    *,
    documents: Collection[str],
    check_url: Callable[[str], str],
    check_profile: Callable[[str], str],
    backup: str | None = None,
    profile: str = "80mm",
) -> Printer:
    """Add printer `name` at `url` printing `prints` (each one of `documents`)."""
    name = name.strip().lower()
    if not NAME.match(name):
        raise BadInput(
            f"'{name}' cannot name a printer; use up to 40 lowercase letters, digits, - or _ "
            "(for example kitchen or front)."
        )
    existing = session.get(Printer, name)
    if existing is not None:
        raise BadInput(
            f"There already is a printer '{name}' ({existing.url}); remove it first with "
            f"makeline printer remove {name}."
        )
    wanted = [p.strip().lower() for p in prints if p.strip()]
    if not wanted:
        raise BadInput(f"Say what printer '{name}' prints: --prints {','.join(sorted(documents))}.")
    unknown = [p for p in wanted if p not in documents]
    if unknown:
        raise BadInput(
            f"A printer cannot print '{', '.join(unknown)}'; choose from: {', '.join(sorted(documents))}."
        )
    url = check_url(url)
    profile = check_profile(profile)
    if backup is not None:
        backup = backup.strip().lower()
        if backup == name:
            raise BadInput(f"Printer '{name}' cannot be its own backup; name another printer.")
        if session.get(Printer, backup) is None:
            raise NotFound(
                f"There is no printer '{backup}' to back up '{name}'; add it first, or leave out --backup."
            )
    printer = Printer(
        name=name,
        url=url,
        prints=",".join(dict.fromkeys(wanted)),
        backup=backup,
        profile=profile,
        enabled=True,
        created_at=at,
    )
    session.add(printer)
    return printer


def list_printers(session: Session) -> list[Printer]:
    return list(session.scalars(select(Printer).order_by(Printer.name)))


def remove_printer(session: Session, name: str, *, move_to: str | None = None) -> int:
    """Remove printer `name`. Its waiting jobs move to `move_to` (marked as its backup's);
    without `move_to` a printer with waiting jobs is kept. Returns how many jobs moved."""
    name = name.strip().lower()
    printer = session.get(Printer, name)
    if printer is None:
        known = ", ".join(p.name for p in list_printers(session)) or "none yet"
        raise NotFound(f"There is no printer '{name}'; printers: {known}.")
    backed = [p.name for p in list_printers(session) if p.backup == name]
    if backed:
        raise BadInput(
            f"Printer '{name}' is the backup of {', '.join(repr(b) for b in backed)}; remove "
            f"{'that printer' if len(backed) == 1 else 'those printers'} first, or add them again "
            "with another backup."
        )
    waiting = session.scalar(
        select(func.count())
        .select_from(PrintJob)
        .where(PrintJob.printer == name, PrintJob.status.in_(WAITING))
    )
    if waiting and move_to is None:
        raise BadInput(
            f"Printer '{name}' still has {waiting} job(s) waiting; they would never print. "
            f"Add --move-to OTHER to print them on another printer."
        )
    if waiting and move_to is not None:
        target = session.get(Printer, move_to.strip().lower())
        if target is None or target.name == name:
            raise NotFound(f"There is no other printer '{move_to}' to take the jobs of '{name}'.")
        jobs = PrintJob.printer == name, PrintJob.status.in_(WAITING)
        # A job caught mid-send may have partly printed: it prints again marked REPRINT.
        session.execute(update(PrintJob).where(*jobs, PrintJob.status == "sending").values(reprint=True))
        session.execute(
            update(PrintJob)
            .where(*jobs)
            .values(
                printer=target.name,
                backup_of=func.coalesce(PrintJob.backup_of, name),
                status="queued",
                last_error="",
            )
        )
    session.delete(printer)
    return int(waiting or 0)


def set_backup(session: Session, name: str, backup: str | None) -> Printer:
    """Make `backup` the printer that takes `name`'s jobs while `name` is down (None: no backup)."""
    printer = session.get(Printer, name.strip().lower())
    if printer is None:
        raise NotFound(f"There is no printer '{name}'.")
    if backup is not None:
        backup = backup.strip().lower()
        if backup == printer.name:
            raise BadInput(f"Printer '{printer.name}' cannot be its own backup; name another printer.")
        if session.get(Printer, backup) is None:
            raise NotFound(f"There is no printer '{backup}' to back up '{printer.name}'; add it first.")
    printer.backup = backup
    return printer


def set_backups(session: Session, backups: Mapping[str, str | None]) -> list[Printer]:
    """`set_backup` for each printer named in `backups`, all or none."""
    return [set_backup(session, name, backup) for name, backup in backups.items()]
