"""The PostgreSQL the report benchmarks share: DATABASE_URL when set, else an embedded server
in a folder that outlives the run (`gen_history.py` fills it, `bench_reports.py` reads it)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cloud_api.embedded import EmbeddedPostgres

DEFAULT_FOLDER = Path("/tmp/makeline-history-pg")
DATABASE = "makeline_history"


@contextmanager
def history_url(folder: Path) -> Iterator[str]:
    url = os.environ.get("DATABASE_URL")
    if url:
        yield url
        return
    server = EmbeddedPostgres(folder, cleanup="stop")
    try:
        yield server.ensure_database(DATABASE)
    finally:
        server.stop()
