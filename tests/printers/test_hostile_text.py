"""Every text field of every document filled with printer commands: a name, an address or a note
never becomes one (a cash-drawer kick, a cut, a reset, a real-time pulse), and still prints."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from printers.decode import decode
from printers.documents import Document
from printers.layout import render
from tests.printers import samples

# ESC p: kick the cash drawer; GS V: cut; ESC @: reset; DLE DC4: real-time drawer pulse;
# ESC !: print mode; 0x9b: a one-byte CSI; U+202E: right-to-left override.
COMMANDS = "\x1bp\x00\x19\xfa \x1dV\x00 \x1b@ \x10\x14\x01\x00\x05 \x1b!\x30 \x9b2J \u202e"
HOSTILE = f"Mallory {COMMANDS}end"
# Fields the documents check or branch on (a time zone, the service, what to collect).
NOT_TEXT = {"zone", "service", "collect"}


def hostile(value: Any, name: str = "") -> Any:
    if isinstance(value, str) and name not in NOT_TEXT:
        return HOSTILE
    if isinstance(value, tuple):
        return tuple(hostile(item, name) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: hostile(getattr(value, f.name), f.name) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)
    return value


def count(data: bytes, command: bytes) -> int:
    return data.count(command)


@pytest.mark.parametrize("document", samples.every_document(), ids=lambda d: d.kind)
@pytest.mark.parametrize("profile", ["80mm", "58mm"])
def test_no_text_field_becomes_a_printer_command(document: Document, profile: str) -> None:
    clean = render(document, profile)
    data = render(hostile(document), profile)
    for command in (b"\x1bp", b"\x10\x14", b"\x9b"):
        assert count(data, command) == count(clean, command) == 0, command
    assert count(data, b"\x1b@") == count(clean, b"\x1b@") == 1  # the layout's own reset only
    assert count(data, b"\x1dV") == count(clean, b"\x1dV") == 1  # the layout's own cut only
    paper = decode(data)
    assert paper.cuts == 1 and paper.ends_with_cut
    assert any("Mallory" in line and "end" in line for line in paper.texts)


def test_a_tracking_link_with_commands_prints_as_a_clean_code() -> None:
    link = "https://order.example.com/t/1\x1bp\x00\x19\xfa\x1dV\x00"
    data = render(samples.receipt(tracking_url=link), "80mm")
    assert b"\x1bp" not in data and count(data, b"\x1dV") == 1
    assert decode(data).qr_codes == ["https://order.example.com/t/1púV"]
