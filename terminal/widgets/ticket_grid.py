"""The make line's tickets as one grid: columns of cards drawn from cached strips.

Each card is a bordered ticket: its bump key and number on top (green, amber,
then red as it ages past the store's targets), then what to make
(`terminal.widgets.ticket_card.ticket_body`). Where the cards go is decided by
`terminal.data.ticket_flow`; this widget only measures and draws. Bodies are
rendered once per ticket and width, so a bump that shifts every card redraws
no ticket, and a rail of 300 open tickets costs what its visible page costs.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from textual.events import Resize
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from store_db.queries.kitchen import Ticket
from terminal.data.formatting import age
from terminal.widgets.literal import clean, shown
from terminal.widgets.ticket_card import SERVICE, ticket_body

_CACHE_SIZE = 512
_LIGHT = ("╭", "─", "╮", "│", "╰", "╯")
_HEAVY = ("┏", "━", "┓", "┃", "┗", "┛")


@dataclass(frozen=True)
class GridCard:
    ticket: Ticket
    key: str  # the bump key, "" if none is free
    column: int
    top: int
    height: int
    cut: bool
    selected: bool


class TicketGrid(Widget):
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "ticket-grid--head",
        "ticket-grid--amber",
        "ticket-grid--late",
        "ticket-grid--border",
        "ticket-grid--late-border",
        "ticket-grid--selected",
    }

    class Resized(Message):
        """The grid has a new size: the screen lays the tickets out again."""

    def __init__(self, widget_id: str = "rail") -> None:
        super().__init__(id=widget_id)
        self.cards: list[GridCard] = []
        self.columns = 1
        self._by_column: dict[int, list[GridCard]] = {}
        self._bodies: OrderedDict[tuple[str, int, str | None, int], list[Strip]] = OrderedDict()
        self.care = True  # the allergy and care bands on the cards (off only in the benchmark)
        self._now: datetime | None = None
        self._targets = (60, 120)
        self._heads: dict[str, str] = {}
        self._base = Style()
        self._styles: dict[str, Style] = {}

    def on_resize(self, event: Resize) -> None:
        self.post_message(self.Resized())

    # -- geometry ---------------------------------------------------------------------------
    def column_width(self, column: int) -> int:
        width = self.size.width
        base = width // self.columns
        return base + (width - base * self.columns if column == self.columns - 1 else 0)

    def column_x(self, column: int) -> int:
        return (self.size.width // self.columns) * column

    def card_height(self, ticket: Ticket, column_width: int) -> int:
        """Rows the whole card takes: border, head, body, border."""
        return 3 + len(self._body(ticket, max(1, column_width - 2)))

    # -- content ----------------------------------------------------------------------------
    def show(self, cards: list[GridCard], columns: int, now: datetime, targets: tuple[int, int]) -> None:
        self.cards, self.columns, self._now, self._targets = cards, columns, now, targets
        self._by_column = {}
        for card in cards:
            self._by_column.setdefault(card.column, []).append(card)
        self._heads = {c.ticket.id: self._head_text(c) for c in cards}
        self.refresh()

    def tick(self, now: datetime) -> None:
        """A second passed: repaint only the head lines whose age or colour changed."""
        self._now = now
        for card in self.cards:
            head = self._head_text(card)
            if head != self._heads.get(card.ticket.id):
                self._heads[card.ticket.id] = head
                x = self.column_x(card.column)
                self.refresh(Region(x, card.top + 1, self.column_width(card.column), 1))

    def seconds(self, ticket: Ticket) -> float:
        return (self._now - ticket.placed_at).total_seconds() if self._now else 0.0

    def level(self, ticket: Ticket) -> str:
        target_s, late_s = self._targets
        seconds = self.seconds(ticket)
        return "late" if seconds >= late_s else "amber" if seconds >= target_s else ""

    def _head_text(self, card: GridCard) -> str:
        return f"{self.level(card.ticket)}|{age(self.seconds(card.ticket))}"

    # -- drawing ----------------------------------------------------------------------------
    def render_lines(self, crop: Region) -> list[Strip]:
        # Styles once per paint, not once per line: each lookup walks the DOM.
        self._base = self.rich_style
        self._styles = {name: self.get_component_rich_style(name) for name in self.COMPONENT_CLASSES}
        return super().render_lines(crop)

    def _style(self, name: str) -> Style:
        found = self._styles.get(name)
        if found is None:
            found = self._styles[name] = self.get_component_rich_style(name)
        return found

    def render_line(self, y: int) -> Strip:
        base = self._base
        strips: list[Strip] = []
        for column in range(self.columns):
            width = self.column_width(column)
            card = next((c for c in self._by_column.get(column, []) if c.top <= y < c.top + c.height), None)
            if card is None:
                strips.append(Strip.blank(width, base))
            else:
                strips.append(self._card_line(card, y - card.top, width, base))
        return Strip.join(strips).crop_extend(0, self.size.width, base)

    def _card_line(self, card: GridCard, row: int, width: int, base: Style) -> Strip:
        late = self.level(card.ticket) == "late"
        tl, h, tr, v, bl, br = _HEAVY if late or card.selected else _LIGHT
        border = self._style(
            "ticket-grid--selected"
            if card.selected
            else "ticket-grid--late-border"
            if late
            else "ticket-grid--border"
        )
        inner = max(1, width - 2)
        if row == 0:
            return Strip([Segment(tl + h * inner + tr, border)], width)
        if row == card.height - 1:
            if card.cut:
                note = (h + " ▼ more below: bump it to see the rest " + h * inner)[:inner]
                return Strip([Segment(bl + note + br, border + Style(bold=True))], width)
            return Strip([Segment(bl + h * inner + br, border)], width)
        if row == 1:
            middle = self._head(card, inner)
        else:
            body = self._body(card.ticket, inner)
            index = row - 2
            middle = body[index].apply_style(base) if index < len(body) else Strip.blank(inner, base)
        return Strip.join(
            [
                Strip([Segment(v, border)], 1),
                middle.crop_extend(0, inner, base),
                Strip([Segment(v, border)], 1),
            ]
        )

    def _head(self, card: GridCard, width: int) -> Strip:
        level = self.level(card.ticket)
        style = self._style(f"ticket-grid--{level}" if level else "ticket-grid--head") + Style(bold=True)
        ticket = card.ticket
        key = f" {card.key.upper()} " if card.key else " · "
        label = clean(f" {ticket.label} {SERVICE.get(ticket.service, ticket.service.upper())}")
        clock = f"{age(self.seconds(ticket))} "
        room = max(0, width - cell_len(key) - cell_len(clock))
        segments = [
            Segment(key, style + Style(reverse=True)),
            Segment(set_cell_size(label, room), style + Style(reverse=card.selected)),
            Segment(clock, style + Style(reverse=card.selected)),
        ]
        return Strip(segments).crop_extend(0, width, style)

    def _body(self, ticket: Ticket, width: int) -> list[Strip]:
        cache_key = (ticket.id, ticket.recalls, ticket.remake, width)
        found = self._bodies.get(cache_key)
        if found is not None:
            self._bodies.move_to_end(cache_key)
            return found
        console = self.app.console
        lines = console.render_lines(
            Padding(shown(ticket_body(ticket, self.care), keep_newlines=False), (0, 0, 0, 1)),
            console.options.update_width(width),
        )
        found = [Strip(line, width) for line in lines]
        # A ticket with nothing to show still takes one line, so its card is not empty.
        found = found or [Strip.blank(width)]
        self._bodies[cache_key] = found
        if len(self._bodies) > _CACHE_SIZE:
            self._bodies.popitem(last=False)
        return found
