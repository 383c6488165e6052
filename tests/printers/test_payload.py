"""Documents survive the trip through a print job's JSON payload, and bad payloads are refused."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from printers.documents import Document, KitchenTicket, TicketItem
from printers.errors import BadDocument
from printers.layout import render
from printers.payload import from_payload, to_payload
from tests.printers import samples


@pytest.mark.parametrize("document", samples.every_document(), ids=lambda d: d.kind)
def test_every_document_round_trips_through_json(document: Document) -> None:
    stored = json.loads(json.dumps(to_payload(document)))
    back = from_payload(document.kind, stored)
    assert back == document
    assert render(back) == render(document)


changes = st.lists(st.text(min_size=1, max_size=30), max_size=4).map(tuple)
items = st.builds(
    TicketItem,
    quantity=st.integers(1, 99),
    product=st.text(min_size=1, max_size=40),
    size=st.text(max_size=12),
    crust=st.text(max_size=12),
    whole=changes,
    left=changes,
    right=changes,
    notes=st.text(max_size=80),
)


@given(items=st.lists(items, min_size=1, max_size=5), reprint=st.booleans(), notes=st.text(max_size=200))
def test_any_kitchen_ticket_round_trips(items: list[TicketItem], reprint: bool, notes: str) -> None:
    ticket = samples.ticket(items=tuple(items), reprint=reprint, notes=notes)
    assert from_payload("kitchen", json.loads(json.dumps(to_payload(ticket)))) == ticket


def test_payload_keeps_the_time_zone_offset() -> None:
    payload = to_payload(samples.ticket())
    assert payload["placed_at"] == "2023-11-24T00:42:00+00:00"
    assert isinstance(from_payload("kitchen", payload), KitchenTicket)


@pytest.mark.parametrize(
    ("kind", "change", "says"),
    [
        ("menu", {}, "unknown document 'menu'"),
        ("kitchen", {"service": "drive-thru"}, "cannot be read"),
        ("kitchen", {"placed_at": "2023-11-24T00:42:00"}, "without a zone"),
        ("kitchen", {"zone": "Mars/Olympus"}, "unknown time zone"),
        ("kitchen", {"items": [{"quantity": "two", "product": "Cheese"}]}, "whole number"),
        ("kitchen", {"colour": "red"}, "no field colour"),
    ],
)
def test_bad_payloads_are_refused_with_a_reason(kind: str, change: dict[str, object], says: str) -> None:
    payload = to_payload(samples.ticket()) | change
    with pytest.raises(BadDocument, match=says):
        from_payload(kind, payload)


def test_documents_refuse_naive_times() -> None:
    with pytest.raises(BadDocument, match="without a zone"):
        samples.ticket(placed_at=datetime(2023, 11, 24, 18, 42))
