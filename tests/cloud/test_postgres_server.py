"""The cloud suite runs on the server it was given (`make test`: Debian's PostgreSQL server
package, see .ci/debian_pg), not silently on the embedded one; each test on its own database."""

from __future__ import annotations

import os

import psycopg

from cloud_api.settings import libpq_url
from tests.conftest import PostgresServer


def _where(url: str) -> tuple[str, str, str]:
    with psycopg.connect(libpq_url(url)) as conn:
        found = conn.execute(
            "SELECT current_setting('data_directory'), version(), current_database()"
        ).fetchone()
    assert found is not None
    return found


def test_the_cloud_suite_runs_on_the_server_it_was_given(
    postgres_server: PostgresServer | None, database_url: str
) -> None:
    data_dir, version, database = _where(database_url)
    assert database.startswith(f"cloud_test_{os.getpid()}_")  # this worker's own database
    if postgres_server is None:
        assert "makeline-cloud-pg-" in data_dir, "without a server the suite runs on an embedded one"
        return
    server_dir, server_version, _ = _where(postgres_server.url)
    assert (data_dir, version) == (server_dir, server_version)
