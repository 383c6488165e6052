"""Signing in to the console in HTTP tests without drawing the sales page (its charts are
slow to render): the sign-in's redirect is not followed, its cookies are kept."""

from __future__ import annotations

from starlette.testclient import TestClient

from cloud_api.demo import DEMO_PASSWORD


def staff(client: TestClient, email: str) -> None:
    client.post("/console/signout")
    answer = client.post(
        "/console/signin",
        data={"email": email, "password": DEMO_PASSWORD, "next": "/console/fleet"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
