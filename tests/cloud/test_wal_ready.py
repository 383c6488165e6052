"""The WAL a cloud's PostgreSQL keeps ready for a storm (`cloud_api.db.wal`): set on a server
the cloud runs itself, advised to the owner of one it does not."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from cloud_api.db import wal
from cloud_api.embedded import EmbeddedPostgres

RELOAD_WAIT_S = 60.0  # an upper bound only: each look is taken as soon as the server answers


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[str]:
    server = EmbeddedPostgres(tmp_path / "pg", cleanup="delete")
    try:
        yield server.ensure_database()
    finally:
        server.stop()


def reloaded(url: str, mb: int) -> int:
    """`min_wal_size` once the server has read its changed settings (a reload is a signal)."""
    deadline = time.monotonic() + RELOAD_WAIT_S
    while (found := wal.ready_mb(url)) != mb and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def test_a_server_with_the_default_is_advised_and_one_the_cloud_runs_is_set(own_server: str) -> None:
    said = wal.advice(own_server)
    assert said is not None
    assert "80 MB" in said and "min_wal_size = '1024MB'" in said
    wal.keep_ready(own_server)
    assert reloaded(own_server, wal.READY_MB) == wal.READY_MB
    assert wal.advice(own_server) is None


def test_a_higher_setting_is_left_as_it_is(own_server: str) -> None:
    with psycopg.connect(own_server, autocommit=True) as conn:
        conn.execute("ALTER SYSTEM SET min_wal_size = '2GB'")
        conn.execute("SELECT pg_reload_conf()")
    assert reloaded(own_server, 2048) == 2048
    wal.keep_ready(own_server)
    with psycopg.connect(own_server, autocommit=True) as conn:
        written = conn.execute(
            "SELECT setting FROM pg_file_settings "
            "WHERE name = 'min_wal_size' AND sourcefile LIKE '%postgresql.auto.conf'"
        ).fetchall()
    assert written == [("2GB",)]
    assert wal.advice(own_server) is None
