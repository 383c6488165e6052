"""A store's events stored once and acknowledged: the first half of a push.

Each event is stored under `UNIQUE(store_id, seq)` with the whole batch in one statement,
and queued (`inbound_pending`) for the appliers (`service.apply_pending`), in the caller's
transaction. The answer is the store's contiguous mark: a replay finds its events stored
and changes nothing. The same `(store_id, seq)` with a different event id is a broken store
outbox and is refused (409). A payload PostgreSQL's JSON cannot hold is stored empty and set
aside at once, with its reason. A push's body with nothing of the kind in it is stored as
sent (`keep_as_sent`): its envelopes read by the contract, each payload taken from the body
by the storing statement, never built in Python.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import datetime

from pydantic_core import to_json
from sqlalchemy.orm import Session

from cloud_api.db.database import announcement
from cloud_api.errors import BadRequest, Conflict
from cloud_api.models import InboundHead
from cloud_api.store_events import repository
from cloud_api.store_events.schemas import EnvelopeLike, Outcome, StoreEventLike

log = logging.getLogger(__name__)


class PayloadNotObject(BadRequest):
    """A pushed event whose payload is not a JSON object (or is missing): nothing stored."""

    def __init__(self, index: int, missing: bool) -> None:
        what = "has no payload" if missing else "has a payload that is not a JSON object"
        super().__init__(f"Event {index + 1} of the batch {what}.", f"events.{index}.payload")
        self.index, self.missing = index, missing


# What a serialized batch holds when one of its payloads may not be storable as sent.
_DOUBTFUL = (b"\\u0000", b"NaN", b"Infinity")


def _unstorable(payload: object) -> str:
    """Why PostgreSQL's JSON cannot hold this payload as sent ('' when it can)."""
    if _holds_nul(payload):
        return "Unstorable payload: it holds a NUL character (\\u0000)"
    try:
        json.dumps(payload, allow_nan=False)
    except ValueError:
        return "Unstorable payload: it holds NaN or Infinity"
    return ""


def _holds_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def _stored(
    session: Session, store_id: str, events: Sequence[StoreEventLike], now: datetime
) -> tuple[list[Outcome | None], dict[int, str]]:
    """Store the batch in one statement. Per event: DUPLICATE (stored before), or None (new);
    and the reason each new one that cannot be stored as sent is set aside for."""
    rows: list[dict[str, object]] = []
    unstorable: dict[int, str] = {}
    for event in events:
        rows.append(
            {
                "seq": event.seq,
                "event_id": event.event_id,
                "kind": event.kind,
                "payload": event.payload if isinstance(event.payload, dict) else dict(event.payload),
                "created_at": event.created_at.isoformat(),
            }
        )
    # One document by pydantic's serializer (no per-payload Python walk). PostgreSQL's JSON
    # cannot hold a NUL character (written \u0000), NaN or Infinity: when the document holds
    # anything that looks like one, each payload itself decides (a string that only reads
    # like one is stored as sent).
    document = to_json(rows)
    if any(sign in document for sign in _DOUBTFUL):
        for event, row in zip(events, rows, strict=True):
            if reason := _unstorable(event.payload):
                row["payload"], unstorable[event.seq] = {}, reason
        document = to_json(rows)
    new = repository.store_batch(session, store_id, document.decode(), now)
    return _found(session, store_id, events, new), unstorable


def _found(
    session: Session, store_id: str, events: Sequence[EnvelopeLike], new: set[int]
) -> list[Outcome | None]:
    """Per event: None when new, DUPLICATE when stored before under the same sequence number;
    an event id stored under another number, or a number holding another event, refused."""
    before = repository.event_ids_at(session, store_id, [e.seq for e in events if e.seq not in new])
    outcomes: list[Outcome | None] = []
    for event in events:
        if event.seq in new:
            outcomes.append(None)
            continue
        found = before.get(event.seq)
        if found is None:
            raise Conflict(
                f"Event {event.event_id} was already stored under another sequence number.", "event_id"
            )
        if found != event.event_id:
            raise Conflict(
                f"Sequence number {event.seq} of this store already holds another event "
                f"({found}); the store's outbox is out of step.",
                "seq",
            )
        outcomes.append(Outcome.DUPLICATE)
    return outcomes


def keep_store_events(
    session: Session, store_id: str, events: Sequence[StoreEventLike], now: datetime
) -> tuple[list[Outcome], int]:
    """Store a batch and queue it to be applied; returns each event's outcome (STORED,
    DUPLICATE, or QUARANTINED when it cannot be stored as sent) and the store's contiguous
    mark (the highest sequence number up to which every event is stored), to acknowledge."""
    mark = repository.lock_head(session, store_id)
    found, held = _stored(session, store_id, events, now)
    if held:
        repository.drop_pending(session, store_id, list(held))
        set_aside(session, store_id, [e for e in events if e.seq in held], held, now)
    return _marked(session, store_id, mark, events, found, held)


def keep_as_sent(
    session: Session, store_id: str, events: Sequence[EnvelopeLike], body: str, now: datetime
) -> tuple[list[Outcome], int]:
    """`keep_store_events` of a push read without its payloads (`contract.PushHead`): each
    payload stored as the body holds it, taken from `body` by the storing statement. A push
    with an event whose payload is not a JSON object is refused (`PayloadNotObject`) and
    nothing of it is stored. For a body with nothing doubtful in it (`stores_as_sent`)."""
    mark = repository.lock_head(session, store_id)
    envelopes = to_json(
        [
            {
                "n": n,
                "seq": e.seq,
                "event_id": e.event_id,
                "kind": e.kind,
                "created_at": e.created_at.isoformat(),
            }
            for n, e in enumerate(events, start=1)
        ]
    )
    new = repository.store_as_sent(session, store_id, envelopes.decode(), body, now)
    if isinstance(new, repository.Unread):
        raise PayloadNotObject(new.place, new.missing)
    return _marked(session, store_id, mark, events, _found(session, store_id, events, new), {})


def stores_as_sent(body: bytes) -> bool:
    """Whether a push's body can be stored as sent: nothing in it that PostgreSQL's JSON
    cannot hold (a NUL, NaN, Infinity). A body that may hold one is read whole instead
    (`keep_store_events`), and each payload that does is set aside as it is stored."""
    return not any(sign in body for sign in _DOUBTFUL)


def _marked(
    session: Session,
    store_id: str,
    mark: InboundHead,
    events: Sequence[EnvelopeLike],
    found: list[Outcome | None],
    held: dict[int, str],
) -> tuple[list[Outcome], int]:
    """Each event's outcome and the store's contiguous mark moved past what was stored."""
    outcomes = [
        o if o is not None else Outcome.QUARANTINED if e.seq in held else Outcome.STORED
        for e, o in zip(events, found, strict=True)
    ]
    gap_filled = False
    contiguous, highest = mark.contiguous_seq, mark.max_seq  # the row's own, set once below
    for event, outcome in zip(events, outcomes, strict=True):
        if outcome is Outcome.DUPLICATE:
            continue
        if event.seq == contiguous + 1:
            contiguous = event.seq
            gap_filled = gap_filled or highest > event.seq
        highest = max(highest, event.seq)
    mark.contiguous_seq, mark.max_seq = contiguous, highest
    if gap_filled:
        mark.contiguous_seq = repository.catch_up(session, store_id, mark.contiguous_seq)
    if Outcome.STORED in outcomes:  # the appliers hear of it once this commits (`sync.news`)
        announcement(session).inbound = True
    return outcomes, mark.contiguous_seq


def set_aside(
    session: Session, store_id: str, events: Sequence[StoreEventLike], reasons: dict[int, str], now: datetime
) -> None:
    """Stored, not applied: quarantined with its reason for head office. One log line each."""
    repository.quarantine(
        session,
        [
            {
                "store_id": store_id,
                "seq": e.seq,
                "event_id": e.event_id,
                "kind": e.kind[:40],
                "reason": reasons[e.seq],
                "quarantined_at": now,
            }
            for e in events
        ],
    )
    for event in events:
        log.warning(
            "store %s event #%d (%s) set aside: %s", store_id, event.seq, event.kind[:40], reasons[event.seq]
        )


def high_water_mark(session: Session, store_id: str) -> int:
    """The highest sequence number up to which every event of the store is stored."""
    return repository.head(session, store_id)
