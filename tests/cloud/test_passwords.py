"""Password hashes: a wrong email is checked against a hash of the cost in use, made when a
cloud starts and not on import (where it was made at the default cost and thrown away)."""

from __future__ import annotations

import subprocess
import sys

from argon2 import extract_parameters

from cloud_api.auth import passwords


def test_importing_makes_no_hash() -> None:
    probe = "import cloud_api.auth.passwords as p; print(p._dummy)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "None"


def test_a_wrong_email_is_checked_against_a_hash_of_the_cost_in_use() -> None:
    passwords.use_cost(1, 1024)  # the tests' cost (tests/cloud/conftest.py), left as it was
    used = extract_parameters(passwords._dummy_hash())
    assert (used.time_cost, used.memory_cost) == (1, 1024)
    assert passwords.verify_password(None, "makeline-not-a-password") is False
    mine = passwords.hash_password("pizza-lover-1")
    assert passwords.verify_password(mine, "pizza-lover-1") is True
    assert passwords.verify_password(mine, "pizza-lover-2") is False
