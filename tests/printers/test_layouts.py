"""Each layout, rendered to ESC/POS at both paper widths and decoded, says what it must."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from printers.decode import Decoded, decode
from printers.documents import Document, TicketItem
from printers.layout import preview, render
from printers.layout.sheet import printable
from printers.profiles import PROFILES
from tests.printers import samples

WIDTHS = [pytest.param(name, id=name) for name in PROFILES]


def printed(document: Document, profile: str) -> Decoded:
    data = render(document, profile)
    assert data.startswith(b"\x1b@"), "every job starts by resetting the printer"
    out = decode(data)
    columns = PROFILES[profile].columns
    for line in out.lines:
        if line.kind == "text":
            assert line.width <= columns, f"{line.text!r} runs off {profile} paper"
    assert out.ends_with_cut and out.cuts == 1
    for raster in (b"\x1dv0", b"\x1b*", b"\x1d(L", b"\x1d8L"):
        assert raster not in data, "text and native QR only: no images"
    return out


@pytest.mark.parametrize("profile", WIDTHS)
def test_kitchen_ticket(profile: str) -> None:
    out = printed(samples.ticket(), profile)
    texts = out.texts
    number = out.line("#1042")
    assert number.wide and number.bold and number.align == "center"
    assert out.line("DELIVERY").tall
    assert "Placed 6:42 PM - Due 7:20 PM" in texts
    assert texts.index("1 LARGE HAND TOSSED") < texts.index("PEPPERONI")
    # whole-pizza changes, then the left half, then the right half, each in its block
    order = [out.index(t) for t in ("NO ONIONS", "EXTRA CHEESE", "LEFT HALF", "ADD MUSHROOMS",
                                    "ADD GREEN PEPPERS", "RIGHT HALF", "ADD HAM", "NOTE: well done",
                                    "2 GARLIC BREAD", "ORDER NOTE: Ring")]  # fmt: skip
    assert order == sorted(order)
    for half in ("LEFT HALF", "RIGHT HALF"):
        heading = out.line(half)
        assert heading.inverse and heading.bold and heading.text.strip() == half
    assert not out.line("ADD HAM").inverse
    assert out.qr_codes == []
    assert "REPRINT" not in texts


@pytest.mark.parametrize("profile", WIDTHS)
def test_kitchen_ticket_marks_reprint_and_backup_first(profile: str) -> None:
    ticket = dataclasses.replace(samples.ticket(), reprint=True, banner="BACKUP — kitchen printer down")
    out = printed(ticket, profile)
    assert out.texts[:2] == ["BACKUP — kitchen printer down", "REPRINT"]
    assert out.lines[0].inverse and out.lines[1].inverse


def test_an_item_without_halves_prints_no_half_blocks() -> None:
    plain = TicketItem(quantity=3, product="Cheese", size="Medium", crust="Thin", whole=("LIGHT SAUCE",))
    out = printed(samples.ticket(items=(plain,), promise_at=None, notes=""), "80mm")
    assert not any("HALF" in t for t in out.texts)
    assert "3 MEDIUM THIN" in out.texts and "LIGHT SAUCE" in out.texts
    assert "Placed 6:42 PM" in out.texts


@pytest.mark.parametrize("profile", WIDTHS)
def test_receipt(profile: str) -> None:
    columns = PROFILES[profile].columns
    out = printed(samples.receipt(), profile)
    texts = out.texts
    assert out.line("Tony's Pizza").bold
    assert "123 Main St" in texts and "(217) 555-0100" in texts
    assert out.line("#1042").wide
    expected = {
        "Subtotal": "$24.97",
        "Discount SAVE5": "-$5.00",
        "Tax": "$1.40",
        "Tip": "$3.00",
        "TOTAL": "$24.37",
        "Cash": "$30.00",
        "Change": "$5.63",
    }
    for label, amount in expected.items():
        line = out.line(label).text
        assert line.startswith(label) and line.endswith(amount) and len(line) == columns
    assert out.line("TOTAL").bold and out.line("TOTAL").tall
    assert out.line("Coke 2L").text.endswith("$5.98")
    assert "LEFT: ADD MUSHROOMS" in texts
    assert out.qr_codes == [samples.TRACKING]
    assert texts.index("Change" + " " * (columns - 11) + "$5.63") < texts.index("Thank you!")


def test_receipt_without_tracking_or_discount() -> None:
    out = printed(samples.receipt(tracking_url="", discount=0, coupon="", tip=0, total=2637), "58mm")
    assert out.qr_codes == []
    assert not any(t.startswith(("Discount", "Tip")) for t in out.texts)


@pytest.mark.parametrize("profile", WIDTHS)
def test_run_sheet(profile: str) -> None:
    out = printed(samples.run_sheet(), profile)
    texts = out.texts
    assert out.line("RUN R7").wide
    stops = [out.index(f"{n}. #{label}") for n, label in ((1, 1042), (2, 1043), (3, 1045))]
    assert stops == sorted(stops)
    assert "12 Oak Ave" in texts and "(217) 555-0199" in texts
    assert "COLLECT $24.37 CASH" in texts and "PAID - COLLECT NOTHING" in texts
    assert out.line("CASH TO COLLECT").text.endswith("$35.62")  # the two cash stops only


@pytest.mark.parametrize("profile", WIDTHS)
def test_cash_out_slip(profile: str) -> None:
    out = printed(samples.cash_out(), profile)
    assert out.line("CASH OUT").wide
    assert "Shift 4:00 PM - 11:10 PM" in out.texts
    assert out.line("Cash collected").text.endswith("$312.45")
    assert out.line("OWED TO STORE").text.endswith("$250.00")
    assert out.index("Driver signature") < out.index("Manager signature")
    assert out.texts[out.index("Driver signature") - 1].startswith("______")


@pytest.mark.parametrize("profile", WIDTHS)
def test_day_summary(profile: str) -> None:
    out = printed(samples.day_summary(), profile)
    assert "Thu 23 Nov 2023" in out.texts
    assert out.line("NET SALES").text.endswith("$3,456.78")
    assert out.line("Walk in (22)").text.endswith("$456.78")
    assert out.line("Carryout (52)").text.endswith("$956.78")
    assert out.line("Voids (3)").text.endswith("$45.67")
    assert out.line("Sam (14)").text.endswith("$250.00")


@pytest.mark.parametrize("profile", WIDTHS)
def test_test_page_shows_the_full_width(profile: str) -> None:
    columns = PROFILES[profile].columns
    out = printed(samples.page(), profile)
    ruler = out.line("1234567890").text
    assert len(ruler) == columns
    assert out.qr_codes == ["makeline test kitchen"]
    assert f"{columns} columns" in out.line("Paper").text


@pytest.mark.parametrize("document", samples.every_document(), ids=lambda d: d.kind)
def test_preview_shows_what_the_paper_shows(document: Document) -> None:
    for columns in (42, 32):
        text = preview(document, columns)
        shown = [line.strip() for line in text.splitlines()]
        paper = decode(render(document, "80mm" if columns == 42 else "58mm"))
        for line in paper.texts:
            if line:
                assert any(line in s for s in shown), line
        for payload in paper.qr_codes:
            assert f"[QR {payload}]" in shown
        assert all(len(s) <= columns for s in text.splitlines() if not s.strip().startswith("[QR"))


@given(note=st.text(max_size=120), change=st.text(min_size=1, max_size=60))
def test_any_text_prints_legibly_within_the_paper(note: str, change: str) -> None:
    item = TicketItem(quantity=1, product="Cheese", size="Small", crust="Thin", left=(change,))
    out = printed(samples.ticket(items=(item,), notes=note), "58mm")
    if not printable(note).strip():
        assert not any(t.startswith("ORDER NOTE") for t in out.texts)
        return
    start = out.index("ORDER NOTE:")
    shown = "".join(out.texts[start:]).replace(" ", "")
    assert shown == ("ORDER NOTE:" + printable(note)).replace(" ", "")
    left = out.index("LEFT HALF")
    assert out.texts[left + 1].replace(" ", "").startswith(printable(change.upper()).replace(" ", "")[:8])


def test_control_bytes_in_a_note_never_reach_the_printer() -> None:
    data = render(samples.ticket(notes="gate \x10\x04\x01 code\x1bi 42 日本 🍕"), "80mm")
    assert b"\x10\x04" not in data and b"\x1bi" not in data
    assert "ORDER NOTE: gate codei 42 ?? ?" in decode(data).texts
