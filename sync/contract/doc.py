"""`python -m sync.contract.doc [--check] [PATH]`: write `docs/sync.md` from the models
(each kind's fields, types and defaults); with `--check`, fail when the file is stale."""

from __future__ import annotations

import argparse
import sys
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from sync.contract.base import Body
from sync.contract.entries import ENTRY_KINDS
from sync.contract.envelope import (
    PROTOCOL,
    FeedEntry,
    Heartbeat,
    HeartbeatAck,
    Hello,
    Nudge,
    OutboxEvent,
    PullPage,
    PushAck,
    PushBatch,
)
from sync.contract.events import EVENT_KINDS
from sync.contract.snapshot import (
    RestoreClaim,
    RestoreGranted,
    SnapshotCustomer,
    SnapshotOrder,
    SnapshotPerson,
    SnapshotRun,
    SnapshotStock,
    SnapshotStore,
    SnapshotStreet,
    StoreSnapshot,
)

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "docs" / "sync.md"
ENVELOPES: tuple[type[BaseModel], ...] = (
    PushBatch,
    OutboxEvent,
    PushAck,
    PullPage,
    FeedEntry,
    Heartbeat,
    HeartbeatAck,
    Hello,
    Nudge,
    RestoreClaim,
    RestoreGranted,
    StoreSnapshot,
    SnapshotStore,
    SnapshotStreet,
    SnapshotPerson,
    SnapshotCustomer,
    SnapshotOrder,
    SnapshotRun,
    SnapshotStock,
)


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _type_name(typing.get_args(annotation)[0])
    if origin is typing.Literal:
        return " \\| ".join(f"`{a}`" for a in typing.get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in typing.get_args(annotation))
    if origin is not None:
        args = ", ".join(_type_name(a) for a in typing.get_args(annotation))
        return f"{getattr(origin, '__name__', str(origin))}[{args}]"
    if annotation is type(None):
        return "null"
    return getattr(annotation, "__name__", str(annotation))


def _default(field: FieldInfo) -> str:
    if field.default is PydanticUndefined and field.default_factory is None:
        return "required"
    if field.default_factory is not None:
        return "empty"
    return f"`{field.default!r}`" if field.default not in ("",) else '`""`'


def _fields(model: type[BaseModel]) -> list[str]:
    rows = ["| field | type | default |", "|---|---|---|"]
    for name, field in model.model_fields.items():
        if name == "kind" and issubclass(model, Body):
            continue
        rows.append(f"| `{name}` | {_type_name(field.annotation)} | {_default(field)} |")
    return rows


def _nested(models: tuple[type[BaseModel], ...]) -> list[type[BaseModel]]:
    """Models that appear inside the kinds' fields (lines, stops, addresses, …), once each."""
    found: list[type[BaseModel]] = []

    def walk(annotation: Any) -> None:
        for arg in typing.get_args(annotation):
            walk(arg)
        if (
            isinstance(annotation, type)
            and issubclass(annotation, BaseModel)
            and annotation not in found
            and annotation.__module__.startswith("sync.contract")
        ):
            found.append(annotation)
            for field in annotation.model_fields.values():
                walk(field.annotation)

    for model in models:
        for field in model.model_fields.values():
            walk(field.annotation)
    return [m for m in found if m not in models]


def _kind_section(title: str, kinds: tuple[type[Body], ...]) -> list[str]:
    lines = [f"## {title}", ""]
    for model in kinds:
        kind = model.model_fields["kind"].default
        lines += [f"### `{kind}` (version {model.VERSION})", "", (model.__doc__ or "").strip(), ""]
        lines += [*_fields(model), ""]
    return lines


def render() -> str:
    lines = [
        "# The sync contract",
        "",
        "Generated from `sync/contract/` by `python -m sync.contract.doc`; do not edit by hand.",
        f"Protocol version: **{PROTOCOL}**. Every event and feed entry carries its kind's version",
        "in `v`; a side that receives a newer version (or an unknown kind) quarantines it.",
        "",
        "## Envelopes",
        "",
    ]
    for model in ENVELOPES:
        lines += [f"### {model.__name__}", "", (model.__doc__ or "").strip(), "", *_fields(model), ""]
    lines += _kind_section("Store events (store → cloud, `OutboxEvent.payload`)", EVENT_KINDS)
    lines += _kind_section("Feed entries (cloud → store, `FeedEntry.payload`)", ENTRY_KINDS)
    lines += ["## Parts", ""]
    for model in _nested(ENVELOPES + EVENT_KINDS + ENTRY_KINDS):
        lines += [f"### {model.__name__}", "", (model.__doc__ or "").strip(), "", *_fields(model), ""]
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sync.contract.doc", description=__doc__)
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--check", action="store_true", help="fail when the file is not up to date")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if not args.path.exists() or args.path.read_text(encoding="utf-8") != text:
            print(f"{args.path} is stale: run python -m sync.contract.doc", file=sys.stderr)
            return 1
        return 0
    args.path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
