"""One store, one computer: a copy of a store's database started on another computer (here:
another path, so another agent instance) cannot sync as that store while the original does.
The cloud refuses it with a clear 409, the copy's agent says so in its log and status, and
head office sees the store flagged."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from cloud_api.models import InboundEvent
from store_db.db import StoreDB
from store_db.models import OutboxEvent, SyncState, utcnow
from store_db.services.orders import place_order
from tests import calls
from tests.store.helpers import carryout
from tests.sync.helpers import Cloud, eventually, login, start_agent, stop


def _status(store: Path) -> tuple[str, str]:
    with StoreDB(store) as db, db.read() as session:
        state = session.get(SyncState, 1)
        assert state is not None
        return state.status, state.last_error


def test_a_copied_store_database_is_refused_while_the_original_syncs(
    cloud: Cloud, store_path: Path, enrolled: str, tmp_path: Path
) -> None:
    copy = tmp_path / "elsewhere" / "store.db"
    copy.parent.mkdir()
    shutil.copyfile(store_path, copy)
    with StoreDB(copy) as db, db.write() as session:  # the copy takes an order of its own
        place_order(session, carryout(), utcnow() - timedelta(minutes=1))
        copied = session.scalars(select(OutboxEvent.event_id).order_by(OutboxEvent.seq.desc())).first()
    original_log, copy_log = tmp_path / "original.log", tmp_path / "copy.log"
    original = start_agent(store_path, original_log)
    second = None
    try:
        eventually(lambda: "connected as store" in original_log.read_text(), timeout=20, what="the original")
        second = start_agent(copy, copy_log)
        eventually(
            lambda: "Another computer is already syncing as this store" in copy_log.read_text(),
            timeout=30,
            what="the copy is refused",
        )
        status, error = eventually(
            lambda: (s := _status(copy))[1] and s, timeout=20, what="the copy's status"
        )
        assert status == "offline" and "copy" in error and "head office" in error
        fleet = calls.get(f"{cloud.url}/api/v1/sync/fleet", headers=login(cloud.url), timeout=10)
        assert fleet.status_code == 200
        flags = [f for f in fleet.json() if f["store_id"] == enrolled]
        assert len(flags) == 1 and flags[0]["refused_count"] >= 1
        assert flags[0]["instance"] != flags[0]["refused_instance"]
        with cloud.db.transaction() as session:
            arrived = session.scalar(
                select(func.count()).select_from(InboundEvent).where(InboundEvent.event_id == copied)
            )
        assert arrived == 0, "nothing of the copy reached the cloud"
        assert _status(store_path)[0] == "online"
        assert "connected as store" not in copy_log.read_text()
    finally:
        if second is not None:
            stop(second)
        stop(original)
    assert "Traceback" not in copy_log.read_text()


def _device_token(store: Path) -> str:
    with StoreDB(store) as db, db.read() as session:
        state = session.get(SyncState, 1)
        assert state is not None and state.device_token
        return state.device_token


def test_a_second_computer_is_refused_on_the_websocket_too(
    cloud: Cloud, store_path: Path, enrolled: str
) -> None:
    """The websocket handshake names the agent's instance like every other call: the cloud
    greets the first computer by its instance and refuses a second one before any hello."""
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    from sync import contract
    from sync.agent.link import auth_headers
    from sync.agent.nudges import socket_url

    token, url = _device_token(store_path), socket_url(cloud.url)
    with connect(url, additional_headers=auth_headers(token, "original-computer"), open_timeout=10) as ws:
        hello = contract.Hello.model_validate_json(ws.recv(timeout=10))
        assert hello.store_id == enrolled and hello.instance == "original-computer"
        copy_headers = auth_headers(token, "copied-computer")
        try:
            with connect(url, additional_headers=copy_headers, open_timeout=10) as refused:
                refused.recv(timeout=10)
            raise AssertionError("the second computer was let in")
        except InvalidStatus as exc:
            assert exc.response.status_code == 403
    fleet = calls.get(f"{cloud.url}/api/v1/sync/fleet", headers=login(cloud.url), timeout=10)
    flags = [f for f in fleet.json() if f["store_id"] == enrolled]
    assert len(flags) == 1
    assert flags[0]["instance"] == "original-computer"
    assert flags[0]["refused_instance"] == "copied-computer" and flags[0]["refused_count"] == 1
