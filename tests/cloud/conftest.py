"""Fixtures for the cloud's tests, all on a real PostgreSQL.

ONE server per test session (an embedded pgserver in a temporary folder, or a real server:
`postgres_server`); a template database migrated to head and seeded with the demo chain
once; and for every test a fresh database copied from it. On a real server every test
process (each xdist worker) has a template and databases of its own, named after its pid.

The other suites (sync, web, contract) import `cluster`; it asks for `postgres_server` from
where the test stands, so they get tests/conftest.py's (`DATABASE_URL` or embedded) while
this folder's adds `CLOUD_TESTS_DATABASE_URL`: `make test` runs this suite on Debian's
PostgreSQL server (a throw-away cluster, `.ci/debian_pg`) and the others on the embedded
one, in the same run. The databases made on a server are dropped at the end, except on a
throw-away one (0.1–0.3 s a drop here: many seconds at the end of a run, for a folder about to go).
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from cloud_api.app import create_app
from cloud_api.auth import passwords
from cloud_api.db.base import utcnow
from cloud_api.db.database import Database
from cloud_api.db.migrate import upgrade
from cloud_api.demo.seed import seed
from cloud_api.embedded import EmbeddedPostgres
from cloud_api.settings import CloudSettings, libpq_url
from tests.conftest import PostgresServer

from .fake_twilio import FakeTwilio

with warnings.catch_warnings():
    # Starlette would rather use `httpx2`; the installed `httpx` works the same for these tests.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

_names = itertools.count(1)


@dataclass
class Cluster:
    url_for: Callable[[str], str]
    created: list[str]
    template: str

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.url_for("postgres"), autocommit=True)

    def fresh(self) -> str:
        name = f"cloud_test_{os.getpid()}_{next(_names)}"
        with self.admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}" STRATEGY WAL_LOG')
        self.created.append(name)
        return self.url_for(name)


def _external(url: str) -> Callable[[str], str]:
    base = make_url(libpq_url(url))
    return lambda name: base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_server() -> PostgresServer | None:
    """The cloud suite's server: `CLOUD_TESTS_DATABASE_URL` (a throw-away one), else
    `DATABASE_URL`; None: an embedded one."""
    throwaway = os.environ.get("CLOUD_TESTS_DATABASE_URL")
    if throwaway:
        return PostgresServer(throwaway, throwaway=True)
    url = os.environ.get("DATABASE_URL")
    return PostgresServer(url, throwaway=False) if url else None


@pytest.fixture(scope="session")
def cluster(postgres_server: PostgresServer | None) -> Iterator[Cluster]:
    server: EmbeddedPostgres | None = None
    if postgres_server is not None:
        url_for = _external(postgres_server.url)
    else:
        # Not under pytest's numbered temp folders: other sessions on the machine prune those.
        home = Path(tempfile.mkdtemp(prefix="makeline-cloud-pg-"))
        server = EmbeddedPostgres(home / "data", cleanup="delete")
        url_for = server.url
        with psycopg.connect(url_for("postgres"), autocommit=True) as conn:
            # A throwaway test server need not survive a power cut.
            for setting in ("fsync", "synchronous_commit", "full_page_writes"):
                conn.execute(f"ALTER SYSTEM SET {setting} = off")
            conn.execute("SELECT pg_reload_conf()")
    cluster = Cluster(url_for, [], f"makeline_cloud_template_{os.getpid()}_{next(_names)}")
    with cluster.admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{cluster.template}"')
        conn.execute(f'CREATE DATABASE "{cluster.template}"')
    passwords.use_cost(1, 1024)  # tests need not resist a password cracker
    upgrade(url_for(cluster.template))
    db = Database(url_for(cluster.template), pool_size=1, max_overflow=0)
    with db.transaction() as session:
        seed(session, utcnow())
    db.dispose()
    yield cluster
    if server is not None:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)
        return
    if postgres_server is not None and postgres_server.throwaway:
        return
    with cluster.admin() as conn:
        for name in [*cluster.created, cluster.template]:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database_url(cluster: Cluster) -> str:
    return cluster.fresh()


@pytest.fixture
def settings(database_url: str) -> CloudSettings:
    return CloudSettings(
        database_url=database_url,
        jwt_secret="test-signing-key-" + "x" * 64,
        background=False,
        public_url="http://testserver",
        gateway_attempts=3,
        password_time_cost=1,
        password_memory_kib=1024,
    )


@pytest.fixture
def app(settings: CloudSettings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio().start()
    yield fake
    fake.stop()
