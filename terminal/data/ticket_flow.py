"""Laying tickets out on a kitchen screen: columns filled top to bottom, oldest first.

Tickets differ in height (one pepperoni, or three half-and-halves), so a fixed
grid wastes rows or cuts tickets. Here each column takes tickets until the next
one does not fit, then the next column starts; a page ends when the columns
are full (or the bump keys run out). Pages are counted from the oldest ticket,
so paging always shows the same groups. A ticket taller than the screen gets a
column of its own and is cut, saying so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

MIN_CARD_WIDTH = 26  # two half columns of toppings side by side


@dataclass(frozen=True)
class Placed:
    index: int  # position in the waiting list
    column: int
    top: int
    height: int  # rows drawn (cut if taller than the screen)
    cut: bool


def columns_for(width: int) -> int:
    return max(1, width // MIN_CARD_WIDTH)


def flow_page(
    start: int, count: int, height_of: Callable[[int], int], columns: int, rows: int, limit: int
) -> list[Placed]:
    """Place tickets `start`, `start + 1`, … in `columns` columns of `rows` rows."""
    placed: list[Placed] = []
    column, top, index = 0, 0, start
    rows = max(1, rows)
    while index < count and column < columns and len(placed) < limit:
        wanted = max(1, height_of(index))
        if top + wanted <= rows:
            placed.append(Placed(index, column, top, wanted, cut=False))
            top += wanted
            index += 1
        elif top == 0:
            placed.append(Placed(index, column, 0, rows, cut=True))
            column, index = column + 1, index + 1
        else:
            column, top = column + 1, 0
    return placed


def page_starts(
    upto: int, count: int, height_of: Callable[[int], int], columns: int, rows: int, limit: int
) -> list[int]:
    """Where pages 0, 1, … begin, up to and including page `upto` (fewer if the tickets end)."""
    starts = [0]
    while len(starts) <= upto:
        page = flow_page(starts[-1], count, height_of, columns, rows, limit)
        following = page[-1].index + 1 if page else count
        if following >= count:
            break
        starts.append(following)
    return starts
