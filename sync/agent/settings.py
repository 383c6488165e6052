"""The agent's timings and sizes: defaults for a store, `MAKELINE_SYNC_…` variables for
tests and benchmarks that need them shorter."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields

from sync.contract import MAX_BATCH


@dataclass(frozen=True)
class AgentSettings:
    batch: int = MAX_BATCH  # events per push
    page: int = 500  # feed entries per pull
    heartbeat_s: float = 15.0
    poll_s: float = 30.0  # pull this often even when no nudge came
    idle_s: float = 0.2  # how often an idle agent looks for new outbox events
    timeout_s: float = 30.0  # an answer later than this is unknown: send again
    connect_s: float = 5.0
    backoff_cap_s: float = 30.0
    enroll_check_s: float = 5.0  # how often a store that is not connected looks again

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AgentSettings:
        """`MAKELINE_SYNC_BATCH=100`, `MAKELINE_SYNC_HEARTBEAT_S=1`, … override the defaults."""
        env = os.environ if env is None else env
        given: dict[str, int | float] = {}
        for field in fields(cls):
            raw = env.get(f"MAKELINE_SYNC_{field.name.upper()}")
            if raw:
                given[field.name] = int(raw) if field.type in (int, "int") else float(raw)
        return cls(**given)  # type: ignore[arg-type]
