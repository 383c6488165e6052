"""Fixtures for the cloud's tests, all on a real PostgreSQL.

ONE server per test session (an embedded pgserver in a temporary folder, or the
server of `DATABASE_URL`); a template database migrated to head and seeded with
the demo chain once; and for every test a fresh database copied from it.
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

from .fake_twilio import FakeTwilio

with warnings.catch_warnings():
    # Starlette would rather use `httpx2`; the installed `httpx` works the same for these tests.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

TEMPLATE = "makeline_cloud_template"
_names = itertools.count(1)


@dataclass
class Cluster:
    url_for: Callable[[str], str]
    created: list[str]

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.url_for("postgres"), autocommit=True)

    def fresh(self) -> str:
        name = f"cloud_test_{os.getpid()}_{next(_names)}"
        with self.admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}" STRATEGY WAL_LOG')
        self.created.append(name)
        return self.url_for(name)


def _external(url: str) -> Callable[[str], str]:
    base = make_url(libpq_url(url))
    return lambda name: base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    external = os.environ.get("DATABASE_URL")
    server: EmbeddedPostgres | None = None
    if external:
        url_for = _external(external)
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
    cluster = Cluster(url_for, [])
    with cluster.admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}"')
        conn.execute(f'CREATE DATABASE "{TEMPLATE}"')
    passwords.use_cost(1, 1024)  # tests need not resist a password cracker
    upgrade(url_for(TEMPLATE))
    db = Database(url_for(TEMPLATE), pool_size=1, max_overflow=0)
    with db.transaction() as session:
        seed(session, utcnow())
    db.dispose()
    yield cluster
    if server is not None:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)
        return
    with cluster.admin() as conn:
        for name in [*cluster.created, TEMPLATE]:
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
