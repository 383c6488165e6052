"""North American phone numbers: ten digits stored, `+1…` when texting."""

from __future__ import annotations

import re

from cloud_api.errors import BadRequest


def normalize_phone(raw: str, field: str = "phone") -> str:
    digits = re.sub(r"\D", "", raw or "")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10 or raw.strip().lstrip("+()-. 0123456789") or digits[0] in "01":
        raise BadRequest(
            f"'{raw}' is not a phone number we can text; enter 10 digits, e.g. 312-555-0142.",
            field,
        )
    return digits


def e164(digits: str) -> str:
    return f"+1{digits}"
