"""Judging one store's health from what the cloud knows of it: pure, no database.

A store is *online* while its agent was heard from within the heartbeat window (the same
rule that opens it to online orders); everything else the fleet shows comes from the last
heartbeat's report and the cloud's own ledgers. `assess` turns those into the problems a
person should act on, each with a weight; the fleet lists the heaviest first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sync.contract import PrinterHealth

# How much each kind of trouble weighs when ordering the fleet, worst first.
OFFLINE = 100
NEVER_HEARD = 90
NO_MENU = 80
UNSEEN_ORDERS = 70  # a customer's order nobody in the kitchen has seen
PRINTER_DOWN_WITH_TICKETS = 60
SECOND_COMPUTER = 50
QUARANTINED = 40
PRINTER_DOWN = 30
BIG_BACKLOG = 20
MENU_BEHIND = 10
BACKLOG = 5

BIG = 100  # a backlog this long is more than a few seconds of catching up
SECOND_COMPUTER_RECENT = timedelta(hours=24)


@dataclass(frozen=True)
class Report:
    """The store's last heartbeat, as its agent sent it."""

    received_at: datetime
    outbox_backlog: int
    feed_cursor: int
    quarantined: int
    printers: list[PrinterHealth]
    menu_version: int | None
    agent_version: str = ""
    unseen_orders: int | None = None  # None: its agent does not report them


@dataclass(frozen=True)
class Signals:
    """Everything the cloud knows about one store's link."""

    store_id: str
    code: str
    name: str
    timezone: str
    last_seen_at: datetime | None
    menu_version: int | None  # the version the cloud sells from for this store
    feed_head: int  # the newest cursor of its feed
    held_here: int  # its events the cloud set aside
    report: Report | None
    second_computer_at: datetime | None = None


@dataclass(frozen=True)
class Problem:
    weight: int
    text: str


@dataclass(frozen=True)
class Health:
    signals: Signals
    online: bool
    silent_s: int | None  # seconds since the agent was heard from; None: never
    feed_backlog: int | None  # feed entries the store has not pulled, as of its last report
    ordering_open: bool
    ordering_why: str
    problems: list[Problem] = field(default_factory=list)

    @property
    def weight(self) -> int:
        return sum(p.weight for p in self.problems)


def _ago(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"


def is_online(last_seen_at: datetime | None, now: datetime, window_s: int) -> bool:
    return last_seen_at is not None and last_seen_at >= now - timedelta(seconds=window_s)


def _printer_problems(printers: list[PrinterHealth]) -> list[Problem]:
    found = []
    for p in printers:
        if p.online:
            continue
        why = f": {p.last_error}" if p.last_error else ""
        if p.waiting:
            found.append(
                Problem(
                    PRINTER_DOWN_WITH_TICKETS, f"Printer '{p.name}' is down with {p.waiting} waiting{why}"
                )
            )
        else:
            found.append(Problem(PRINTER_DOWN, f"Printer '{p.name}' is down{why}"))
    return found


def _backlog_problem(count: int, what: str) -> list[Problem]:
    if count >= BIG:
        return [Problem(BIG_BACKLOG, f"{count} {what}")]
    return [Problem(BACKLOG, f"{count} {what}")] if count else []


def assess(s: Signals, now: datetime, window_s: int) -> Health:
    """What is wrong with the store's link, and whether it takes online orders and why not."""
    online = is_online(s.last_seen_at, now, window_s)
    silent = None if s.last_seen_at is None else max(0, int((now - s.last_seen_at).total_seconds()))
    problems: list[Problem] = []
    if silent is None:
        problems.append(Problem(NEVER_HEARD, "Its store computer has never been heard from"))
    elif not online:
        problems.append(Problem(OFFLINE, f"Offline: not heard from for {_ago(silent)}"))
    if s.menu_version is None:
        problems.append(Problem(NO_MENU, "No menu published to it"))
    if s.second_computer_at is not None and now - s.second_computer_at <= SECOND_COMPUTER_RECENT:
        problems.append(Problem(SECOND_COMPUTER, "A second computer tried to sync as this store"))
    if s.held_here:
        problems.append(Problem(QUARANTINED, f"{s.held_here} of its events set aside in the cloud"))
    feed_backlog = None
    if s.report is not None:
        r = s.report
        feed_backlog = max(0, s.feed_head - r.feed_cursor)
        if r.quarantined:
            problems.append(Problem(QUARANTINED, f"{r.quarantined} feed entries set aside at the store"))
        if r.unseen_orders:
            many = r.unseen_orders != 1
            problems.append(
                Problem(
                    UNSEEN_ORDERS,
                    f"{r.unseen_orders} online order{'s' if many else ''} not on a make-line screen "
                    "and not printed: call the store",
                )
            )
        problems += _printer_problems(r.printers)
        problems += _backlog_problem(r.outbox_backlog, "events not yet pushed")
        problems += _backlog_problem(feed_backlog, "feed entries not yet pulled")
        if s.menu_version is not None and (r.menu_version or 0) < s.menu_version:
            problems.append(
                Problem(MENU_BEHIND, f"Sells menu v{r.menu_version or 0}; v{s.menu_version} not applied yet")
            )
    if silent is None:
        why = "paused: its store computer has never connected"
    elif not online:
        why = f"paused: not heard from for {_ago(silent)}; orders resume when it is back"
    elif s.menu_version is None:
        why = "paused: no menu published to this store"
    else:
        why = "open"
    ordering_open = why == "open"
    problems.sort(key=lambda p: -p.weight)
    return Health(s, online, silent, feed_backlog, ordering_open, why, problems)


def worst_first(found: list[Health]) -> list[Health]:
    return sorted(found, key=lambda h: (-h.weight, h.signals.code))
