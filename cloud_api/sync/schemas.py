"""What head office sees of the sync: events set aside, and stores spoken for twice."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class HeldEvent(BaseModel):
    """A store event stored but set aside: it could not be read or applied."""

    store_id: str
    seq: int
    event_id: str
    kind: str
    reason: str
    quarantined_at: datetime


class FleetFlag(BaseModel):
    """A store a second computer tried to sync as while `instance` did (a copied database)."""

    store_id: str
    instance: str
    last_seen_at: datetime
    refused_instance: str
    refused_at: datetime | None
    refused_count: int
