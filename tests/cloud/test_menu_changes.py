"""Head office's menu changes: the pure rules (a change applied to a menu, the diff a store
will see) and over HTTP on real PostgreSQL the preview, the publish through the one
publishing service, and which stores applied it by their heartbeats. Hostile changes are
refused with the product or size named, and write nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from cloud_api.db.base import utcnow
from cloud_api.errors import BadRequest
from cloud_api.menus.changes import MenuChange, PriceChange, apply_change, diff
from makeline.demo.menu import demo_menu
from sync.contract import Heartbeat

from .helpers import count, ctx, head_office, manager
from .test_stores import _enroll


def test_a_change_reprices_and_takes_off_and_the_diff_says_so() -> None:
    before = demo_menu()
    change = MenuChange(prices={"pepperoni": {"lg": 1799}}, remove=["brownie"], name="Winter menu")
    after = apply_change(before, change)
    assert after.name == "Winter menu"
    found = diff(before, after)
    assert found.removed == ["Fudge Brownie"] and found.added == []
    assert found.prices == [PriceChange("pepperoni", "Pepperoni Pizza", "lg", 1708, 1799)]
    back = diff(after, before)
    assert back.added == ["Fudge Brownie"] and back.prices[0].after == 1708
    assert diff(before, before).empty


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (MenuChange(prices={"calzone": {"lg": 1}}), "has no product 'calzone'"),
        (MenuChange(remove=["calzone"]), "has no product 'calzone'"),
        (MenuChange(prices={"cola": {"lg": 1}}), "Cola is not sold in size 'lg'"),
        (MenuChange(remove=[p.code for p in demo_menu().products]), "needs at least one product"),
    ],
)
def test_a_change_that_does_not_fit_the_menu_is_refused_by_name(change: MenuChange, says: str) -> None:
    with pytest.raises(BadRequest, match=says):
        apply_change(demo_menu(), change)


def _hq(client: TestClient) -> dict[str, str]:
    return head_office(client)


def test_head_office_previews_publishes_and_sees_who_applied(client: TestClient, app: FastAPI) -> None:
    hq = _hq(client)
    _hostile_changes_are_refused_and_change_nothing(client, app, hq)
    berwyn = _enroll(client, "BW-003")  # a new store, no menu yet
    change: dict[str, Any] = {"prices": {"pepperoni": {"lg": 1799}}}
    shown = client.post("/api/v1/menus/preview", json=change, headers=hq)
    assert shown.status_code == 200, shown.text
    preview = shown.json()
    assert {s["code"] for s in preview["stores"]} >= {"OP-001", "BW-003"}
    by_from = {c["from_version"]: c for c in preview["changes"]}
    assert by_from[1]["prices"] == [
        {"product": "pepperoni", "name": "Pepperoni Pizza", "size": "lg", "before": 1708, "after": 1799}
    ]
    assert by_from[None]["store_codes"] == ["BW-003"] and "Pepperoni Pizza" in by_from[None]["added"]
    with ctx(app).db.transaction() as session:
        assert count(session, "menu_version") == 1  # a preview writes nothing

    published = client.post("/api/v1/menus/changes", json=change, headers=hq)
    assert published.status_code == 201, published.text
    version = published.json()["version"]
    assert version == 2 and published.json()["stores"] == len(preview["stores"])
    store_menu = client.get(f"/api/v1/stores/{berwyn['store_id']}/menu").json()
    assert store_menu["version"] == 2

    rollout = client.get(f"/api/v1/menus/{version}/stores", headers=hq).json()
    assert {r["code"] for r in rollout} == {s["code"] for s in preview["stores"]}
    assert not any(r["applied"] for r in rollout)
    beat = Heartbeat(sent_at=utcnow(), menu_version=version)
    client.post(
        "/api/v1/sync/heartbeat",
        content=beat.model_dump_json(),
        headers={"Authorization": f"Bearer {berwyn['device_token']}", "Content-Type": "application/json"},
    )
    rollout = client.get(f"/api/v1/menus/{version}/stores", headers=hq).json()
    applied = [r["code"] for r in rollout if r["applied"]]
    assert applied == ["BW-003"] and rollout[-1]["code"] == "BW-003"  # those not applied first

    # An item off the menu for one store only: the others keep selling it.
    off = client.post(
        "/api/v1/menus/changes", json={"remove": ["brownie"], "store_id": berwyn["store_id"]}, headers=hq
    )
    assert off.status_code == 201 and off.json()["stores"] == 1
    names = [
        p["name"] for p in client.get(f"/api/v1/stores/{berwyn['store_id']}/menu").json()["menu"]["products"]
    ]
    assert "Fudge Brownie" not in names
    rollout = client.get(f"/api/v1/menus/{off.json()['version']}/stores", headers=hq).json()
    assert [r["code"] for r in rollout] == ["BW-003"]


def _hostile_changes_are_refused_and_change_nothing(
    client: TestClient, app: FastAPI, hq: dict[str, str]
) -> None:
    for body, field in (
        ({"prices": {"pepperoni": {"lg": -1}}}, "prices"),
        ({"prices": {"pepperoni": {"lg": 10**12}}}, "prices"),
        ({"prices": {"<script>": {"lg": 1}}}, "prices"),
        ({"prices": {"calzone": {"lg": 100}}}, "prices"),
        ({"remove": ["pepperoni"], "store_id": "not-a-store"}, "store_id"),
        ({"remove": ["pepperoni"], "store_id": "00000000-0000-0000-0000-000000000000"}, "store_id"),
        ({"base_version": 99}, "version"),
        ({"name": "\x00"}, "name"),
    ):
        answer = client.post("/api/v1/menus/changes", json=body, headers=hq)
        assert 400 <= answer.status_code < 500, (body, answer.text)
        assert field in answer.text, (body, answer.text)
    assert client.post("/api/v1/menus/changes", json={}, headers=manager(client)).status_code == 403
    assert client.post("/api/v1/menus/preview", json={}, headers=manager(client)).status_code == 403
    assert client.get("/api/v1/menus/1/stores", headers=manager(client)).status_code == 403
    assert client.get("/api/v1/menus/77/stores", headers=hq).status_code == 404
    with ctx(app).db.transaction() as session:
        assert count(session, "menu_version") == 1
