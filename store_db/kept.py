"""What the write connection keeps between transactions: the kitchen's orders, the drivers'
returns and the store's settings, read once and then brought up to date by the writes
that change them, instead of read again for every order.

Never stale, three ways:

- Every write on the kept connection to the tables they come from leaves a note: a TEMP
  trigger hands it, as the row is written, to a function of the connection that adds it
  to the `Keeper`'s set of notes in memory (an order's id; `drivers` for a shift, a staff
  member or a run; `store` for the store's row; `menu` for a menu version, `printers` for
  a printer, `streets` for the street list). The next reader takes the notes and reads again only what they name: no
  statement at all. A note of a write that rolled back stays (what it names is read again
  for nothing); the notes a rolled-back transaction took are handed back.
- A commit by any other connection (the agent's process, a second terminal, another
  `StoreDB` of this process) moves the kept connection's `PRAGMA data_version`: everything
  is read again.
- A schema change moves `PRAGMA schema_version`: the triggers are made again and everything
  is read again.

What a transaction read is kept only once it commits (`Keeper.committed`): until then it
is that transaction's own (`Kept`, in the session's `info`). Inside a savepoint nothing is
kept or taken (a savepoint rolls back alone); its notes wait for the next reader.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from sqlalchemy.orm import Session

from store_db.services import rows

if TYPE_CHECKING:
    from makeline.trade.quote import Load
    from store_db.services.store_settings import StoreSettings

DRIVERS, STORE = "drivers", "store"  # the notes that are not an order's id
MENU, PRINTERS, STREETS = "menu", "printers", "streets"  # and those of what `Kept.values` holds
_KEEPER = "makeline.kept"
_PENDING = "makeline.kept.pending"
_VERSIONS = "SELECT data_version, schema_version FROM pragma_data_version, pragma_schema_version"
_NOTE = "makeline_kept_note"  # the connection's function the triggers hand each note to
# (table, what its rows' changes note): an order's id, or a name for the table's reader.
_WATCHED = (
    ("orders", "{row}.id"),
    ("order_line", "{row}.order_id"),
    ("shift", f"'{DRIVERS}'"),
    ("staff", f"'{DRIVERS}'"),
    ("delivery_run", f"'{DRIVERS}'"),
    ("store", f"'{STORE}'"),
    ("menu_version", f"'{MENU}'"),
    ("printer", f"'{PRINTERS}'"),
    ("street", f"'{STREETS}'"),
)
_EVENTS = (("insert", ("new",)), ("update", ("old", "new")), ("delete", ("old",)))


def _triggers() -> list[str]:
    made = []
    for table, note in _WATCHED:
        for event, sides in _EVENTS:
            body = " ".join(f"SELECT {_NOTE}({note.format(row=side)});" for side in sides)
            made.append(
                f"CREATE TEMP TRIGGER IF NOT EXISTS kept_{table}_{event} "
                f"AFTER {event.upper()} ON main.{table} BEGIN {body} END"
            )
    return made


_INSTALL = _triggers()


class KitchenOrder(NamedTuple):
    """An order in the kitchen as the load reads it."""

    placed: tuple[str, int]  # (placed_at as stored, number): the kitchen's order
    service: str
    stage: str
    made_at: datetime | None
    baked_at: datetime | None
    lat: float | None
    lon: float | None
    pizzas: int  # on the make line


@dataclass(slots=True)
class Kept:
    """The values kept on one connection, as of one transaction. `None`: read again."""

    connection: sqlite3.Connection
    versions: tuple[int, int]
    orders: dict[str, KitchenOrder] | None = None
    stale: set[str] = field(default_factory=set)  # orders written since they were read
    drivers: tuple[datetime | None, ...] | None = None  # each driver's expected return (None: in)
    settings: StoreSettings | None = None
    load: Load | None = None  # the load worked out from these values, when it does not age
    values: dict[str, object] = field(default_factory=dict)  # by note: the menu, the printers
    notes: set[str] = field(default_factory=set)  # the connection's notes, the `Keeper`'s own set
    taken: set[str] = field(default_factory=set)  # what this transaction took of them

    def copy(self) -> Kept:
        """What a transaction starts from: its own containers, the same notes."""
        orders = None if self.orders is None else dict(self.orders)
        return Kept(
            self.connection,
            self.versions,
            orders,
            set(self.stale),
            self.drivers,
            self.settings,
            self.load,
            dict(self.values),
            self.notes,
        )

    def take_notes(self) -> None:
        """Forget what the writes since the last look changed."""
        if not self.notes:
            return
        found = set(self.notes)
        self.notes.difference_update(found)  # a note a trigger adds meanwhile stays for the next look
        self.taken |= found
        for what in found:
            if what == STORE:
                self.settings = self.load = None
            elif what == DRIVERS:
                self.drivers = self.load = None
            elif what in (MENU, PRINTERS, STREETS):
                self.values.pop(what, None)
            elif self.orders is not None:
                self.stale.add(what)
                self.load = None

    def wrote_store(self, settings: StoreSettings) -> None:
        """The caller has just changed the store's row to `settings` itself, with nothing
        written since these notes were taken: kept as it now is, without reading it again."""
        self.notes.discard(STORE)
        self.settings = settings


class Keeper:
    """One `StoreDB`'s kept values: handed to each write session (`attach`), kept when its
    transaction commits (`committed`), given back when it rolls back (`rolled_back`). A
    transaction that took them and ends neither way leaves nothing kept."""

    def __init__(self) -> None:
        self._kept: Kept | None = None
        self._lent: Kept | None = None  # what the open transaction started from
        self._notes: set[str] = set()  # what the triggers of this keeper's connections noted

    def attach(self, session: Session) -> None:
        session.info[_KEEPER] = self

    def committed(self, session: Session) -> None:
        found = session.info.get(_PENDING)
        if found is not None:
            self._kept, self._lent = found, None

    def rolled_back(self, session: Session) -> None:
        found: Kept | None = session.info.get(_PENDING)
        if found is not None:  # what it took is for the next reader again
            self._notes |= found.taken
            self._kept, self._lent = self._lent, None

    def start(self, connection: sqlite3.Connection) -> Kept | None:
        """This transaction's values: those kept, or none when another connection committed
        since, the schema changed, or the connection is another."""
        versions: tuple[int, int] = connection.execute(_VERSIONS).fetchone()
        kept, self._kept, self._lent = self._kept, None, self._kept
        if kept is not None and kept.connection is connection and kept.versions == versions:
            return kept.copy()
        connection.create_function(_NOTE, 1, self._notes.add)
        try:
            for statement in _INSTALL:
                connection.execute(statement)
        except sqlite3.OperationalError as exc:  # a file without the store's tables yet: nothing to keep
            if "no such table" not in str(exc):
                raise
            return None
        self._notes.clear()  # everything is read again: old notes say nothing
        return Kept(connection, versions, notes=self._notes)


def kept(session: Session) -> Kept | None:
    """The values kept for this write transaction, with the notes of what changed since
    taken; None outside a `StoreDB` write transaction, and inside a savepoint (read them):
    what a savepoint read or noted could be rolled back without the transaction."""
    keeper: Keeper | None = session.info.get(_KEEPER)
    if keeper is None or session.in_nested_transaction():
        return None
    found: Kept | None = session.info.get(_PENDING)
    if found is None:
        found = keeper.start(rows.connection(session))
        if found is None:
            session.info[_KEEPER] = None
            return None
        session.info[_PENDING] = found
    found.take_notes()
    return found


def connection_settings(connection: sqlite3.Connection) -> None:
    """What a write connection needs for keeping: its notes held in memory."""
    connection.execute("PRAGMA temp_store = MEMORY")
