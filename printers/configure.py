"""Setting up a store's printers: add (checked by printing's own rules), remove, list,
and the demo store's two preview printers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from printers.documents import PRINTABLE
from printers.profiles import paper_profile
from printers.transports import absolute_url
from store_db.db import StoreDB
from store_db.models import Printer, utcnow
from store_db.services import printer_config

DEMO_PRINTERS = (
    ("kitchen", ("kitchen", "void"), "front"),
    ("front", ("receipt", "run-sheet", "cash-out", "day-summary"), "kitchen"),
)


def _profile(name: str) -> str:
    return paper_profile(name).name


def add_printer(
    db: StoreDB,
    name: str,
    url: str,
    prints: Sequence[str],
    *,
    backup: str | None = None,
    profile: str = "80mm",
) -> Printer:
    """Add a printer; `BadPrinterUrl`, `UnknownProfile` or a store `BadInput` say why not,
    and nothing is written then."""
    return db.run(
        printer_config.add_printer,
        name,
        url,
        prints,
        utcnow(),
        documents=PRINTABLE,
        check_url=absolute_url,
        check_profile=_profile,
        backup=backup,
        profile=profile,
    )


def remove_printer(db: StoreDB, name: str, move_to: str | None = None) -> int:
    return db.run(printer_config.remove_printer, name, move_to=move_to)


def list_printers(db: StoreDB) -> list[Printer]:
    with db.read() as session:
        return printer_config.list_printers(session)


def add_demo_printers(db: StoreDB, folder: Path | str) -> list[str]:
    """A kitchen and a front printer writing text previews under `folder` (one subfolder
    each), backing each other up. Printers already there are left alone. Returns what
    was added, as sentences."""
    root = Path(folder).expanduser().resolve()
    known = {p.name for p in list_printers(db)}
    added: list[str] = []
    for name, prints, _ in DEMO_PRINTERS:
        if name not in known:
            add_printer(db, name, f"preview://{root / name}", prints)
            added.append(f"Printer '{name}' prints {', '.join(prints)} as text in {root / name}")
    # Backups once both exist: a backup must be a printer already.
    db.run(
        printer_config.set_backups, {name: backup for name, _, backup in DEMO_PRINTERS if name not in known}
    )
    return added
