"""What the counter knows about the caller: name, notes, history, saved addresses."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rich.text import Text

from store_db.queries.counter import CustomerCard
from terminal.data.formatting import money
from terminal.widgets.literal import literal


def card_text(card: CustomerCard | None, phone: str, zone: str) -> Text:
    if card is None:
        if not phone:
            return Text("Type the caller's phone number and press Enter; walk-ins may skip it.", style="dim")
        return Text("New customer: type a name, then an address for delivery.", style="bold yellow")
    text = Text()
    text.append(literal(card.name, "bold"))
    text.append(f" · {card.order_count} order{'s' if card.order_count != 1 else ''}")
    if card.notes:
        text.append(literal(f" · {card.notes}", "italic"))
    last = card.last
    if last is not None:
        when = last.placed_at.astimezone(ZoneInfo(zone)).strftime("%a %b %d")
        text.append(f"\nLast #{last.number} {when} {last.service}: ", style="dim")
        text.append(literal(f"{last.summary} ({money(last.total)})"))
        text.append("  F3 reorder", style="bold cyan")
    if card.addresses and card.addresses[0].notes:
        text.append("\n")
        text.append(literal(f"Address note: {card.addresses[0].notes}", "italic"))
    for n, address in enumerate(card.addresses[1:3], start=2):
        text.append("\n")
        text.append(literal(f"Also {n}: {address.line1}", "dim"))
    return text
