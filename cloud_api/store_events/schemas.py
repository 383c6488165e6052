"""The shape of a store event as `apply_store_event` reads it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class EnvelopeLike(Protocol):
    """A store event's envelope: any object with these attributes (e.g. `contract.PushedEvent`)."""

    @property
    def seq(self) -> int: ...
    @property
    def event_id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...


class StoreEventLike(EnvelopeLike, Protocol):
    """Any object with these attributes will do (e.g. sync's wire model)."""

    @property
    def payload(self) -> Mapping[str, Any]: ...


class StoreEvent(BaseModel):
    """One outbox row of a store, as it arrives."""

    model_config = ConfigDict(frozen=True)

    seq: int = Field(ge=1)
    event_id: str = Field(min_length=1, max_length=36)
    kind: str = Field(min_length=1, max_length=40)
    payload: dict[str, Any]
    created_at: AwareDatetime


class Outcome(StrEnum):
    APPLIED = "applied"  # stored and applied now
    STORED = "stored"  # stored and acknowledged; applied in the background
    KEPT = "kept"  # stored; nothing in the cloud's records depends on it (yet)
    DUPLICATE = "duplicate"  # stored before: nothing changed
    QUARANTINED = "quarantined"  # stored, but it could not be read or applied: set aside
