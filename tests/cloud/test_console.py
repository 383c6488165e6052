"""The console over HTTP: sign-in for staff only, a store manager kept to their own store
(404 for another's pages, as the API keeps them), and every table's CSV formula-safe."""

from __future__ import annotations

import csv
import io

from fastapi import FastAPI
from starlette.testclient import TestClient

from cloud_api.db.base import utcnow
from cloud_api.demo import DEMO_PASSWORD, HEAD_OFFICE_EMAIL, MANAGER_EMAIL
from cloud_api.demo.seed import demo_customer_email
from cloud_api.stores.schemas import StoreDetails
from cloud_api.stores.service import create_store
from makeline.demo.launcher import HEAD_OFFICE, STORE_MANAGER, console_banner

from .helpers import ctx, demo_store_id


def sign_in(client: TestClient, email: str, password: str = DEMO_PASSWORD) -> None:
    answer = client.post(
        "/console/signin", data={"email": email, "password": password, "next": "/console/sales"}
    )
    assert answer.status_code == 200, answer.text  # followed to the page


def test_pages_need_a_sign_in_and_only_staff_get_one(client: TestClient) -> None:
    answer = client.get("/console/sales", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/console/signin")
    refused = client.post(
        "/console/signin", data={"email": demo_customer_email(1), "password": DEMO_PASSWORD}
    )
    assert refused.status_code == 403 and "head office and store managers" in refused.text
    assert client.get("/console/sales", follow_redirects=False).status_code == 303
    wrong = client.post("/console/signin", data={"email": HEAD_OFFICE_EMAIL, "password": "nope"})
    assert wrong.status_code == 401 and "do not match" in wrong.text
    away = client.post(
        "/console/signin",
        data={"email": HEAD_OFFICE_EMAIL, "password": DEMO_PASSWORD, "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert away.headers["location"] == "/console/sales"


def test_the_demo_prints_logins_that_open_the_console() -> None:
    banner = console_banner("http://127.0.0.1:8000")
    assert "http://127.0.0.1:8000/console" in banner
    assert HEAD_OFFICE == (HEAD_OFFICE_EMAIL, DEMO_PASSWORD) and STORE_MANAGER == (
        MANAGER_EMAIL,
        DEMO_PASSWORD,
    )
    assert HEAD_OFFICE[0] in banner and HEAD_OFFICE[1] in banner and STORE_MANAGER[0] in banner


def test_head_office_sees_the_chain_and_drills_into_a_store(client: TestClient, app: FastAPI) -> None:
    sign_in(client, HEAD_OFFICE_EMAIL)
    store_id = demo_store_id(app)
    chain = client.get("/console/sales?day=2026-11-06")
    assert chain.status_code == 200 and "the chain" in chain.text
    assert f"/console/sales/{store_id}?day=2026-11-06" in chain.text
    one = client.get(f"/console/sales/{store_id}?day=2026-11-06")
    assert one.status_code == 200 and "Oak Park" in one.text
    assert client.get("/console/sales?day=yesterday").status_code == 422
    signed_out = client.post("/console/signout", follow_redirects=False)
    assert signed_out.status_code == 303 and signed_out.headers["location"] == "/console/signin"
    assert client.get("/console/sales", follow_redirects=False).status_code == 303


def test_a_store_manager_sees_only_their_store(client: TestClient, app: FastAPI) -> None:
    sign_in(client, MANAGER_EMAIL)
    own = demo_store_id(app)
    assert client.get(f"/console/sales/{own}").status_code == 200
    mine = client.get("/console/sales")
    assert mine.status_code == 200 and "the chain" not in mine.text
    other = client.get("/console/sales/01890000-0000-7000-8000-000000000000")
    assert other.status_code == 404 and "no store of yours" in other.text
    assert client.get("/console/sales/../../etc").status_code == 404


def test_every_table_exports_a_formula_safe_csv(client: TestClient, app: FastAPI) -> None:
    hostile = '=HYPERLINK("http://evil.example","<b>Oak</b>")'
    with ctx(app).db.transaction() as session:
        create_store(
            session,
            StoreDetails(
                code="EV-666",
                name=hostile,
                timezone="America/New_York",
                tax_rate_bp=800,
                lat=41.88,
                lon=-87.8,
            ),
            utcnow(),
        )
    sign_in(client, HEAD_OFFICE_EMAIL)
    page = client.get("/console/sales?day=2026-11-06")
    assert "<td>=HYPERLINK(&#34;http://evil.example&#34;,&#34;&lt;b&gt;Oak&lt;/b&gt;&#34;)</td>" in page.text
    answer = client.get("/console/sales?day=2026-11-06&csv=stores")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"] == 'attachment; filename="stores.csv"'
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0] == [
        "Code",
        "Store",
        "Orders",
        "Net sales ($)",
        "Average ticket ($)",
        "Same day last week ($)",
        "Change (%)",
    ]
    assert ["EV-666", "'" + hostile, "0", "0.00", "", "0.00", ""] in rows
    for page_name in ("speed", "delivery", "food-cost"):
        assert client.get(f"/console/{page_name}?csv=nothing").status_code == 404
    assert client.get("/console/sales?csv=nothing").status_code == 404


def test_every_page_answers_for_the_chain_and_a_store(client: TestClient, app: FastAPI) -> None:
    sign_in(client, HEAD_OFFICE_EMAIL)
    store_id = demo_store_id(app)
    for page in ("sales", "speed", "delivery", "food-cost"):
        for path in (f"/console/{page}", f"/console/{page}/{store_id}"):
            answer = client.get(path)
            assert answer.status_code == 200, (path, answer.text[-2000:])
            assert "<figure" in answer.text
    assert client.get("/console/speed?from=2026-11-07&to=2026-11-01").status_code == 422
    assert client.get("/console/delivery?from=2025-01-01&to=2026-11-01").status_code == 422


def test_hostile_input_gets_a_clear_refusal_and_changes_nothing(client: TestClient) -> None:
    garbled = client.post(
        "/console/signin",
        content=b"email=\xff\xfe",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert garbled.status_code == 422 and "could not be read" in garbled.text
    huge = client.post("/console/signin", content=b"email=" + b"a" * 20_000)
    assert huge.status_code in (413, 422)
    sign_in(client, HEAD_OFFICE_EMAIL)
    odd = client.get("/console/sales", params={"csv": "<script>" + "x" * 30})
    assert odd.status_code == 404 and "<script>" not in odd.text
    assert client.get("/console/speed", params={"from": "2026-13-40"}).status_code == 422
    assert client.get("/console/static/../session.py").status_code == 404
    assert client.get("/console/static/console.css").headers["content-type"].startswith("text/css")
