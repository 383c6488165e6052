"""What every message of the wire contract shares: frozen models, UTC times, a version per
kind, and the one error a side raises when what it received does not fit the contract."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Self, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator


class ContractError(ValueError):
    """A message that does not fit the contract: `kind` names what it claimed to be, `reason`
    says in one sentence what is wrong with it (the quarantine shows it as it is)."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(f"{kind or 'an entry with no kind'}: {reason}")
        self.kind = kind
        self.reason = reason


def _utc(value: datetime) -> datetime:
    """Naive times on the wire are UTC (both sides store UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UTCTime = Annotated[datetime, AfterValidator(_utc)]
Id = Annotated[str, Field(min_length=1, max_length=36)]
Text = Annotated[str, Field(max_length=2000)]
Cents = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
Count = Annotated[int, Field(ge=0, le=2**31 - 1)]
# Exact decimal text on the wire (a quantity of stock never travels as a float).
Quantity = Annotated[Decimal, Field(allow_inf_nan=False)]


class Wire(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Body(Wire):
    """One kind of event or feed entry. `v` is the kind's version: a side that receives a
    newer version than it reads sets the message aside (quarantine) instead of guessing."""

    VERSION: ClassVar[int] = 1
    v: int = Field(default=1, ge=1)

    @model_validator(mode="after")
    def _known_version(self) -> Self:
        if self.v > self.VERSION:
            raise ValueError(
                f"version {self.v} is newer than this side reads (version {self.VERSION}); update makeline"
            )
        return self

    def left_out(self) -> Any:
        """The fields the payload leaves out (pydantic's `exclude`): none, unless a kind says."""
        return None

    def payload(self) -> dict[str, Any]:
        """The body as JSON-ready data, as it is stored and sent."""
        return self.model_dump(mode="json", exclude=self.left_out())

    def payload_json(self) -> str:
        """The same payload as JSON text, dumped once by pydantic (what the store's outbox keeps)."""
        return self.model_dump_json(exclude=self.left_out())


def merged(kind: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The payload with the envelope's kind, which is what names the model to parse it with."""
    return {**payload, "kind": kind}


def carried(items: Sequence[BaseModel], added: tuple[str, ...]) -> bool:
    """Whether any of the items carries one of the fields `added` (non-empty)."""
    return any(getattr(item, name) for item in items for name in added)


B = TypeVar("B", bound=Body)


def versioned(body: B, version: int) -> B:
    """`body`, built without `v`, as of `version`: the version that added a field it carries.
    A side that reads only older versions sets it aside instead of dropping the field unread;
    payloads without such a field stay readable by every side. Called from a kind's
    after-validator, on the model once read: a before-validator has a kind read from JSON
    text built as Python objects first and read again from them (a third of an order's read)."""
    body.__dict__["v"] = version
    return body


def empty_items(items: Sequence[BaseModel], added: tuple[str, ...]) -> dict[str, Any] | None:
    """The fields `added` that items leave empty, to leave out of a payload (an `exclude`):
    an older side reads it."""
    empty: dict[int, set[str]] = {}
    for n, item in enumerate(items):
        found = {name for name in added if not getattr(item, name)}
        if found:
            empty[n] = found
    return {"items": empty} if empty else None
