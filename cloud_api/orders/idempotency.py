"""`Idempotency-Key`: the first answer to a keyed request is kept and replayed to every
retry with the same key and body; the same key with another body is refused.

The key is claimed by inserting its row at the start of the request's
transaction. A concurrent duplicate's insert waits on that row until the first
request commits (then it reads the stored answer) or rolls back (then it runs
the request itself), so twenty identical requests make one order.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from cloud_api.errors import BadRequest
from cloud_api.models import IdempotencyRecord


@dataclass(frozen=True)
class Replay:
    status_code: int
    body: dict[str, Any]


def request_hash(method: str, path: str, body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


def check_key(key: str) -> str:
    key = key.strip()
    if not 8 <= len(key) <= 100 or not key.isprintable():
        raise BadRequest(
            "Idempotency-Key must be 8 to 100 printable characters, e.g. a UUID.", "Idempotency-Key"
        )
    return key


# Built once on the table itself (not the ORM class): these run on every keyed request.
_RECORDS = cast(Table, IdempotencyRecord.__table__)
CLAIM = (
    insert(_RECORDS)
    .values(
        owner=bindparam("b_owner"),
        key=bindparam("b_key"),
        request_hash=bindparam("digest"),
        status_code=0,
        response={},
        created_at=bindparam("b_now"),
    )
    .on_conflict_do_nothing()
    .returning(_RECORDS.c.key)
)
STORED = select(_RECORDS.c.request_hash, _RECORDS.c.status_code, _RECORDS.c.response).where(
    _RECORDS.c.owner == bindparam("b_owner"), _RECORDS.c.key == bindparam("b_key")
)
COMPLETE = (
    update(_RECORDS)
    .where(_RECORDS.c.owner == bindparam("b_owner"), _RECORDS.c.key == bindparam("b_key"))
    .values(status_code=bindparam("status"), response=bindparam("body", type_=_RECORDS.c.response.type))
)


def claim(session: Session, owner: str, key: str, digest: str, now: datetime) -> Replay | None:
    """None when this request owns the key now; else the stored answer to replay."""
    claimed = session.execute(CLAIM, {"b_owner": owner, "b_key": key, "digest": digest, "b_now": now}).first()
    if claimed is not None:
        return None
    found = session.execute(STORED, {"b_owner": owner, "b_key": key}).one()
    return replay(found.request_hash, found.status_code, found.response, digest)


def complete(session: Session, owner: str, key: str, status_code: int, body: dict[str, Any]) -> None:
    session.execute(COMPLETE, {"b_owner": owner, "b_key": key, "status": status_code, "body": body})


def replay(stored_hash: str, status_code: int, body: dict[str, Any], digest: str) -> Replay:
    """The stored answer to replay to a request whose key was claimed before (`STORED`'s
    row), if it is the same request; refused if the key was used for another one."""
    if stored_hash != digest:
        raise BadRequest(
            "This Idempotency-Key was already used for a different request; use a new key for a new order.",
            "Idempotency-Key",
        )
    return Replay(status_code, body)
