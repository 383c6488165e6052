"""Reading what is typed on the count screen: a quantity for the selected line, or a code and one."""

from __future__ import annotations

import pytest

from terminal.data.count_entry import CountEntry, read_entry
from terminal.errors import CountEntryError


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("2 case + 3 bag + 1.5 lb", CountEntry(None, "2 case + 3 bag + 1.5 lb")),
        ("  3 ", CountEntry(None, "3")),
        (".5 lb", CountEntry(None, ".5 lb")),
        ("-1", CountEntry(None, "-1")),  # the store refuses it, naming the item
        ("Pepperoni 3 bag +  12 oz", CountEntry("pepperoni", "3 bag + 12 oz")),
        ("dough_lg 1 tray", CountEntry("dough_lg", "1 tray")),
    ],
)
def test_what_was_typed(typed: str, read: CountEntry) -> None:
    assert read_entry(typed) == read


@pytest.mark.parametrize(
    ("typed", "said"), [("", "Type what is on the shelf"), ("mozzarella", "needs a quantity")]
)
def test_nothing_to_save(typed: str, said: str) -> None:
    with pytest.raises(CountEntryError, match=said):
        read_entry(typed)
