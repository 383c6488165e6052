"""Shared fixtures: one demo store file built per test session, copied for each test; the
PostgreSQL server the suites share (tests/cloud/conftest.py builds the cluster on it)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from makeline.demo.seed import init_demo_store
from store_db.db import StoreDB

settings.register_profile(
    "makeline", deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
settings.load_profile("makeline")


@dataclass(frozen=True)
class PostgresServer:
    url: str
    throwaway: bool  # deleted after the run: the databases the tests made may be left on it


@pytest.fixture(scope="session")
def postgres_server() -> PostgresServer | None:
    """The server the tests' cloud runs on: `DATABASE_URL`; None: an embedded one per session.
    tests/cloud overrides it (`CLOUD_TESTS_DATABASE_URL`)."""
    url = os.environ.get("DATABASE_URL")
    return PostgresServer(url, throwaway=False) if url else None


@pytest.fixture(scope="session")
def demo_store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "store.db"
    init_demo_store(path)
    return path


def copy_store(template: Path, target: Path) -> Path:
    shutil.copy2(template, target)
    return target


@pytest.fixture
def store_path(demo_store_template: Path, tmp_path: Path) -> Path:
    return copy_store(demo_store_template, tmp_path / "store.db")


@pytest.fixture
def db(store_path: Path) -> Iterator[StoreDB]:
    with StoreDB(store_path) as database:
        yield database
