"""A kitchen ticket on a station screen: number, service and age on top, then what to make.

Each pizza starts with quantity, size and crust, then the recipe's name, then
what differs from the recipe; toppings on a half sit in a LEFT and a RIGHT
column so the two halves cannot be confused. Notes come last. The header turns
amber and then red as the ticket ages past the store's make targets.

Cards draw line by line from strips cached per ticket and width: when a bump
shifts every ticket one slot left, no ticket is laid out again, so a rail of
300 open tickets redraws as fast as a rail of three.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

from store_db.queries.kitchen import PizzaBuild, Ticket
from terminal.data.formatting import age
from terminal.widgets.literal import clean, literal, shown

SERVICE = {"delivery": "DELIVERY", "carryout": "CARRYOUT"}
_CACHE_SIZE = 256
_strips: OrderedDict[tuple[str, int, int, Style], list[Strip]] = OrderedDict()


def _change_style(change: str) -> str:
    if change.startswith("NO "):
        return "bold red"
    if change.startswith(("EXTRA ", "LIGHT ")):
        return "bold yellow"
    return "bold"


def halves(pizza: PizzaBuild) -> Table:
    """LEFT and RIGHT side by side; an empty half says so instead of staying blank."""
    table = Table(
        box=None,
        show_header=True,
        header_style="bold reverse",
        expand=True,
        padding=(0, 1, 0, 0),
        show_edge=False,
        pad_edge=False,
    )
    table.add_column("◧ LEFT", ratio=1, overflow="fold")
    table.add_column("RIGHT ◨", ratio=1, overflow="fold")
    left = pizza.left or ("(plain)",)
    right = pizza.right or ("(plain)",)
    for n in range(max(len(left), len(right))):
        table.add_row(
            literal(left[n] if n < len(left) else "", "bold cyan"),
            literal(right[n] if n < len(right) else "", "bold magenta"),
        )
    return table


def pizza_lines(pizza: PizzaBuild) -> list[RenderableType]:
    head = Text(no_wrap=True, overflow="ellipsis")
    head.append(f"{pizza.quantity} ", style="bold")
    head.append(f" {pizza.size} ", style="bold reverse")
    head.append(literal(f" {pizza.crust}", "bold"))
    parts: list[RenderableType] = [
        head,
        literal(f"  {pizza.name}", "italic", overflow="ellipsis", no_wrap=True),
    ]
    for change in pizza.changes:
        parts.append(literal(f"  {change}", _change_style(change)))
    if pizza.has_halves:
        parts.append(halves(pizza))
    if pizza.notes:
        parts.append(literal(f"  ! {pizza.notes}", "bold underline"))
    return parts


def ticket_body(ticket: Ticket) -> RenderableType:
    parts: list[RenderableType] = []
    for pizza in ticket.pizzas:
        parts.extend(pizza_lines(pizza))
    for other in ticket.others:
        parts.append(literal(f"{other.quantity} {other.size} {other.name}", "bold"))
        if other.notes:
            parts.append(literal(f"  ! {other.notes}", "bold underline"))
    if ticket.notes:
        parts.append(literal(f"NOTE: {ticket.notes}", "bold underline"))
    if ticket.recalls:
        parts.append(Text("RECALLED", style="bold reverse"))
    return Group(*parts)


class TicketCard(Widget):
    """One ticket on the rail. A card stays with its ticket: when a bump shifts the rail, the
    cards move and only their header line (slot number) is drawn again."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"ticket-card--head"}

    def __init__(self, ticket: Ticket) -> None:
        super().__init__(classes="ticket-card")
        self.ticket = ticket
        self.slot = 0
        self.selected = False
        self.seconds = 0.0
        self._level = ""
        self._head_text = ""
        self._base = Style()
        self._width = 0

    def place(self, slot: int, selected: bool, now: datetime, target_s: int, late_s: int) -> None:
        """Put the card in `slot` (1-based), selected or not, aged against the targets."""
        # Slot and selection live in the header line only: moving them repaints one line.
        self.slot, self.selected = slot, selected
        self.tick(now, target_s, late_s)

    def tick(self, now: datetime, target_s: int, late_s: int) -> None:
        self.seconds = (now - self.ticket.placed_at).total_seconds()
        level = "-late" if self.seconds >= late_s else "-amber" if self.seconds >= target_s else ""
        if level != self._level:
            if self._level:
                self.remove_class(self._level)
            if level:
                self.add_class(level)
            self._level = level
        head = self._head_line()
        if head != self._head_text:
            self._head_text = head
            self.refresh(Region(0, 0, max(1, self.content_size.width), 1))

    def _head_line(self) -> str:
        ticket = self.ticket
        marker = "▶" if self.selected else " "
        label = clean(f"{ticket.label} {SERVICE.get(ticket.service, ticket.service.upper())}")
        return f"{marker}{self.slot}{'◀' if self.selected else ' '}{label}|{age(self.seconds)}"

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 1 + len(self._body(width, self.rich_style))

    def render_lines(self, crop: Region) -> list[Strip]:
        # Once per paint, not once per line: both walk the DOM.
        self._base = self.rich_style
        self._width = self.content_size.width
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width, base = self._width, self._base
        if width <= 0:
            return Strip.blank(width, base)
        if y == 0:
            return self._head(width)
        body = self._body(width, base)
        return body[y - 1] if y - 1 < len(body) else Strip.blank(width, base)

    def _head(self, width: int) -> Strip:
        # Selected: the header in reverse, so the slot the arrows point at stands out.
        style = self.get_component_rich_style("ticket-card--head") + Style(bold=True, reverse=self.selected)
        left, _, right = self._head_text.partition("|")
        right += " "
        room = max(1, width - cell_len(right))
        line = set_cell_size(left, room) + right
        return Strip([Segment(line, style)], cell_len(line)).crop_extend(0, width, style)

    def _body(self, width: int, base: Style) -> list[Strip]:
        ticket = self.ticket
        key = (ticket.id, ticket.recalls, width, base)
        found = _strips.get(key)
        if found is not None:
            _strips.move_to_end(key)
            return found
        console = self.app.console
        body = Padding(shown(ticket_body(ticket), keep_newlines=False), (0, 0, 0, 1))
        lines = console.render_lines(body, console.options.update_width(width), style=base)
        found = [Strip(line, width) for line in lines]
        _strips[key] = found
        if len(_strips) > _CACHE_SIZE:
            _strips.popitem(last=False)
        return found
