"""The decoder reads hand-written ESC/POS back into lines, styles, QR payloads and cuts."""

from __future__ import annotations

import pytest

from printers.decode import UndecodableBytes, decode

ESC, GS = b"\x1b", b"\x1d"


def qr(payload: str) -> bytes:
    data = payload.encode()
    store = GS + b"(k" + (len(data) + 3).to_bytes(2, "little") + b"1P0" + data
    return GS + b"(k\x03\x001C\x06" + store + GS + b"(k\x03\x001Q0"


def test_text_lines_keep_spaces_and_styles() -> None:
    data = (
        ESC + b"@" + b"plain\n"
        + ESC + b"!\x30" + ESC + b"E\x01" + ESC + b"a\x01" + b"#1042\n"
        + ESC + b"!\x00" + ESC + b"E\x00" + ESC + b"a\x00" + GS + b"B\x01" + b" LEFT HALF \n"
        + GS + b"B\x00" + b"   ADD HAM\n"
    )  # fmt: skip
    lines = decode(data).lines
    assert [line.text for line in lines] == ["plain", "#1042", " LEFT HALF ", "   ADD HAM"]
    big = lines[1]
    assert (big.wide, big.tall, big.bold, big.align) == (True, True, True, "center")
    assert big.width == 10
    assert lines[2].inverse and not lines[2].bold and lines[2].align == "left"
    assert not lines[3].inverse


def test_gs_size_and_code_pages() -> None:
    data = GS + b"!\x11" + b"BIG\n" + GS + b"!\x00" + ESC + b"t\x10" + b"BACKUP \x97 down\n"
    lines = decode(data).lines
    assert lines[0].width_scale == 2 and lines[0].height_scale == 2
    assert lines[1].text == "BACKUP — down"
    assert decode(ESC + b"t\x00" + b"caf\x82\n").texts == ["café"]  # code page 437


def test_qr_payload_and_cuts() -> None:
    url = "https://order.example.com/t/abc?x=1"
    out = decode(b"Track\n" + ESC + b"a\x01" + qr(url) + ESC + b"d\x02" + GS + b"V\x00")
    assert out.qr_codes == [url]
    assert out.lines[1].kind == "qr" and out.lines[1].align == "center"
    assert out.texts == ["Track", "", ""]
    assert out.cuts == 1 and out.ends_with_cut
    assert decode(b"a\n" + GS + b"VB\x03" + b"b\n" + GS + b"V\x01").cuts == 2


def test_status_requests_images_and_tabs_are_not_text() -> None:
    image = GS + b"v0\x00\x02\x00\x02\x00" + b"\x10\x04\x0a\x1b"
    data = b"\x10\x04\x01" + b"a\tb\n" + image + b"end\n"
    assert decode(data).texts == ["a       b", "end"]


@pytest.mark.parametrize(
    "data",
    [ESC + b"Z", b"ok\n" + GS + b"(k\x10\x00" + b"short", b"\x07bell", GS + b"\xff"],
    ids=["unknown-esc", "cut-short", "control", "unknown-gs"],
)
def test_unknown_or_truncated_commands_are_refused(data: bytes) -> None:
    with pytest.raises(UndecodableBytes):
        decode(data)


def test_a_job_cut_off_mid_command_decodes_when_marked_partial() -> None:
    data = b"#1042\n" + ESC + b"!"
    with pytest.raises(UndecodableBytes, match="cut short"):
        decode(data)
    assert decode(data, partial=True).texts == ["#1042"]
