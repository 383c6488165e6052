"""Store hours: open at, next opening, the business day's turn, closures, clock changes, and
orders for later refused with the next opening."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from makeline.trade.hours import (
    ALWAYS_OPEN,
    Closure,
    OutsideHours,
    Span,
    StoreHours,
    check_order_time,
    current_or_next,
    is_open,
    next_opening,
    openings,
    time_slots,
)

ZONE = "America/Chicago"
CHI = ZoneInfo(ZONE)
LATE = [Span(opens="11:00", closes="02:00")]
HOURS = StoreHours(
    week={
        "mon": [Span(opens="11:00", closes="23:00")],
        "tue": [Span(opens="11:00", closes="14:00"), Span(opens="17:00", closes="23:00")],
        "wed": [Span(opens="11:00", closes="23:00")],
        "thu": [Span(opens="11:00", closes="23:00")],
        "fri": LATE,
        "sat": LATE,
    },  # closed on Sundays
    closures=[Closure(day=date(2026, 12, 25), reason="Christmas")],
)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=CHI).astimezone(UTC)  # type: ignore[misc]


def test_friday_night_runs_past_midnight_into_the_business_day_it_started() -> None:
    # Friday 4 Dec 2026, 11:00 to Saturday 02:00.
    assert is_open(HOURS, ZONE, 4, local(2026, 12, 5, 1, 30))
    assert not is_open(HOURS, ZONE, 4, local(2026, 12, 5, 2, 0))
    assert not is_open(HOURS, ZONE, 4, local(2026, 12, 4, 10, 59))
    assert next_opening(HOURS, ZONE, 4, local(2026, 12, 5, 3, 0)) == local(2026, 12, 5, 11, 0)


def test_sunday_closed_and_saturday_night_ends_early_sunday() -> None:
    assert is_open(HOURS, ZONE, 4, local(2026, 12, 6, 1, 0))  # Saturday's opening
    assert not is_open(HOURS, ZONE, 4, local(2026, 12, 6, 12, 0))
    assert next_opening(HOURS, ZONE, 4, local(2026, 12, 6, 12, 0)) == local(2026, 12, 7, 11, 0)


def test_split_day_and_holiday_closure() -> None:
    assert not is_open(HOURS, ZONE, 4, local(2026, 12, 8, 15, 0))  # Tuesday afternoon break
    assert next_opening(HOURS, ZONE, 4, local(2026, 12, 8, 15, 0)) == local(2026, 12, 8, 17, 0)
    assert not is_open(HOURS, ZONE, 4, local(2026, 12, 25, 12, 0))  # Christmas, a Friday
    assert next_opening(HOURS, ZONE, 4, local(2026, 12, 24, 23, 30)) == local(2026, 12, 26, 11, 0)


def test_clock_change_keeps_the_wall_clock_hours() -> None:
    # 8 March 2026: clocks go forward at 02:00 in Chicago; Saturday's opening still ends at 02:00 wall time.
    found = current_or_next(HOURS, ZONE, 4, local(2026, 3, 7, 12, 0))
    assert found is not None
    assert found.start == local(2026, 3, 7, 11, 0)
    assert found.end.astimezone(CHI).hour == 3  # 02:00 does not exist that night: the next instant
    assert next_opening(HOURS, ZONE, 4, local(2026, 3, 8, 12, 0)) == local(2026, 3, 9, 11, 0)


def test_no_hours_set_is_open_around_the_clock_except_closures() -> None:
    assert is_open(ALWAYS_OPEN, ZONE, 4, local(2026, 12, 6, 3, 0))
    closed = StoreHours(closures=[Closure(day=date(2026, 12, 25))])
    assert not is_open(closed, ZONE, 4, local(2026, 12, 25, 12, 0))
    assert next_opening(closed, ZONE, 4, local(2026, 12, 25, 12, 0)) == local(2026, 12, 26, 4, 0)


def test_an_order_outside_hours_names_the_next_opening() -> None:
    now = local(2026, 12, 4, 18, 0)  # Friday evening
    with pytest.raises(OutsideHours, match=r"closed at Sunday 12:00 \(6 Dec\); it next opens Monday 11:00"):
        check_order_time(HOURS, ZONE, 4, now, local(2026, 12, 6, 12, 0))
    with pytest.raises(OutsideHours, match="it next opens tomorrow 11:00"):
        check_order_time(HOURS, ZONE, 4, now, local(2026, 12, 5, 3, 0))
    with pytest.raises(OutsideHours, match="at most 7 days ahead"):
        check_order_time(HOURS, ZONE, 4, now, local(2026, 12, 12, 12, 0))
    with pytest.raises(OutsideHours, match="has passed"):
        check_order_time(HOURS, ZONE, 4, now, local(2026, 12, 4, 12, 0))
    with pytest.raises(OutsideHours, match="with its zone"):
        check_order_time(HOURS, ZONE, 4, now, datetime(2026, 12, 5, 12, 0))
    assert check_order_time(HOURS, ZONE, 4, now, local(2026, 12, 5, 1, 45)) == local(2026, 12, 5, 1, 45)


def test_slots_are_quarter_hours_within_hours_up_to_seven_days() -> None:
    now = local(2026, 12, 4, 18, 7)
    slots = time_slots(HOURS, ZONE, 4, now + timedelta(minutes=30), now)
    assert slots[0] == local(2026, 12, 4, 18, 45)
    assert all(is_open(HOURS, ZONE, 4, s) for s in slots)
    assert all(s.minute % 15 == 0 for s in slots)
    assert slots[-1] <= now + timedelta(days=7)
    assert local(2026, 12, 5, 1, 45) in slots and local(2026, 12, 5, 2, 0) not in slots


def test_spans_that_are_empty_are_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        StoreHours(week={"mon": [Span(opens="11:00", closes="11:00")]})
    with pytest.raises(ValueError):
        Span(opens="25:00", closes="11:00")


clocks = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
spans = st.builds(Span, opens=clocks, closes=clocks).filter(lambda s: s.opens != s.closes)
weeks = st.dictionaries(
    st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]), st.lists(spans, max_size=2)
)
moments = st.integers(0, 60 * 24 * 30).map(lambda m: local(2026, 10, 20, 0, 0) + timedelta(minutes=m))


@settings(max_examples=60, deadline=None)
@given(weeks, st.integers(0, 6), moments, moments)
def test_rules_agree_with_each_other(week: dict, turn: int, at: datetime, wanted: datetime) -> None:  # type: ignore[type-arg]
    hours = StoreHours(week=week)
    found = list(openings(hours, ZONE, turn, at, at + timedelta(days=3)))
    for a, b in itertools.pairwise(found):
        assert a.start < a.end < b.start  # in order, touching ones joined
    opened = next_opening(hours, ZONE, turn, at)
    if opened is not None:
        assert opened > at and is_open(hours, ZONE, turn, opened)
        assert not is_open(hours, ZONE, turn, opened - timedelta(minutes=1))
    assert is_open(hours, ZONE, turn, at) == any(o.holds(at) for o in found)
    try:
        taken = check_order_time(hours, ZONE, turn, at, wanted)
    except OutsideHours as exc:
        assert wanted < at or wanted > at + timedelta(days=7) or not is_open(hours, ZONE, turn, wanted)
        assert "opens" in str(exc) or "passed" in str(exc) or "7 days" in str(exc) or "no opening" in str(exc)
    else:
        assert taken == wanted and is_open(hours, ZONE, turn, wanted)
