"""A batch whose payloads PostgreSQL's JSON cannot hold (a NUL, NaN, Infinity): each of those
set aside with its reason, the rest of the batch stored exactly as sent, including strings
that only read like one of them."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy import text

from cloud_api.store_events.schemas import Outcome
from cloud_api.store_events.service import apply_store_events

from .helpers import ctx, evanston, event


def test_only_the_payloads_postgresql_cannot_hold_are_set_aside(app: FastAPI) -> None:
    store = evanston(app)
    look_alikes: dict[str, Any] = {"a": "NaN", "b": "-Infinity", "c": "a\\u0000b", "d": [1.5, "é"]}
    sent = [
        event("printer.failed", {"why": "a\u0000b"}, seq=1),
        event("printer.failed", {"level": float("nan")}, seq=2),
        event("printer.failed", look_alikes, seq=3),
        event("printer.failed", {"level": [float("-inf")]}, seq=4),
        event("printer.failed", {"n": 10**30}, seq=5),
    ]
    with ctx(app).db.transaction() as session:
        outcomes, mark = apply_store_events(session, store, sent)
    assert outcomes == [Outcome.QUARANTINED] * 5 and mark == 5
    with ctx(app).db.transaction() as session:
        rows = session.execute(
            text("SELECT seq, payload FROM inbound_event WHERE store_id = :s ORDER BY seq"), {"s": store}
        ).all()
        quarantined = text("SELECT seq, reason FROM inbound_quarantine WHERE store_id = :s")
        held: dict[int, str] = {seq: reason for seq, reason in session.execute(quarantined, {"s": store})}
    assert [payload for _, payload in rows] == [{}, {}, look_alikes, {}, {"n": 10**30}]
    assert "NUL" in held[1] and "NaN or Infinity" in held[2] and "NaN or Infinity" in held[4]
    assert "unknown kind" in held[3] and "unknown kind" in held[5]
