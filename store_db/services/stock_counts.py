"""Stock counts, as a count screen drives them: start, walk the storage areas, set lines,
pause, resume, and finalise once with a manager's PIN.

A count stands for the shelves at its moment, `started_at`. Sales go on while
people count; when the count is finalised each line is rolled back to that
moment (`variance.on_hand_at_moment`), so nothing used after the count started
is counted twice. One count is open (or paused) at a time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from makeline.trade.variance import on_hand_at_moment
from store_db.errors import (
    BadInput,
    CountFinalised,
    CountIncomplete,
    CountInProgress,
    CountNotOpen,
    NotFound,
    UnknownItem,
)
from store_db.models import StockCount, StockCountLine
from store_db.queries import stock_ledger as ledger
from store_db.services import outbox
from store_db.services import staff as staff_service
from sync.contract.events import CountedLine, StockCounted


class CountKind(StrEnum):
    DAILY = "daily"  # the short list of costly items
    FULL = "full"


class CountState(StrEnum):
    OPEN = "open"
    PAUSED = "paused"
    FINALISED = "finalised"


_BARE = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)$")

# The walk: cooler first (what spoils), then freezer, then dry storage.
AREA_ORDER = ("walk_in", "freezer", "dry")
AREA_NAMES = {"walk_in": "Walk-in cooler", "freezer": "Freezer", "dry": "Dry storage"}


def area_rank(area: str) -> tuple[int, str]:
    return (AREA_ORDER.index(area) if area in AREA_ORDER else len(AREA_ORDER), area)


@dataclass(frozen=True)
class AreaProgress:
    area: str
    name: str
    lines: int
    counted: int


@dataclass(frozen=True)
class CountLineView:
    """A line as a screen shows it; quantities in the counting unit."""

    code: str
    name: str
    area: str
    count_unit: str
    units: tuple[str, ...]  # what the item can be counted in, largest first
    expected: Decimal
    counted: Decimal | None
    entry: str


@dataclass(frozen=True)
class Finalised:
    """The outcome of a finalise with a PIN: a wrong PIN is not an error, it is counted."""

    ok: bool
    message: str
    count_id: str


def current_count(session: Session) -> StockCount | None:
    """The count that is open or paused, if any."""
    return session.scalars(
        select(StockCount).where(StockCount.state.in_([CountState.OPEN, CountState.PAUSED]))
    ).first()


def get_count(session: Session, count_id: str) -> StockCount:
    count = session.get(StockCount, count_id)
    if count is None:
        raise NotFound("That stock count does not exist; start a new one.")
    return count


def _open(session: Session, count_id: str) -> StockCount:
    count = get_count(session, count_id)
    if count.state == CountState.FINALISED:
        when = count.finalised_at.strftime("%Y-%m-%d %H:%M UTC") if count.finalised_at else "earlier"
        raise CountFinalised(
            f"This {count.kind} count was finalised at {when}; it cannot change. Start a new count."
        )
    if count.state == CountState.PAUSED:
        raise CountNotOpen(f"This {count.kind} count is paused; resume it first.")
    return count


def start_count(
    session: Session, kind: str, at: datetime, who: str | None = None, source: str = "screen"
) -> StockCount:
    """Start a daily or full count whose moment is `at`, with every line to count."""
    try:
        what = CountKind(kind)
    except ValueError as exc:
        raise BadInput(f"'{kind}' is not a kind of count; use daily or full.") from exc
    busy = current_count(session)
    if busy is not None:
        raise CountInProgress(
            f"A {busy.kind} count started {busy.started_at:%Y-%m-%d %H:%M} UTC is {busy.state}; "
            "finish or resume it before starting another."
        )
    staff_id = staff_service.find_staff(session, who).id if who else None
    items = [i for i in ledger.catalog(session).values() if i.active and (what is CountKind.FULL or i.daily)]
    items.sort(key=lambda i: (area_rank(i.storage_area), i.shelf_order, i.code))
    count = StockCount(
        kind=what.value,
        state=CountState.OPEN.value,
        source=source,
        started_at=at,
        started_by=staff_id,
        area=items[0].storage_area if items else None,
    )
    session.add(count)
    session.flush()
    expected = ledger.on_hand(session, at, [i.code for i in items])
    session.add_all(
        StockCountLine(
            count_id=count.id,
            item=i.code,
            storage_area=i.storage_area,
            shelf_order=i.shelf_order,
            expected=expected[i.code],
            entry="",
        )
        for i in items
    )
    session.flush()
    return count


def _lines(session: Session, count_id: str, area: str | None = None) -> list[StockCountLine]:
    query = select(StockCountLine).where(StockCountLine.count_id == count_id)
    if area is not None:
        query = query.where(StockCountLine.storage_area == area)
    lines = list(session.scalars(query))
    lines.sort(key=lambda line: (area_rank(line.storage_area), line.shelf_order, line.item))
    return lines


def areas(session: Session, count_id: str) -> list[AreaProgress]:
    """Storage areas of the count in walking order, with how many lines each has counted."""
    progress: dict[str, list[int]] = {}
    for line in _lines(session, count_id):
        seen = progress.setdefault(line.storage_area, [0, 0])
        seen[0] += 1
        seen[1] += line.counted is not None
    return [AreaProgress(a, AREA_NAMES.get(a, a), n, done) for a, (n, done) in progress.items()]


def area_lines(session: Session, count_id: str, area: str) -> list[CountLineView]:
    """One area's lines in shelf order."""
    lines = _lines(session, count_id, area)
    items = ledger.catalog(session, [line.item for line in lines])
    return [_view(line, items[line.item]) for line in lines]


def _view(line: StockCountLine, item: ledger.StockItem) -> CountLineView:
    units = item.units
    return CountLineView(
        code=line.item,
        name=units.name,
        area=line.storage_area,
        count_unit=units.count_unit,
        units=tuple(units.units_largest_first()),
        expected=units.to_count(line.expected),
        counted=None if line.counted is None else units.to_count(line.counted),
        entry=line.entry,
    )


def move_to_area(session: Session, count_id: str, area: str) -> None:
    """Remember where the counter is, so a resumed count opens there."""
    count = _open(session, count_id)
    if area not in {line.storage_area for line in _lines(session, count_id)}:
        raise BadInput(f"This count has nothing in '{area}'.")
    count.area = area


def set_line(
    session: Session,
    count_id: str,
    code: str,
    entry: str,
    at: datetime,
    who: str | None = None,
    unit: str | None = None,
) -> CountLineView:
    """Record what is on the shelf: `entry` like "2 case + 3 bag + 1.5 lb"; bare numbers in `unit`
    (default: the counting unit). Setting a line again replaces it."""
    count = _open(session, count_id)
    line = session.get(StockCountLine, (count.id, code.strip()))
    item = ledger.find_item(ledger.catalog(session, [code.strip()]), code)
    if line is None:
        raise UnknownItem(f"{item.units.name} ({item.code}) is not on this {count.kind} count.")
    line.counted = item.units.parse(entry, unit)
    line.entry = entry.strip() if unit is None else f"{entry.strip()} {unit}"
    line.counted_at = max(at, count.started_at)
    line.counted_by = staff_service.find_staff(session, who).id if who else None
    count.area = line.storage_area
    session.flush()
    return _view(line, item)


def pause(session: Session, count_id: str, at: datetime) -> StockCount:
    count = _open(session, count_id)
    count.state, count.paused_at = CountState.PAUSED.value, at
    return count


def resume(session: Session, count_id: str, at: datetime) -> StockCount:
    count = get_count(session, count_id)
    if count.state != CountState.PAUSED:
        raise CountNotOpen(f"This {count.kind} count is {count.state}, not paused.")
    count.state, count.paused_at = CountState.OPEN.value, None
    return count


def finalise(session: Session, count_id: str, who: str, pin: str, at: datetime) -> Finalised:
    """Finalise with a manager's (or shift lead's) PIN. A wrong PIN returns `ok=False` and must
    be committed so it counts toward the lock-out; a refused count raises before the PIN is tried."""
    count = _ready(session, count_id)
    staff, ok = staff_service.check_pin(session, who, pin, at)
    if not ok:
        return Finalised(False, f"Wrong PIN for {staff.name}; the count is still open.", count.id)
    staff_service.require_approver(staff)
    close(session, count, at, staff.id)
    staff_service.audit(session, at, "stock_count", f"{count.kind} count finalised", staff.id)
    return Finalised(True, f"{staff.name} finalised the {count.kind} count.", count.id)


def _ready(session: Session, count_id: str) -> StockCount:
    count = _open(session, count_id)
    missing = [line for line in _lines(session, count.id) if line.counted is None]
    if missing:
        names = ", ".join(
            f"{line.item} ({AREA_NAMES.get(line.storage_area, line.storage_area)})" for line in missing[:8]
        )
        more = f" and {len(missing) - 8} more" if len(missing) > 8 else ""
        raise CountIncomplete(
            f"{len(missing)} item(s) are not counted yet: {names}{more}. Enter 0 for what is not there."
        )
    return count


def close(session: Session, count: StockCount, at: datetime, staff_id: str | None) -> None:
    """Roll every line back to the count's moment, finalise it and tell the cloud."""
    count = _ready(session, count.id)
    lines = _lines(session, count.id)
    last = max((line.counted_at for line in lines if line.counted_at), default=count.started_at)
    rows = ledger.movement_rows(session, count.started_at, last, [line.item for line in lines])
    items = ledger.catalog(session, [line.item for line in lines])
    for line in lines:
        assert line.counted is not None and line.counted_at is not None
        since = [r for r in rows if r.item == line.item and r.at <= line.counted_at]
        line.on_hand = on_hand_at_moment(
            line.counted,
            sum((r.qty for r in since if r.kind == "used"), Decimal(0)),
            sum((r.qty for r in since if r.kind == "wasted"), Decimal(0)),
            sum((r.qty for r in since if r.kind == "received"), Decimal(0)),
        )
    count.state, count.finalised_at, count.finalised_by = CountState.FINALISED.value, at, staff_id
    session.flush()
    counted_lines = []
    for line in lines:
        assert line.on_hand is not None and line.counted is not None
        on_hand = items[line.item].line(line.on_hand)
        counted_lines.append(CountedLine(**dict(on_hand), counted=line.counted, entry=line.entry))
    outbox.emit(
        session,
        StockCounted(
            count_id=count.id,
            count_kind=count.kind,
            at=count.started_at,
            finalised_at=at,
            finalised_by=staff_id,
            lines=counted_lines,
            value_cents=sum(c.cost_cents for c in counted_lines),
            stock_items=ledger.stock_items(items, (line.item for line in lines)),
        ),
        count.id,
        at,
    )


def record_count(
    session: Session,
    kind: str,
    entries: Sequence[tuple[str, str, str | None]],
    at: datetime,
    who: str | None = None,
) -> StockCount:
    """A whole count at once (a handheld's file): start at `at`, set every line, finalise.

    `entries` are (code, quantity, unit); an item may appear more than once (a case
    in the cooler, loose bags on the line) and its entries add up.
    """
    count = start_count(session, kind, at, who, source="csv")
    grouped: dict[str, list[str]] = {}
    for code, quantity, unit in entries:
        text = quantity.strip()
        if unit and unit.strip() and _BARE.match(text):
            text = f"{text} {unit.strip()}"
        grouped.setdefault(code.strip(), []).append(text)
    for code, parts in grouped.items():
        set_line(session, count.id, code, " + ".join(parts), at, who)
    staff_id = staff_service.find_staff(session, who).id if who else None
    close(session, count, at, staff_id)
    return count
