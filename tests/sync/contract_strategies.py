"""Hypothesis strategies for every model of the wire contract, read off the models' own
fields and constraints, so a new field or kind is generated without touching this file."""

from __future__ import annotations

import types
import typing
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import annotated_types as at
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from makeline.demo.menu import demo_menu
from makeline.trade.menu import Menu
from sync.contract import Body

# JSON text both databases hold: no NUL (PostgreSQL's JSON cannot), no lone surrogates.
TEXT = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
WIDEST = 10**9


def _bounds(meta: tuple[Any, ...]) -> tuple[Any, Any, int | None, int]:
    low: Any = None
    high: Any = None
    max_len: int | None = None
    min_len = 0
    for m in meta:
        if isinstance(m, at.Ge):
            low = m.ge
        elif isinstance(m, at.Gt):
            low = m.gt + 1 if isinstance(m.gt, int) else m.gt
        elif isinstance(m, at.Le):
            high = m.le
        elif isinstance(m, at.Lt):
            high = m.lt - 1 if isinstance(m.lt, int) else m.lt
        elif isinstance(m, at.MaxLen):
            max_len = m.max_length
        elif isinstance(m, at.MinLen):
            min_len = m.min_length
        elif hasattr(m, "metadata"):  # a FieldInfo inside Annotated
            lo, hi, mx, mn = _bounds(tuple(m.metadata))
            low, high = lo if lo is not None else low, hi if hi is not None else high
            max_len, min_len = mx if mx is not None else max_len, max(min_len, mn)
    return low, high, max_len, min_len


def of(annotation: Any, meta: tuple[Any, ...] = ()) -> st.SearchStrategy[Any]:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return of(args[0], (*meta, *args[1:]))
    if origin is typing.Literal:
        return st.sampled_from(args)
    if origin in (typing.Union, types.UnionType):
        return st.one_of([of(a, meta) if a is not type(None) else st.none() for a in args])
    low, high, max_len, min_len = _bounds(meta)
    if origin is list:
        return st.lists(of(args[0]), min_size=min_len, max_size=min(max_len or 3, 3))
    if origin is dict:
        return st.dictionaries(st.text(TEXT, min_size=1, max_size=8), of(args[1]), max_size=2)
    if annotation is Menu:
        return st.integers(1, 1000).map(demo_menu)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return st.sampled_from(list(annotation))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return model(annotation)
    if annotation is bool:
        return st.booleans()
    if annotation is int:
        return st.integers(WIDEST * -1 if low is None else low, WIDEST if high is None else high)
    if annotation is float:
        return st.floats(
            -1e6 if low is None else low, 1e6 if high is None else high, allow_nan=False, allow_infinity=False
        )
    if annotation is Decimal:
        return st.decimals(-(10**6), 10**6, allow_nan=False, allow_infinity=False, places=4)
    if annotation is str:
        return st.text(TEXT, min_size=max(min_len, 0), max_size=min(max_len or 24, 24))
    if annotation is datetime:
        return st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC))
    if annotation is date:
        return st.dates(date(2000, 1, 1), date(2100, 1, 1))
    raise NotImplementedError(f"no strategy for {annotation!r}")


def model(cls: type[BaseModel]) -> st.SearchStrategy[Any]:
    fields = {
        name: of(field.annotation, tuple(field.metadata))
        for name, field in cls.model_fields.items()
        if not (issubclass(cls, Body) and name in ("kind", "v"))
    }

    def build(values: dict[str, Any]) -> Any:
        try:
            return cls(**values)
        except ValidationError:  # a rule across fields (e.g. cash limit within order limit)
            return None

    return st.fixed_dictionaries(fields).map(build).filter(lambda built: built is not None)
