"""North American phone numbers: ten digits stored, `+1…` when texting."""

from __future__ import annotations

from cloud_api.errors import BadRequest
from makeline.trade.address import phone_digits
from makeline.trade.errors import InvalidPhone


def normalize_phone(raw: str, field: str = "phone") -> str:
    try:
        return phone_digits(raw)
    except InvalidPhone as exc:
        raise BadRequest(str(exc).replace("call back", "text"), field) from exc


def e164(digits: str) -> str:
    return f"+1{digits}"
