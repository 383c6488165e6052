"""An embedded PostgreSQL (the `pgserver` package) in a data folder, for a laptop or a test run.

It listens only on a Unix socket inside its folder; the first start runs initdb.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg

from cloud_api.errors import ConfigurationError

DATABASE = "makeline"


class EmbeddedPostgres:
    def __init__(self, data_dir: Path, cleanup: str | None = "stop") -> None:
        self.data_dir = data_dir.expanduser().resolve()
        try:
            self.data_dir.parent.mkdir(parents=True, exist_ok=True)
            with warnings.catch_warnings():
                # platformdirs warns when XDG_RUNTIME_DIR is unset; the fallback is fine.
                warnings.simplefilter("ignore")
                import pgserver

                get_server: Any = pgserver.get_server  # type: ignore[attr-defined]
                self._server: Any = get_server(self.data_dir, cleanup_mode=cleanup)
        except Exception as exc:
            raise ConfigurationError(
                f"Could not start the embedded PostgreSQL in {self.data_dir} ({exc}). "
                "Check that the folder is writable, or give --database-url."
            ) from exc

    @property
    def socket_dir(self) -> str:
        return str(self._server.get_postmaster_info().socket_dir)

    def url(self, database: str = DATABASE) -> str:
        return f"postgresql://postgres:@/{database}?host={quote(self.socket_dir, safe='/')}"

    def ensure_database(self, database: str = DATABASE) -> str:
        """Create `database` if it is missing and return its URL."""
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
            if found.fetchone() is None:
                conn.execute(f'CREATE DATABASE "{database}"')
        return self.url(database)

    def stop(self) -> None:
        self._server.cleanup()
