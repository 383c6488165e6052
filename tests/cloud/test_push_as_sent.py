"""A push stored as sent: the storer reads each event's envelope with the contract and leaves
the payloads in the body, which the storing statement takes them from (`contract.PushHead`,
`intake.keep_as_sent`). Each payload is stored as the body holds it, byte for byte, and
applied; a payload that is not a JSON object refuses the whole push with the contract's own
answer and stores nothing; a body with a NUL, NaN or Infinity in it is read whole instead,
as before, and such a payload set aside; and whatever the payloads and replays, storing as
sent stores what reading the batch whole stores, with the same outcomes and marks."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from cloud_api.db.base import utcnow
from cloud_api.store_events import repository
from cloud_api.store_events.intake import keep_as_sent, keep_store_events, stores_as_sent
from cloud_api.store_events.schemas import Outcome
from sync import contract

from .helpers import count, ctx, demo_store_id, store_order_payload
from .test_storm_customers_first import _device


class _Undo(Exception):
    pass


def _wire(seq: int, payload: Any, kind: str = "order.placed") -> dict[str, Any]:
    return {
        "seq": seq,
        "event_id": str(uuid.uuid4()),
        "txn": str(uuid.uuid4()),
        "kind": kind,
        "subject": "s",
        "payload": payload,
        "created_at": datetime.now(UTC).isoformat(),
    }


def _body(store: str, *events: str) -> str:
    """A push's body around events written as JSON text by the test."""
    return f'{{"store_id": "{store}", "events": [{", ".join(events)}]}}'


def _stored(session: Session, store: str) -> dict[int, str]:
    rows = session.execute(
        text("SELECT seq, payload::text FROM inbound_event WHERE store_id = :s ORDER BY seq"), {"s": store}
    )
    return {int(seq): payload for seq, payload in rows}


def test_each_payload_is_stored_byte_for_byte_as_the_body_holds_it_and_applied(
    app: FastAPI, client: TestClient
) -> None:
    store = demo_store_id(app)
    _, device = _device(app, store)
    placed = store_order_payload(number=4242)
    # Indented, a space before a colon, an escaped character: as some store could write it.
    written = json.dumps(placed, indent=1, ensure_ascii=True).replace(
        '"notes": ""', '"notes" :  "caf\\u00e9"'
    )
    wired = json.dumps(_wire(1, {})).replace("{}", written)
    body = f'{{"store_id": "{store}", "events": [ {wired} ]}}'.encode()
    assert stores_as_sent(body)
    answer = client.post("/api/v1/sync/push", content=body, headers=device)
    assert answer.status_code == 200, answer.text
    assert answer.json()["stored"] == 1 and answer.json()["high_water"] == 1
    with ctx(app).db.transaction() as session:
        assert _stored(session, store) == {1: written}
        number = session.execute(
            text("SELECT number FROM orders WHERE store_id = :s AND id = :id"),
            {"s": store, "id": placed["id"]},
        ).scalar_one()
        assert number == 4242
        notes = session.execute(
            text("SELECT notes FROM orders WHERE store_id = :s AND id = :id"),
            {"s": store, "id": placed["id"]},
        ).scalar_one()
        assert notes == "café"


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        ("[1, 2]", "Input should be an object"),
        ('"an order"', "Input should be an object"),
        ("null", "Input should be an object"),
        ("7", "Input should be an object"),
        (None, "Field required"),
    ],
)
def test_a_payload_that_is_not_a_json_object_refuses_the_whole_push_and_stores_nothing(
    app: FastAPI, client: TestClient, payload: str | None, problem: str
) -> None:
    store = demo_store_id(app)
    _, device = _device(app, store)
    events = [_wire(n, store_order_payload(number=n)) for n in (1, 2, 3)]
    second = json.dumps(events[1])
    second = (
        second.replace(json.dumps(events[1]["payload"]), payload)
        if payload is not None
        else json.dumps({k: v for k, v in events[1].items() if k != "payload"})
    )
    body = _body(store, json.dumps(events[0]), second, json.dumps(events[2]))
    refused = client.post("/api/v1/sync/push", content=body.encode(), headers=device)
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"] == [{"field": "events.1.payload", "message": problem}]
    with ctx(app).db.transaction() as session:
        assert count(session, "inbound_event") == 0 and count(session, "inbound_pending") == 0
        assert repository.head(session, store) == 0
    # Read whole, the same body is refused the same way (what a body with a NaN in it takes).
    whole = client.post("/api/v1/sync/push", content=body.replace('"s"', '"NaN"', 1).encode(), headers=device)
    assert (whole.status_code, whole.json()) == (422, refused.json())
    mended = client.post(
        "/api/v1/sync/push",
        content=json.dumps({"store_id": store, "events": events}).encode(),
        headers=device,
    )
    assert mended.status_code == 200 and mended.json()["high_water"] == 3


def test_a_body_with_a_nul_or_nan_is_read_whole_and_that_payload_set_aside(
    app: FastAPI, client: TestClient
) -> None:
    store = demo_store_id(app)
    _, device = _device(app, store)
    good = store_order_payload(number=7)
    body = _body(
        store,
        json.dumps(_wire(1, good)),
        json.dumps(_wire(2, {"id": "a\u0000b", "number": 1})),
        json.dumps(_wire(3, {"order_id": "x"}, kind="order.stage")).replace('"x"', '"x", "at": NaN'),
    )
    assert not stores_as_sent(body.encode())
    answer = client.post("/api/v1/sync/push", content=body.encode(), headers=device)
    assert answer.status_code == 200, answer.text
    assert (answer.json()["stored"], answer.json()["quarantined"], answer.json()["high_water"]) == (3, 2, 3)
    with ctx(app).db.transaction() as session:
        held = session.execute(
            text("SELECT seq, reason FROM inbound_quarantine WHERE store_id = :s ORDER BY seq"), {"s": store}
        ).all()
        assert [seq for seq, _ in held] == [2, 3]
        assert "NUL" in held[0][1] and "NaN" in held[1][1]
        assert json.loads(_stored(session, store)[1]) == good


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)


@given(
    payloads=st.lists(st.dictionaries(st.text(max_size=8), _JSON, max_size=5), min_size=1, max_size=8),
    replayed=st.integers(0, 8),
    ascii_only=st.booleans(),
    indent=st.sampled_from([None, 0, 2]),
    sort_keys=st.booleans(),
)
def test_storing_as_sent_stores_what_reading_the_batch_whole_stores(
    app: FastAPI,
    payloads: list[dict[str, Any]],
    replayed: int,
    ascii_only: bool,
    indent: int | None,
    sort_keys: bool,
) -> None:
    """Any payloads, written any way, some of them sent again in a second push: the same
    payloads stored (as JSON values), the same outcomes and the same marks either way."""
    store, now = demo_store_id(app), utcnow()
    first = [_wire(n, p) for n, p in enumerate(payloads, start=1)]
    second = [*first[len(first) - min(replayed, len(first)) :], _wire(len(first) + 1, {"last": True})]
    bodies = [
        json.dumps({"events": batch}, ensure_ascii=ascii_only, indent=indent, sort_keys=sort_keys).encode()
        for batch in (first, second)
    ]
    seen = []
    for as_sent in (False, True):
        with pytest.raises(_Undo), ctx(app).db.transaction() as session:
            answers = []
            for body in bodies:
                if as_sent and stores_as_sent(body):
                    head = contract.PushHead.model_validate_json(body)
                    answers.append(keep_as_sent(session, store, head.events, body.decode(), now))
                else:
                    whole = contract.PushBatch.model_validate_json(body)
                    answers.append(keep_store_events(session, store, whole.events, now))
            stored = {seq: json.loads(p) for seq, p in _stored(session, store).items()}
            seen.append((answers, stored, repository.waiting(session, store)))
            raise _Undo
    (whole_answers, whole_stored, whole_waiting), (sent_answers, sent_stored, sent_waiting) = seen
    assert sent_answers == whole_answers and sent_waiting == whole_waiting
    assert sent_stored == whole_stored
    assert whole_answers[1][0][: min(replayed, len(first))] == [Outcome.DUPLICATE] * min(replayed, len(first))
    held = {
        seq
        for seq, outcome in zip(range(1, len(first) + 1), whole_answers[0][0], strict=True)
        if outcome is Outcome.QUARANTINED
    }
    assert {seq: p for seq, p in sent_stored.items() if seq <= len(first) and seq not in held} == {
        n: p for n, p in enumerate(payloads, start=1) if n not in held
    }
