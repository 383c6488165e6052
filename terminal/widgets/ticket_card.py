"""What a kitchen ticket says, as Rich renderables: what to make, and how.

Each pizza starts with quantity, size and crust, then the recipe's name, then
what differs from the recipe; toppings on a half sit in a LEFT and a RIGHT
column so the two halves cannot be confused. Notes come last. The grid that
draws these as cards is `terminal.widgets.ticket_grid`.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from store_db.queries.kitchen import PizzaBuild, Ticket
from terminal.widgets.care_band import BAND_STYLE, SIGN, care_line
from terminal.widgets.literal import literal

SERVICE = {"delivery": "DELIVERY", "carryout": "CARRYOUT"}


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


def pizza_lines(pizza: PizzaBuild, care: bool = True) -> list[RenderableType]:
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
    for label in pizza.care if care else ():
        parts.append(literal(f"  {SIGN} {label}", BAND_STYLE))
    return parts


def ticket_body(ticket: Ticket, care: bool = True) -> RenderableType:
    """The card under the header; `care=False` leaves the allergy and care bands off (the
    benchmark's make line without its newer panels, nowhere else)."""
    parts: list[RenderableType] = []
    if ticket.remake is not None:
        parts.append(literal(f"REMAKE: {ticket.remake}", "bold white on red"))
    if care and ticket.care:
        parts.append(care_line(ticket.care))
    for pizza in ticket.pizzas:
        parts.extend(pizza_lines(pizza, care))
    for other in ticket.others:
        parts.append(literal(f"{other.quantity} {other.size} {other.name}", "bold"))
        if other.notes:
            parts.append(literal(f"  ! {other.notes}", "bold underline"))
        for label in other.care if care else ():
            parts.append(literal(f"  {SIGN} {label}", BAND_STYLE))
    if ticket.notes:
        parts.append(literal(f"NOTE: {ticket.notes}", "bold underline"))
    if ticket.recalls:
        parts.append(Text("RECALLED", style="bold reverse"))
    return Group(*parts)
