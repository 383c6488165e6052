"""Documents to and from the JSON payload a print job stores.

A job keeps the document's data rather than its bytes, so the queue lays it out for
whichever printer finally prints it (a 58 mm backup prints a 80 mm kitchen's ticket) and
can add REPRINT or BACKUP on top. Times are ISO 8601 strings with their offset.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime
from functools import cache
from typing import Any

from printers.documents import DOCUMENTS, Document
from printers.errors import BadDocument


def to_payload(document: Document) -> dict[str, Any]:
    """The document's fields as JSON-ready data (no `kind`: the job stores that)."""
    value = _dump(document)
    assert isinstance(value, dict)
    return value


def from_payload(kind: str, payload: dict[str, Any]) -> Document:
    """The document a job stored. Raises `BadDocument` naming what is wrong."""
    cls = DOCUMENTS.get(kind)
    if cls is None:
        known = ", ".join(sorted(DOCUMENTS))
        raise BadDocument(f"A print job holds an unknown document '{kind}'; known: {known}.")
    try:
        document = _load(cls, payload)
    except (TypeError, ValueError, KeyError) as exc:
        raise BadDocument(f"A print job's {kind} document cannot be read: {exc}.") from exc
    assert isinstance(document, Document)
    return document


def _dump(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _dump(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_dump(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _load(tp: Any, data: object) -> object:
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        options = typing.get_args(tp)
        if data is None and type(None) in options:
            return None
        (inner,) = [t for t in options if t is not type(None)]
        return _load(inner, data)
    if origin is tuple:
        if not isinstance(data, list | tuple):
            raise TypeError(f"expected a list, got {data!r}")
        (item, _ellipsis) = typing.get_args(tp)
        return tuple(_load(item, v) for v in data)
    if origin is typing.Literal:
        if data not in typing.get_args(tp):
            raise ValueError(f"{data!r} is not one of {typing.get_args(tp)}")
        return data
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(data, dict):
            raise TypeError(f"expected an object for {tp.__name__}, got {data!r}")
        hints = _hints(tp)
        fields = {f.name for f in dataclasses.fields(tp) if f.init}
        unknown = set(data) - fields
        if unknown:
            raise ValueError(f"{tp.__name__} has no field {', '.join(sorted(unknown))}")
        return tp(**{name: _load(hints[name], v) for name, v in data.items()})
    if tp is datetime:
        if not isinstance(data, str):
            raise TypeError(f"expected an ISO time, got {data!r}")
        return datetime.fromisoformat(data)
    if tp is date:
        if not isinstance(data, str):
            raise TypeError(f"expected an ISO date, got {data!r}")
        return date.fromisoformat(data)
    if tp is bool or tp is str:
        if not isinstance(data, tp):
            raise TypeError(f"expected {tp.__name__}, got {data!r}")
        return data
    if tp is int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise TypeError(f"expected a whole number, got {data!r}")
        return data
    raise TypeError(f"cannot read a {tp!r}")
