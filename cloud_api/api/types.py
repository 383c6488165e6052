"""Input types with limits, so bad input is a clear 422 and never reaches PostgreSQL."""

from __future__ import annotations

from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, Field, StringConstraints


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _email(value: str) -> str:
    # `test_environment` accepts the reserved .test domain of the demo accounts (hq@makeline.test).
    try:
        return validate_email(value, check_deliverability=False, test_environment=True).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"is not a valid email address ({exc})") from exc


Clean = AfterValidator(_no_nul)
ID_PATTERN = r"^[0-9a-fA-F-]{8,36}$"

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80), Clean]
ShortText = Annotated[str, StringConstraints(max_length=80), Clean]
Line = Annotated[str, StringConstraints(max_length=200), Clean]
Note = Annotated[str, StringConstraints(max_length=500), Clean]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30), Clean]
Password = Annotated[str, StringConstraints(min_length=8, max_length=128), Clean]
Token = Annotated[str, StringConstraints(min_length=1, max_length=200), Clean]
EntityId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Cents = Annotated[int, Field(ge=0, le=100_000_000)]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]
Email = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254), Clean, AfterValidator(_email)
]
