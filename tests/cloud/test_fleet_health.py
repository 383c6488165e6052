"""The fleet's judgement of one store, as a pure rule: online within the heartbeat window and
not a second after, what each kind of trouble says, and the worst store first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cloud_api.fleet.health import Report, Signals, assess, worst_first
from sync.contract import PrinterHealth

NOW = datetime(2026, 12, 5, 18, 0, tzinfo=UTC)
WINDOW = 60


def _signals(code: str = "OP-001", seen: timedelta | None = timedelta(seconds=5), **extra: object) -> Signals:
    base: dict[str, object] = {
        "store_id": f"id-{code}",
        "code": code,
        "name": f"makeline {code}",
        "timezone": "America/Chicago",
        "last_seen_at": None if seen is None else NOW - seen,
        "menu_version": 3,
        "feed_head": 10,
        "held_here": 0,
        "report": _report(),
    }
    return Signals(**(base | extra))  # type: ignore[arg-type]


def _report(**extra: object) -> Report:
    base: dict[str, object] = {
        "received_at": NOW,
        "outbox_backlog": 0,
        "feed_cursor": 10,
        "quarantined": 0,
        "printers": [PrinterHealth(name="kitchen", online=True)],
        "menu_version": 3,
    }
    return Report(**(base | extra))  # type: ignore[arg-type]


def test_a_store_is_online_through_its_window_and_offline_right_after() -> None:
    at_edge = assess(_signals(seen=timedelta(seconds=WINDOW)), NOW, WINDOW)
    assert at_edge.online and at_edge.ordering_open and at_edge.problems == []
    late = assess(_signals(seen=timedelta(seconds=WINDOW, microseconds=1)), NOW, WINDOW)
    assert not late.online and not late.ordering_open
    assert late.ordering_why.startswith("paused: not heard from for 60 s")
    assert late.problems[0].text == "Offline: not heard from for 60 s"


def test_never_heard_and_no_menu_pause_online_ordering_and_say_why() -> None:
    never = assess(_signals(seen=None, report=None), NOW, WINDOW)
    assert never.ordering_why == "paused: its store computer has never connected"
    assert never.feed_backlog is None
    no_menu = assess(_signals(menu_version=None), NOW, WINDOW)
    assert no_menu.online and no_menu.ordering_why == "paused: no menu published to this store"


def test_backlogs_quarantine_printers_and_an_old_menu_are_named() -> None:
    report = _report(
        outbox_backlog=250,
        feed_cursor=7,
        quarantined=2,
        menu_version=2,
        printers=[
            PrinterHealth(name="kitchen", online=False, waiting=4, last_error="paper out"),
            PrinterHealth(name="receipt", online=False),
        ],
    )
    found = assess(_signals(report=report, held_here=1), NOW, WINDOW)
    assert found.feed_backlog == 3 and found.ordering_open
    assert [p.text for p in found.problems] == [
        "Printer 'kitchen' is down with 4 waiting: paper out",
        "1 of its events set aside in the cloud",
        "2 feed entries set aside at the store",
        "Printer 'receipt' is down",
        "250 events not yet pushed",
        "Sells menu v2; v3 not applied yet",
        "3 feed entries not yet pulled",
    ]


def test_the_worst_store_comes_first_and_healthy_ones_by_code() -> None:
    stores = [
        assess(_signals("B-2"), NOW, WINDOW),
        assess(_signals("A-1"), NOW, WINDOW),
        assess(_signals("C-3", report=_report(outbox_backlog=3)), NOW, WINDOW),
        assess(_signals("D-4", seen=timedelta(minutes=5)), NOW, WINDOW),
    ]
    assert [h.signals.code for h in worst_first(stores)] == ["D-4", "C-3", "A-1", "B-2"]
