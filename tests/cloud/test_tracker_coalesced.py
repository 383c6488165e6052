"""A tracker is told each order's latest news, not every step a store's backlog took: the
announcer leaves out the updates a later one of the same order supersedes, and a tracker page
shows the same whichever it is sent."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from cloud_api.pubsub.announcer import coalesced, payloads

_STAGES = ["placed", "made", "baked", "ready", "out_the_door", "delivered"]


def _page(updates: list[dict[str, Any]]) -> dict[str, tuple[dict[str, Any], tuple[Any, Any] | None]]:
    """What `storefront/static/track.js` shows for each order after these updates, in order: the
    last update's fields, and the plan (`leave_at` with its `eta_at`) of the last that carried one."""
    shown: dict[str, tuple[dict[str, Any], tuple[Any, Any] | None]] = {}
    for update in updates:
        _, planned = shown.get(update["order_id"], ({}, None))
        if "leave_at" in update:
            planned = (update["leave_at"], update["eta_at"]) if update["leave_at"] else None
        shown[update["order_id"]] = (update, planned)
    return shown


def _stage(order: str, stage: str, eta: str | None = None) -> dict[str, Any]:
    return {"order_id": order, "status": stage, "stage": stage, "number": 1, "eta_at": eta, "at": stage}


_update = st.builds(
    lambda order, stage, eta, plan: (
        _stage(order, stage, eta) | ({"leave_at": plan, "eta_at": f"{plan}+20"} if plan is not None else {})
    ),
    st.sampled_from(["a", "b", "c"]),
    st.sampled_from(_STAGES),
    st.sampled_from([None, "18:40"]),
    st.one_of(st.none(), st.sampled_from(["", "18:05", "18:15"])),
)


@given(st.lists(_update, max_size=30))
def test_a_tracker_page_shows_the_same_from_the_coalesced_updates(updates: list[dict[str, Any]]) -> None:
    kept = coalesced(updates)
    assert _page(kept) == _page(updates)
    place = {id(u): n for n, u in enumerate(updates)}  # each update sent is one of them, in order
    for order in {u["order_id"] for u in updates}:
        ours = [place[id(u)] for u in kept if u["order_id"] == order]
        assert ours == sorted(ours)


def test_a_backlog_of_stage_changes_is_sent_as_each_orders_last() -> None:
    updates = [_stage(order, stage) for stage in _STAGES for order in ("a", "b", "c")]
    sent = [json.loads(p)["t"] for p in payloads(coalesced(updates), set(), False)]
    assert sent == [[_stage(order, "delivered") for order in ("a", "b", "c")]]


def test_a_stage_change_after_a_plan_is_sent_after_it_not_instead() -> None:
    plan = _stage("a", "ready") | {"leave_at": "18:05", "eta_at": "18:25"}
    out = _stage("a", "out_the_door", "18:30")
    assert coalesced([_stage("a", "made"), plan, out]) == [plan, out]
    assert coalesced([plan, out, _stage("a", "delivered")]) == [plan, _stage("a", "delivered")]
