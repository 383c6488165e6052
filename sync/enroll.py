"""Enrolling a store with the cloud: send what its database says about it (identity,
address, coordinates, zone, tax rate, delivery area and streets) with head office's
one-use code, and keep the device credential the cloud answers in `SyncState`."""

from __future__ import annotations

import socket
from dataclasses import dataclass

import httpx
from sqlalchemy import select

from store_db.db import StoreDB
from store_db.models import Store, Street, utcnow
from store_db.services import cloud_link
from sync import contract
from sync.agent.link import auth_headers
from sync.errors import CloudUnreachable, EnrollmentRefused

MAX_STREETS = 5000


@dataclass(frozen=True)
class Enrolled:
    store_id: str
    store_code: str
    store_name: str
    device_id: str
    cloud_url: str


def claim_body(db: StoreDB, code: str, label: str) -> dict[str, object]:
    with db.read() as session:
        store = session.scalars(select(Store)).one()
        streets = list(session.scalars(select(Street).order_by(Street.id).limit(MAX_STREETS)))
        return {
            "code": code.strip().upper(),
            "store": {
                "code": store.code,
                "name": store.name,
                "address": store.address,
                "phone": store.phone,
                "timezone": store.timezone,
                "tax_rate_bp": store.tax_rate_bp,
                "lat": store.lat,
                "lon": store.lon,
                "delivery_radius_km": store.delivery_radius_km,
                "day_starts_hour": store.day_starts_hour,
            },
            "streets": [
                {
                    "name": s.name,
                    "city": s.city,
                    "from_number": s.from_number,
                    "to_number": s.to_number,
                    "lat1": s.lat1,
                    "lon1": s.lon1,
                    "lat2": s.lat2,
                    "lon2": s.lon2,
                }
                for s in streets
            ],
            "device_label": label[:80],
        }


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail") or response.text)
    except (ValueError, AttributeError):
        return response.text[:200]


def enroll(
    db: StoreDB,
    cloud_url: str,
    code: str,
    *,
    label: str | None = None,
    transport: httpx.BaseTransport | None = None,
    timeout_s: float = 30.0,
) -> Enrolled:
    """Register this store with the cloud and keep its credential; returns the cloud's ids."""
    cloud_url = cloud_url.strip().rstrip("/")
    if not cloud_url.startswith(("http://", "https://")):
        raise EnrollmentRefused(f"The cloud address '{cloud_url}' must start with http:// or https://.")
    body = claim_body(db, code, label or f"{socket.gethostname()} store computer")
    try:
        with httpx.Client(base_url=cloud_url, timeout=timeout_s, transport=transport) as http:
            answer = http.post("/api/v1/enrollments/claim", json=body)
            if answer.status_code != 201:
                raise EnrollmentRefused(f"The cloud refused the enrollment: {_detail(answer)}")
            claimed = answer.json()
            token = str(claimed["device_token"])
            # Where this store's feed stands in the cloud: a store the cloud did not know
            # starts a new feed, which this store then follows from its start.
            page = http.get("/api/v1/sync/pull", params={"after": 0, "limit": 1}, headers=auth_headers(token))
            if page.status_code != 200:
                raise EnrollmentRefused(
                    f"The cloud enrolled the store but refused its credential: {_detail(page)}"
                )
            feed_high_water = contract.PullPage.model_validate(page.json()).high_water
    except httpx.HTTPError as exc:
        raise CloudUnreachable(
            f"Could not reach the cloud at {cloud_url} ({type(exc).__name__}); check the address and the "
            "network, then run makeline enroll again with the same code."
        ) from exc
    db.run(cloud_link.enroll, cloud_url, token, utcnow(), feed_high_water)
    return Enrolled(
        store_id=str(claimed["store_id"]),
        store_code=str(claimed["store_code"]),
        store_name=str(body["store"]["name"]),  # type: ignore[index]
        device_id=str(claimed["device_id"]),
        cloud_url=cloud_url,
    )
