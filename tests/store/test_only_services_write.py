"""Only `store_db` services write the store database.

Checked two ways. A scan of the source of every other package of the store's side
(`makeline`, `printers`, `terminal`, `sync`) for anything that opens or drives a write
transaction: `StoreDB.write()`, a raw `commit` / `begin` / `flush`, SQL that begins a
transaction or changes rows, SQLAlchemy's `insert` / `update` / `delete` constructs,
the engine underneath a `StoreDB`. And at run time: `StoreDB.write()` refuses a caller
from those packages, `StoreDB.run` refuses a function that is not `store_db`'s, and a
read session cannot write at all (its connections are `query_only`).

`cloud_api` is left out of the scan: it has its own PostgreSQL database and
transactions, and the import contracts keep it from importing `store_db` at all.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from store_db.db import StoreDB
from store_db.errors import WriteOutsideStore
from store_db.models import AuditEntry, Staff
from store_db.services import access
from store_db.setup import init_store
from tests.store.helpers import T0, fingerprint

ROOT = Path(__file__).resolve().parents[2]
NOT_WRITERS = ("makeline", "printers", "terminal", "sync")
TRANSACTION_CALLS = {"commit", "begin", "begin_nested", "rollback"}
SESSION_WRITES = {"add", "add_all", "delete", "merge", "flush"}  # on a receiver named …session
# The demo store's rows, added inside the transaction `store_db.setup.init_store` opens.
SEEDS = {"makeline/demo/seed.py"}
ENGINE_ATTRIBUTES = {"engine", "_writes", "_transaction"}
WRITE_CONSTRUCTS = {"insert", "update", "delete"}
WRITE_SQL = re.compile(
    r"^\s*(BEGIN(\s+(IMMEDIATE|EXCLUSIVE|DEFERRED|TRANSACTION))?\s*;?\s*$|COMMIT\b|END\s+TRANSACTION"
    r"|INSERT\s+(OR\s+\w+\s+)?INTO\b|REPLACE\s+INTO\b|UPDATE\s+\S+\s+SET\b|DELETE\s+FROM\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Finding:
    where: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.where}:{self.line}: {self.what}"


def scan(source: str, where: str) -> list[Finding]:
    """Everything in `source` that opens or drives a write transaction of its own."""
    found: list[Finding] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            if name == "write" and not node.args and not node.keywords:
                found.append(Finding(where, node.lineno, "opens a write transaction (.write())"))
            elif name in TRANSACTION_CALLS:
                found.append(Finding(where, node.lineno, f"drives a transaction (.{name}())"))
            elif name in SESSION_WRITES and _receiver(node.func).endswith("session") and where not in SEEDS:
                found.append(Finding(where, node.lineno, f"writes through a session (.{name}())"))
        elif isinstance(node, ast.Attribute) and node.attr in ENGINE_ATTRIBUTES:
            found.append(Finding(where, node.lineno, f"reaches under the StoreDB (.{node.attr})"))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            for alias in node.names:
                if alias.name in WRITE_CONSTRUCTS:
                    found.append(Finding(where, node.lineno, f"imports sqlalchemy's {alias.name}"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and WRITE_SQL.match(node.value):
            found.append(Finding(where, node.lineno, f"raw SQL {node.value.split()[0].upper()}"))
    return found


def _receiver(func: ast.Attribute) -> str:
    value = func.value
    if isinstance(value, ast.Attribute):
        return value.attr.lower()
    return value.id.lower() if isinstance(value, ast.Name) else ""


def modules() -> list[Path]:
    return sorted(path for package in NOT_WRITERS for path in (ROOT / package).rglob("*.py"))


def test_the_scan_covers_every_package_that_must_not_write() -> None:
    files = {path.relative_to(ROOT).parts[0] for path in modules()}
    assert files == set(NOT_WRITERS)
    assert len(modules()) > 100  # the store's side, not an empty folder


def test_no_module_outside_store_db_opens_a_write_transaction() -> None:
    findings = [
        finding
        for path in modules()
        for finding in scan(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix())
    ]
    assert not findings, "write through a store_db service (StoreDB.run) instead:\n" + "\n".join(
        map(str, findings)
    )


@pytest.mark.parametrize(
    ("source", "what"),
    [
        ("with db.write() as session:\n    session.add(x)\n", ".write()"),
        ("with self.db.write() as s:\n    pass\n", ".write()"),
        ("session.commit()\n", ".commit()"),
        ("with db.engine.begin() as conn:\n    pass\n", ".engine"),
        ("conn.execute('BEGIN IMMEDIATE')\n", "raw SQL BEGIN"),
        ("conn.execute(text('update print_job set status = 1'))\n", "raw SQL UPDATE"),
        ('cursor.execute("INSERT INTO staff (id) VALUES (?)", row)\n', "raw SQL INSERT"),
        ('conn.execute("delete from print_job")\n', "raw SQL DELETE"),
        ("from sqlalchemy import select, update\n", "sqlalchemy's update"),
        ("session.flush()\n", ".flush()"),
        ("with db.read() as session:\n    session.add(row)\n", ".add()"),
        ("self.session.delete(row)\n", ".delete()"),
    ],
)
def test_the_scan_finds_each_way_of_writing(source: str, what: str) -> None:
    findings = scan(source, "example.py")
    assert any(what in finding.what for finding in findings), findings


@pytest.mark.parametrize(
    "source",
    [
        "handle.write(str(os.getpid()))\n",  # a file, not the store
        "port.write(data)\n",
        "out.flush()\n",
        "seen.add(name)\n",
        "with db.read() as session:\n    session.scalars(select(Order))\n",
        "db.run(access.login, who, pin, at, screen)\n",
        "label = 'Update the menu'\n",
    ],
)
def test_the_scan_leaves_reads_files_and_service_calls_alone(source: str) -> None:
    assert scan(source, "example.py") == []


# ---- at run time ------------------------------------------------------------------------
def test_write_refuses_a_caller_from_another_package(db: StoreDB) -> None:
    before = fingerprint(db)
    code = "with db.write() as session:\n    session.execute(stmt)\n"
    stmt = update(Staff).values(failed_pins=3)
    for package in ("terminal.screens.example", "printers.example", "sync.agent.example", "makeline.cli.x"):
        with pytest.raises(WriteOutsideStore, match="only store_db services write"):
            exec(code, {"__name__": package, "db": db, "stmt": stmt})
    assert fingerprint(db) == before


def test_run_refuses_a_function_that_is_not_a_store_service(db: StoreDB) -> None:
    before = fingerprint(db)

    def sneak(session: Session) -> None:
        session.execute(update(Staff).values(failed_pins=3))

    with pytest.raises(WriteOutsideStore, match="is not a store_db service"):
        db.run(sneak)
    with pytest.raises(WriteOutsideStore):
        db.run(lambda session: session.execute(update(Staff).values(failed_pins=3)))
    with pytest.raises(WriteOutsideStore, match=r"store_db\.setup\.init_store is not a store_db service"):
        db.run(init_store)  # store_db's own, but not a service
    assert fingerprint(db) == before


def test_a_read_session_cannot_write(db: StoreDB) -> None:
    before = fingerprint(db)
    with pytest.raises(OperationalError, match="readonly"), db.read() as session:
        session.execute(update(Staff).values(failed_pins=3))
    with pytest.raises(OperationalError, match="readonly"), db.read() as session:
        staff = session.scalars(select(Staff)).first()
        assert staff is not None
        staff.failed_pins = 4
        session.flush()
    assert fingerprint(db) == before


def audits(db: StoreDB) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_run_commits_what_the_service_wrote_and_returns_its_result(db: StoreDB) -> None:
    with db.read() as session:
        manager = session.scalars(select(Staff).where(Staff.role == "manager")).first()
        assert manager is not None
    before = audits(db)
    outcome = db.run(access.login, manager.name, "1234", T0, "manager")
    assert outcome.ok and outcome.name == manager.name
    assert audits(db) == before + 1  # committed: seen by a new read


def test_run_rolls_back_everything_when_the_service_refuses(db: StoreDB) -> None:
    before = fingerprint(db)
    with pytest.raises(Exception, match="no active staff member"):
        db.run(access.unlock, "nobody-at-all", "also-nobody", T0 + timedelta(minutes=1))
    assert fingerprint(db) == before
