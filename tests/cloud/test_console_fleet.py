"""The console's fleet page over HTTP: head office sees every store worst first, live from
`/console/fleet.json` (signed in only); the CSV is formula-safe. (A store manager's view
is proven in the browser: tests/web/test_console_fleet.py.)"""

from __future__ import annotations

import csv
import io
import uuid

from starlette.testclient import TestClient

from cloud_api.db.base import utcnow
from cloud_api.demo import HEAD_OFFICE_EMAIL
from sync.contract import Heartbeat, OutboxEvent, PrinterHealth, PushBatch

from .console_pages import staff
from .helpers import head_office
from .test_stores import _details


def _enroll_named(client: TestClient, name: str) -> dict[str, str]:
    staff(client, HEAD_OFFICE_EMAIL)
    code = client.post("/api/v1/enrollments", headers=head_office(client)).json()["code"]
    claimed = client.post(
        "/api/v1/enrollments/claim", json={"code": code, "store": _details("BW-003") | {"name": name}}
    )
    assert claimed.status_code == 201, claimed.text
    return dict(claimed.json())


def test_the_fleet_page_lists_worst_first_live_and_exports_safely(client: TestClient) -> None:
    hostile = '=HYPERLINK("http://evil.example","fix")'
    store = _enroll_named(client, hostile)
    beat = Heartbeat(
        sent_at=utcnow(),
        printers=[PrinterHealth(name="kitchen", online=False, waiting=2, last_error="cover open")],
    )
    client.post(
        "/api/v1/sync/heartbeat",
        content=beat.model_dump_json(),
        headers={"Authorization": f"Bearer {store['device_token']}", "Content-Type": "application/json"},
    )
    broken = OutboxEvent(
        seq=1,
        event_id=str(uuid.uuid4()),
        txn="t1",
        kind="order.placed",
        subject="x",
        payload={},
        created_at=utcnow(),
    )
    pushed = client.post(
        "/api/v1/sync/push",
        content=PushBatch(events=[broken]).model_dump_json(),
        headers={"Authorization": f"Bearer {store['device_token']}", "Content-Type": "application/json"},
    )
    assert pushed.json()["quarantined"] == 1
    page = client.get("/console/fleet")
    assert page.status_code == 200
    assert "kitchen: DOWN, 2 waiting" in page.text and "&#34;http://evil.example&#34;" in page.text
    live = client.get("/console/fleet.json").json()
    first = live["rows"][0]["cells"]
    assert first[:3] == ["BW-003", hostile, "Online"] and first[9] == "0"
    held = list(csv.reader(io.StringIO(client.get("/console/fleet?csv=held").text)))
    assert held[1][:3] == ["BW-003", "1", "order.placed"] and held[1][3]  # with its reason
    exported = list(csv.reader(io.StringIO(client.get("/console/fleet?csv=fleet").text)))
    assert exported[0][0] == "Store" and exported[1][:2] == ["BW-003", "'" + hostile]
    client.post("/console/signout")
    assert client.get("/console/fleet.json").status_code == 401
