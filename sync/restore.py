"""Asking the cloud for a store to rebuild (`makeline restore`): claim the re-enrollment code
head office issued for the store, then fetch the store's snapshot with the new device
credential. Nothing is written here; the caller writes the store file from the answer.
"""

from __future__ import annotations

import socket

import httpx
from pydantic import ValidationError

from sync.agent.link import auth_headers
from sync.contract.snapshot import RestoreClaim, RestoreGranted, StoreSnapshot
from sync.errors import CloudUnreachable, EnrollmentRefused


def _detail(response: httpx.Response) -> str:
    try:
        found = response.json()
    except ValueError:
        return response.text[:200] or f"HTTP {response.status_code}"
    if isinstance(found, dict) and isinstance(found.get("detail"), str):
        return str(found["detail"])
    return f"HTTP {response.status_code}"


def fetch_snapshot(
    cloud_url: str,
    code: str,
    *,
    label: str | None = None,
    transport: httpx.BaseTransport | None = None,
    timeout_s: float = 60.0,
) -> tuple[str, RestoreGranted, StoreSnapshot]:
    """(the cloud's address as it will be kept, the credential granted, the store's snapshot).

    Raises `EnrollmentRefused` when the cloud refuses the code (wrong, used, expired, or a
    code for a new store) and `CloudUnreachable` when there is no usable answer.
    """
    base = cloud_url.strip().rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise EnrollmentRefused(f"The cloud address '{base}' must start with http:// or https://.")
    try:
        claim = RestoreClaim(
            code=code.strip().upper(), device_label=(label or f"{socket.gethostname()}")[:80]
        )
    except ValidationError as exc:
        raise EnrollmentRefused(
            f"'{code}' is not an enrollment code (codes look like ABCD-EFGH-JKLM); check it with head office."
        ) from exc
    try:
        with httpx.Client(base_url=base, timeout=timeout_s, transport=transport) as http:
            answer = http.post("/api/v1/enrollments/restore", json=claim.model_dump(mode="json"))
            if answer.status_code >= 500:
                raise CloudUnreachable(
                    f"The cloud at {base} answered with an error (HTTP {answer.status_code}); try again "
                    "in a few minutes with the same code."
                )
            if answer.status_code != 201:
                raise EnrollmentRefused(f"The cloud refused the restore: {_detail(answer)}")
            granted = RestoreGranted.model_validate_json(answer.content)
            page = http.get("/api/v1/sync/snapshot", headers=auth_headers(granted.device_token))
            if page.status_code != 200:
                raise CloudUnreachable(
                    f"The cloud took the code but did not send the store ({_detail(page)}); ask head "
                    "office for a new re-enrollment code and run makeline restore again."
                )
            snapshot = StoreSnapshot.model_validate_json(page.content)
    except httpx.HTTPError as exc:
        raise CloudUnreachable(
            f"Could not reach the cloud at {base} ({type(exc).__name__}); check the address and the "
            "network, then run makeline restore again."
        ) from exc
    except ValidationError as exc:
        raise CloudUnreachable(
            f"The cloud at {base} sent something that is not a store snapshot ({exc.error_count()} "
            "problems); check the address, or update makeline on this computer."
        ) from exc
    return base, granted, snapshot
