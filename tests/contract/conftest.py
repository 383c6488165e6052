"""Fixtures for the store ↔ cloud contract: one real store database that lived a whole business
day through the store's services, and one real cloud (PostgreSQL from the cloud tests' cluster)
holding that store under its own id, fed every event of the store's outbox.

Both are built once for the module: the day takes seconds, and every test reads it. The cloud
tests' `app` and `client` (a fresh database each) serve the tests that need their own cloud.
"""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from cloud_api.app import create_app
from cloud_api.demo import DEMO_PASSWORD, HEAD_OFFICE_EMAIL
from cloud_api.settings import CloudSettings
from store_db.db import StoreDB
from tests.cloud.conftest import (  # noqa: F401 - the cloud tests' PostgreSQL, app and client
    Cluster,
    app,
    client,
    cluster,
    database_url,
    settings,
)
from tests.contract.link import Contract, outbox_batches, push, register
from tests.contract.store_day import StoreDay, store_day

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient


@pytest.fixture(scope="module")
def lived_store(demo_store_template: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, StoreDay]:
    path = tmp_path_factory.mktemp("contract") / "store.db"
    shutil.copy2(demo_store_template, path)
    with StoreDB(path) as db:
        return path, store_day(db)


@pytest.fixture(scope="module")
def contract(cluster: Cluster, lived_store: tuple[Path, StoreDay]) -> Iterator[Contract]:  # noqa: F811
    path, day = lived_store
    cloud_settings = CloudSettings(
        database_url=cluster.fresh(),
        jwt_secret="test-signing-key-" + "x" * 64,
        background=False,
        public_url="http://testserver",
        password_time_cost=1,
        password_memory_kib=1024,
    )
    cloud = create_app(cloud_settings)
    with StoreDB(path) as db:
        store_id = register(cloud, db)
        batches = outbox_batches(db)
    outcomes, mark = push(cloud, store_id, batches)
    with TestClient(cloud) as http:
        answer = http.post("/api/v1/login", json={"email": HEAD_OFFICE_EMAIL, "password": DEMO_PASSWORD})
        assert answer.status_code == 200, answer.text
        headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        yield Contract(path, day, store_id, cloud, http, headers, outcomes, mark)
