"""Bad input for the sync paths, as a broken or hostile peer would send it: raw feed rows
written past the cloud's builders, and malformed store events for every kind."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from cloud_api.db.base import utcnow
from cloud_api.db.database import Database
from cloud_api.models import StoreFeedEntry, StoreFeedHead
from makeline.trade.lifecycle import Stage
from sync.contract import EVENT_KINDS
from sync.contract.events import OrderStaged


def raw_feed_entry(db: Database, store_id: str, kind: str, payload: dict[str, Any]) -> int:
    """A feed row written as it is, as a cloud with a bug (or a newer one) might write it."""
    with db.transaction() as session:
        cursor = session.execute(
            update(StoreFeedHead)
            .where(StoreFeedHead.store_id == store_id)
            .values(last_cursor=StoreFeedHead.last_cursor + 1)
            .returning(StoreFeedHead.last_cursor)
        ).scalar_one()
        session.add(
            StoreFeedEntry(store_id=store_id, cursor=cursor, kind=kind, payload=payload, created_at=utcnow())
        )
    return int(cursor)


def malformed_events() -> list[tuple[str, dict[str, Any]]]:
    """For every event kind: nothing in it, and every field of the wrong type; then a newer
    version than the cloud reads and a few hostile shapes (a NUL character, a huge number, a
    kind nobody knows)."""
    found: list[tuple[str, dict[str, Any]]] = []
    for model in EVENT_KINDS:
        kind = str(model.model_fields["kind"].default)
        found.append((kind, {}))
        found.append((kind, {name: {"nested": ["x"]} for name in model.model_fields if name != "kind"}))
    newer = OrderStaged(order_id="o-1", number=1, stage=Stage.MADE, at=utcnow()).payload() | {"v": 99}
    found += [
        ("order.stage", newer),
        ("order.placed", {"id": "a\u0000b", "number": 1}),
        ("order.stage", {"order_id": "x", "number": 10**40, "stage": "made", "at": "2026-12-05T00:00:00Z"}),
        ("stock.count", {"lines": "abc"}),
        ("printer.on_fire", {"printer": "kitchen"}),
    ]
    return found
