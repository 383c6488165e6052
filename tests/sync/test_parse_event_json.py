"""`parse_event_json`: a stored payload's JSON text read by the contract straight from the
text, equal to `parse_event` of the same payload as a dict, with the same reasons."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.contract import EVENT_KINDS, ContractError, parse_event, parse_event_json
from tests.sync.contract_strategies import model

ANY_EVENT = st.one_of(*[model(kind) for kind in EVENT_KINDS])


def _printed(payload: dict[str, Any]) -> str:
    """The text PostgreSQL prints for a stored payload (`jsonb::text`: `, ` and `: `)."""
    return json.dumps(payload, ensure_ascii=False)


@settings(max_examples=60, deadline=None)
@given(event=ANY_EVENT)
def test_every_kind_reads_the_same_from_its_text(event: Any) -> None:
    payload = event.payload()
    assert parse_event_json(event.kind, _printed(payload)) == parse_event(event.kind, payload) == event


def test_the_envelope_kind_wins_over_one_in_the_payload() -> None:
    staged = {"order_id": "o-1", "number": 7, "stage": "baked", "at": "2026-12-05T10:00:00+00:00"}
    text = _printed({**staged, "kind": "order.voided"})
    assert parse_event_json("order.stage", text) == parse_event("order.stage", {**staged, "kind": "x"})


@pytest.mark.parametrize(
    "text",
    [
        '{"order_id": "o-1"}',
        "{}",
        " { } ",
        '{"number": "seven", "stage": 3}',
        "{not json}",
        '{"a": 1} {"b": 2}',
    ],
)
def test_a_payload_that_is_not_the_kind_is_refused_with_the_same_reason(text: str) -> None:
    with pytest.raises(ContractError) as from_text:
        parse_event_json("order.stage", text)
    assert from_text.value.kind == "order.stage" and from_text.value.reason
    try:
        as_dict = json.loads(text)
    except ValueError:
        return  # not JSON at all: no dict to compare with
    with pytest.raises(ContractError) as from_dict:
        parse_event("order.stage", as_dict)
    assert from_text.value.reason == from_dict.value.reason


@pytest.mark.parametrize("text", ["[]", '"order"', "null", "7", ""])
def test_a_payload_that_is_not_an_object_is_refused(text: str) -> None:
    with pytest.raises(ContractError, match="not a JSON object"):
        parse_event_json("order.stage", text)


def test_an_unknown_kind_says_the_store_is_newer() -> None:
    with pytest.raises(ContractError, match="update makeline"):
        parse_event_json("order.teleported", "{}")
