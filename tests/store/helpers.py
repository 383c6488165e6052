"""Small builders for store tests."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import text

from makeline.trade.lifecycle import Channel, Service
from makeline.trade.pricing import ItemRequest
from store_db.db import StoreDB
from store_db.services.orders import AddressRequest, OrderRequest, TenderRequest

T0 = datetime(2026, 11, 20, 23, 0, tzinfo=UTC)  # a Friday, 5 p.m. in the store's zone
REPEAT_PHONE = "7085550100"


def carryout(*items: ItemRequest, **extra: object) -> OrderRequest:
    fields: dict[str, object] = {
        "channel": Channel.WALK_IN,
        "service": Service.CARRYOUT,
        "items": list(items) or [ItemRequest(product="pepperoni", size="lg")],
        "tenders": [TenderRequest(kind="card")],
    }
    fields.update(extra)
    return OrderRequest.model_validate(fields)


def delivery(line1: str = "500 N Oak Park Ave", *items: ItemRequest, **extra: object) -> OrderRequest:
    fields: dict[str, object] = {
        "channel": Channel.PHONE,
        "service": Service.DELIVERY,
        "items": list(items) or [ItemRequest(product="pepperoni", size="lg")],
        "phone": "708-555-0199",
        "customer_name": "Pat Doe",
        "address": AddressRequest(line1=line1),
        "tenders": [TenderRequest(kind="pay_at_door")],
    }
    fields.update(extra)
    return OrderRequest.model_validate(fields)


def fingerprint(db: StoreDB) -> str:
    """A digest of every row of every table: equal fingerprints, unchanged database."""
    digest = hashlib.sha256()
    with db.engine.connect() as conn:
        tables = (
            conn.execute(text("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"))
            .scalars()
            .all()
        )
        for table in tables:
            digest.update(table.encode())
            for row in conn.execute(text(f'SELECT * FROM "{table}" ORDER BY 1')):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()
