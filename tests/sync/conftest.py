"""Fixtures for the sync tests: a real cloud (uvicorn on a loopback port, PostgreSQL from the
cloud tests' cluster, LISTEN/NOTIFY on), a real store database file enrolled in it, and
`makeline agent` as a real process."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from cloud_api.app import create_app
from cloud_api.settings import CloudSettings
from makeline.demo.simulate import simulate
from store_db.db import StoreDB
from sync.enroll import enroll
from tests.cloud.conftest import cluster, database_url  # noqa: F401 - the cloud tests' PostgreSQL
from tests.cloud.server import serve
from tests.sync.helpers import Cloud, enrollment_code

BUSY_ORDERS = 1000


@pytest.fixture
def cloud_settings(database_url: str) -> CloudSettings:  # noqa: F811
    return CloudSettings(
        database_url=database_url,
        jwt_secret="test-signing-key-" + "x" * 64,
        background=True,  # the LISTEN connection carries feed nudges
        public_url="http://testserver",
        password_time_cost=1,
        password_memory_kib=1024,
        notify_window_ms=5,
    )


@pytest.fixture
def cloud(cloud_settings: CloudSettings) -> Iterator[Cloud]:
    app = create_app(cloud_settings)
    with serve(app) as url:
        yield Cloud(url, app)


@pytest.fixture
def enrolled(cloud: Cloud, store_path: Path) -> str:
    """The demo store enrolled with the cloud; its id there."""
    with StoreDB(store_path) as db:
        return enroll(db, cloud.url, enrollment_code(cloud.url), label="test store computer").store_id


@pytest.fixture(scope="session")
def evening_store_template(demo_store_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store after 150 orders through their whole lives, never synced."""
    path = tmp_path_factory.mktemp("evening") / "store.db"
    shutil.copy2(demo_store_template, path)
    with StoreDB(path) as db:
        simulate(db, 150, io.StringIO(), through="delivered", seed=5)
    return path


@pytest.fixture
def evening_store(evening_store_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "store.db"
    shutil.copy2(evening_store_template, target)
    return target


@pytest.fixture(scope="session")
def busy_store_template(demo_store_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store after 1,000 orders over about eight hours, each through its whole life
    (placed, made, baked, ready, out the door or picked up, delivered), never synced."""
    path = tmp_path_factory.mktemp("busy") / "store.db"
    shutil.copy2(demo_store_template, path)
    with StoreDB(path) as db:
        simulate(db, BUSY_ORDERS, io.StringIO(), through="delivered", seed=6)
    return path


@pytest.fixture
def busy_store(busy_store_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "store.db"
    shutil.copy2(busy_store_template, target)
    return target
