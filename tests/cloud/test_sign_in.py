"""Sign-in that holds under attack, over real HTTP against two workers sharing one
PostgreSQL: wrong passwords are throttled per account and per address (429 with
Retry-After, then a lock the owner gets past), other people are not slowed, and
logout, a password change, a role change and deletion reach tokens already handed out.

The throttle's clock and the session cache's clock are injected: no test sleeps.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from cloud_api.app import create_app
from cloud_api.db.base import utcnow
from cloud_api.demo import DEMO_PASSWORD, HEAD_OFFICE_EMAIL, MANAGER_EMAIL
from cloud_api.settings import CloudSettings
from tests import calls

from .helpers import ctx, demo_store_id
from .server import serve

PASSWORD = "right-horse-battery"


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Workers:
    a: str
    b: str
    apps: tuple[FastAPI, FastAPI]
    clock: Clock


def _workers(settings: CloudSettings) -> Iterator[Workers]:
    apps = (create_app(settings), create_app(settings))
    clock = Clock()
    for app in apps:
        ctx(app).throttle.clock = clock
    with ExitStack() as stack:
        a, b = (stack.enter_context(serve(app)) for app in apps)
        yield Workers(a, b, apps, clock)


@pytest.fixture
def workers(settings: CloudSettings) -> Iterator[Workers]:
    yield from _workers(settings)


def _register(base: str, email: str, address: str = "203.0.113.1") -> httpx.Response:
    body = {"email": email, "password": PASSWORD, "name": "Sam", "phone": "7085550111"}
    return calls.post(f"{base}/api/v1/register", json=body, headers={"X-Forwarded-For": address})


def _login(base: str, email: str, password: str = PASSWORD, address: str = "203.0.113.1") -> httpx.Response:
    return calls.post(
        f"{base}/api/v1/login",
        json={"email": email, "password": password},
        headers={"X-Forwarded-For": address},
    )


def _bearer(answer: httpx.Response) -> dict[str, str]:
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_fifty_wrong_passwords_then_the_right_one(workers: Workers) -> None:
    assert _register(workers.a, "target@example.com").status_code == 201
    assert _register(workers.a, "bystander@example.com").status_code == 201
    statuses, waits = [], []
    for n in range(50):  # the guesses alternate between the two workers: one count
        answer = _login(workers.a if n % 2 else workers.b, "target@example.com", f"guess-{n}")
        statuses.append(answer.status_code)
        if answer.status_code == 429:
            waits.append(int(answer.headers["Retry-After"]))
            assert "try again in" in answer.json()["detail"]
        # Someone else, from the same address, signs in the whole time.
        if n % 10 == 0:
            assert _login(workers.a, "bystander@example.com").status_code == 200
    assert statuses[:5] == [401] * 5 and statuses[5:] == [429] * 45
    assert waits and all(w >= 1 for w in waits)
    right = _login(workers.a, "target@example.com")
    assert right.status_code == 429 and int(right.headers["Retry-After"]) >= 1

    workers.clock.advance(int(right.headers["Retry-After"]))
    assert _login(workers.b, "target@example.com").status_code == 200
    # The right password forgave the account: the next typo starts again from nothing.
    assert _login(workers.a, "target@example.com", "typo").status_code == 401
    assert _login(workers.a, "target@example.com").status_code == 200


def test_a_locked_account_opens_again_when_the_lock_is_over(workers: Workers) -> None:
    assert _register(workers.a, "target@example.com").status_code == 201
    wait = 0
    for n in range(10):  # an attacker patient enough to wait out every back-off
        workers.clock.advance(wait)
        answer = _login(workers.b, "target@example.com", f"guess-{n}")
        assert answer.status_code == 401, answer.text
        nxt = _login(workers.a, "target@example.com", "another guess")
        wait = int(nxt.headers.get("Retry-After", "0"))
    locked = _login(workers.a, "target@example.com")
    assert locked.status_code == 429 and "locked" in locked.json()["detail"]
    assert int(locked.headers["Retry-After"]) == 15 * 60
    workers.clock.advance(14 * 60)
    assert _login(workers.a, "target@example.com").status_code == 429
    workers.clock.advance(60)
    assert _login(workers.a, "target@example.com").status_code == 200


def test_head_office_unlocks_a_locked_account_and_it_is_audited(
    workers: Workers, caplog: pytest.LogCaptureFixture
) -> None:
    registered = _register(workers.a, "locked-out@example.com")
    assert registered.status_code == 201
    account_id = registered.json()["id"]
    wait = 0
    for n in range(10):
        workers.clock.advance(wait)
        assert _login(workers.b, "locked-out@example.com", f"guess-{n}").status_code == 401
        wait = int(_login(workers.a, "locked-out@example.com", "again").headers.get("Retry-After", "0"))
    assert _login(workers.a, "locked-out@example.com").status_code == 429
    url = f"{workers.b}/api/v1/accounts/{account_id}/unlock"
    # Only head office: not the locked customer, not a store manager, not nobody.
    manager = _bearer(_login(workers.a, MANAGER_EMAIL, DEMO_PASSWORD, address="198.51.100.20"))
    other = _register(workers.a, "someone@example.com", address="198.51.100.21")
    assert other.status_code == 201
    customer = _bearer(_login(workers.a, "someone@example.com", address="198.51.100.21"))
    for headers in ({}, manager, customer):
        assert calls.post(url, headers=headers).status_code in (401, 403)
    assert _login(workers.a, "locked-out@example.com").status_code == 429, "the refusals unlocked nothing"
    head_office = _bearer(_login(workers.a, HEAD_OFFICE_EMAIL, DEMO_PASSWORD, address="198.51.100.22"))
    missing = calls.post(
        f"{workers.b}/api/v1/accounts/0190a0a0-0000-7000-8000-000000000000/unlock", headers=head_office
    )
    assert missing.status_code == 404
    with caplog.at_level("WARNING", logger="cloud_api.audit"):
        answer = calls.post(url, headers=head_office)
    assert answer.status_code == 200, answer.text
    unlocked = answer.json()
    assert unlocked["was_blocked"] is True and unlocked["failures"] >= 10
    assert "can sign in again" in unlocked["message"]
    audited = [r.getMessage() for r in caplog.records if r.name == "cloud_api.audit"]
    assert len(audited) == 1 and account_id in audited[0] and "unlocked" in audited[0]
    assert _login(workers.a, "locked-out@example.com").status_code == 200, "in at once, no waiting"


def test_one_address_guessing_many_accounts_is_throttled_alone(settings: CloudSettings) -> None:
    tight = settings.model_copy(update={"address_backoff_after": 6, "address_lock_after": 8})
    for workers in _workers(tight):
        for n in range(3):
            assert (
                _register(workers.a, f"person{n}@example.com", address=f"198.51.100.{n}").status_code == 201
            )
        statuses = [
            _login(workers.a, f"person{n % 3}@example.com", "guess", address="192.0.2.66").status_code
            for n in range(8)
        ]
        assert statuses[:6] == [401] * 6 and statuses[6:] == [429] * 2
        refused = _login(workers.b, "person1@example.com", address="192.0.2.66")
        assert refused.status_code == 429 and "address" in refused.json()["detail"]
        # The same people from their own addresses are not slowed.
        for n in range(3):
            assert _login(workers.b, f"person{n}@example.com", address=f"198.51.100.{n}").status_code == 200


def test_sign_ups_are_throttled_per_address_and_per_email(settings: CloudSettings) -> None:
    tight = settings.model_copy(update={"sign_ups_per_address": 3, "sign_ups_per_email": 2})
    for workers in _workers(tight):
        made = [_register(workers.a, f"new{n}@example.com", address="192.0.2.7") for n in range(4)]
        assert [m.status_code for m in made] == [201, 201, 201, 429]
        assert int(made[-1].headers["Retry-After"]) >= 1
        assert _register(workers.b, "new9@example.com", address="192.0.2.8").status_code == 201
        again = [_register(workers.b, "new9@example.com", address=f"192.0.2.{20 + n}") for n in range(3)]
        assert [a.status_code for a in again] == [409, 429, 429]
        workers.clock.advance(3600)
        assert _register(workers.a, "new5@example.com", address="192.0.2.7").status_code == 201


def test_a_logged_out_token_is_refused(workers: Workers) -> None:
    assert _register(workers.a, "sam@example.com").status_code == 201
    pair = _login(workers.a, "sam@example.com")
    headers = _bearer(pair)
    assert calls.get(f"{workers.b}/api/v1/profile", headers=headers).status_code == 200
    out = calls.post(f"{workers.a}/api/v1/logout", json={"refresh_token": pair.json()["refresh_token"]})
    assert out.status_code == 204
    refused = calls.get(f"{workers.a}/api/v1/profile", headers=headers)
    assert refused.status_code == 401 and "sign in again" in refused.json()["detail"]
    again = calls.post(
        f"{workers.a}/api/v1/token/refresh", json={"refresh_token": pair.json()["refresh_token"]}
    )
    assert again.status_code == 401


def test_the_other_worker_hears_of_a_logout_within_its_cache_time(workers: Workers) -> None:
    """Worker B remembers a token's standing for `session_check_seconds`, then reads it again."""
    ticks = [0.0]
    ctx(workers.apps[1]).sessions.clock = lambda: ticks[0]
    assert _register(workers.a, "sam@example.com").status_code == 201
    headers = _bearer(_login(workers.a, "sam@example.com"))
    assert calls.get(f"{workers.b}/api/v1/profile", headers=headers).status_code == 200
    assert calls.post(f"{workers.a}/api/v1/logout", json={}, headers=headers).status_code == 204
    assert calls.get(f"{workers.a}/api/v1/profile", headers=headers).status_code == 401
    assert calls.get(f"{workers.b}/api/v1/profile", headers=headers).status_code == 200  # still cached
    ticks[0] += ctx(workers.apps[1]).settings.session_check_seconds
    assert calls.get(f"{workers.b}/api/v1/profile", headers=headers).status_code == 401


def test_a_password_change_ends_every_other_sign_in(workers: Workers) -> None:
    assert _register(workers.a, "sam@example.com").status_code == 201
    phone, laptop = _login(workers.a, "sam@example.com"), _login(workers.b, "sam@example.com")
    body = {"current_password": "not-it", "new_password": "a-new-long-password"}
    wrong = calls.post(f"{workers.a}/api/v1/password", json=body, headers=_bearer(phone))
    assert wrong.status_code == 401 and wrong.json()["field"] == "current_password"
    body["current_password"] = PASSWORD
    changed = calls.post(f"{workers.a}/api/v1/password", json=body, headers=_bearer(phone))
    assert changed.status_code == 200, changed.text
    for old in (phone, laptop):
        for base in (workers.a, workers.b):
            assert calls.get(f"{base}/api/v1/profile", headers=_bearer(old)).status_code == 401
        refresh = calls.post(
            f"{workers.b}/api/v1/token/refresh", json={"refresh_token": old.json()["refresh_token"]}
        )
        assert refresh.status_code == 401
    assert calls.get(f"{workers.b}/api/v1/profile", headers=_bearer(changed)).status_code == 200
    assert _login(workers.a, "sam@example.com").status_code == 401
    assert _login(workers.a, "sam@example.com", "a-new-long-password").status_code == 200
    # The profile is no back door for a stolen token.
    sneaky = calls.put(
        f"{workers.a}/api/v1/profile", json={"password": "stolen-pass-1"}, headers=_bearer(changed)
    )
    assert sneaky.status_code == 422 and sneaky.json()["field"] == "password"


def test_a_role_change_takes_effect_on_tokens_already_out(workers: Workers) -> None:
    hq = _bearer(_login(workers.a, HEAD_OFFICE_EMAIL, DEMO_PASSWORD))
    store = demo_store_id(workers.apps[0])
    manager = _login(workers.b, MANAGER_EMAIL, DEMO_PASSWORD)
    inventory = f"{workers.a}/api/v1/inventory?store_id={store}"  # the worker that changed the role
    assert calls.get(inventory, headers=_bearer(manager)).status_code == 200
    me = calls.get(f"{workers.b}/api/v1/profile", headers=_bearer(manager)).json()

    demoted = calls.put(f"{workers.a}/api/v1/accounts/{me['id']}/role", json={"role": "customer"}, headers=hq)
    assert demoted.status_code == 200 and demoted.json()["role"] == "customer"
    assert calls.get(inventory, headers=_bearer(manager)).status_code == 401
    renewed = calls.post(
        f"{workers.b}/api/v1/token/refresh", json={"refresh_token": manager.json()["refresh_token"]}
    )
    assert calls.get(inventory, headers=_bearer(renewed)).status_code == 403
    assert (
        calls.put(
            f"{workers.a}/api/v1/accounts/{me['id']}/role", json={"role": "store_manager"}, headers=hq
        ).json()["field"]
        == "store_id"
    )
    self_promotion = calls.put(
        f"{workers.a}/api/v1/accounts/{me['id']}/role", json={"role": "head_office"}, headers=_bearer(renewed)
    )
    assert self_promotion.status_code == 403


def test_a_deleted_account_signs_in_nowhere(workers: Workers) -> None:
    assert _register(workers.a, "sam@example.com").status_code == 201
    pair = _login(workers.a, "sam@example.com")
    assert calls.delete(f"{workers.b}/api/v1/profile", headers=_bearer(pair)).status_code == 204
    assert calls.get(f"{workers.b}/api/v1/profile", headers=_bearer(pair)).status_code == 401
    assert _login(workers.a, "sam@example.com").status_code == 401
    refresh = calls.post(
        f"{workers.a}/api/v1/token/refresh", json={"refresh_token": pair.json()["refresh_token"]}
    )
    assert refresh.status_code == 401
    # The address is free again for a new account.
    assert _register(workers.a, "sam@example.com").status_code == 201

    hq = _bearer(_login(workers.a, HEAD_OFFICE_EMAIL, DEMO_PASSWORD))
    other = _login(workers.b, "sam@example.com")
    me = calls.get(f"{workers.b}/api/v1/profile", headers=_bearer(other)).json()
    assert calls.delete(f"{workers.b}/api/v1/accounts/{me['id']}", headers=_bearer(other)).status_code == 204
    assert calls.delete(f"{workers.a}/api/v1/accounts/{me['id']}", headers=hq).status_code == 404
