"""The OpenAPI schema fuzzed with schemathesis over a real socket, valid and invalid inputs,
signed in as each role and as nobody: no answer is ever a 5xx."""

from __future__ import annotations

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from cloud_api.demo import DEMO_PASSWORD, HEAD_OFFICE_EMAIL, MANAGER_EMAIL
from cloud_api.demo.seed import demo_customer_email
from tests import calls

from .helpers import bring_online
from .server import serve

EXAMPLES = 6


def _token(base: str, email: str) -> dict[str, str]:
    answer = calls.post(f"{base}/api/v1/login", json={"email": email, "password": DEMO_PASSWORD})
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_no_input_makes_a_server_error(app: FastAPI) -> None:
    bring_online(app)
    failures: list[str] = []
    with serve(app) as base:
        callers = [
            {},
            _token(base, demo_customer_email(1)),
            _token(base, HEAD_OFFICE_EMAIL),
            _token(base, MANAGER_EMAIL),
        ]
        schema = schemathesis.openapi.from_dict(calls.get(f"{base}/api/v1/openapi.json").json())
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 30
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

                @settings(
                    max_examples=EXAMPLES,
                    deadline=None,
                    database=None,
                    derandomize=True,
                    suppress_health_check=list(HealthCheck),
                )
                @given(case=operation.as_strategy(generation_mode=mode), caller=st.sampled_from(callers))
                def call(case: schemathesis.Case, caller: dict[str, str]) -> None:
                    response = case.call(base_url=base, headers=caller, timeout=20)
                    if response.status_code >= 500:
                        failures.append(
                            f"{case.method} {case.formatted_path} -> {response.status_code}: "
                            f"{response.text[:200]} ({case.body!r:.200})"
                        )

                try:
                    call()
                except Unsatisfiable:  # nothing to make invalid (an operation without inputs)
                    continue
    assert failures == []
