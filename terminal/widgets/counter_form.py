"""The counter's left side: the customer box (phone, name, address, card) and the entry box."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical

from terminal.widgets.fields import Field
from terminal.widgets.held_orders import HeldOrders
from terminal.widgets.literal import Label, Static


def labelled(label: str, field_id: str, placeholder: str, restrict: str | None = None) -> Horizontal:
    return Horizontal(
        Label(label, classes="field-label"),
        Field(placeholder=placeholder, id=field_id, compact=True, restrict=restrict),
        classes="field-row",
    )


class CustomerBox(Vertical):
    def __init__(self) -> None:
        super().__init__(id="customer-box", classes="box")
        self.border_title = "Customer"

    def compose(self) -> ComposeResult:
        yield labelled("Phone", "phone", "708-555-0142 + Enter", restrict=r"[\d\s()+.-]*")
        yield labelled("Name", "name", "caller's name")
        yield labelled("Addr", "address", "1234 N Maple Ave, Apt 2")
        yield Static(id="customer-card")


class EntryBox(Vertical):
    def __init__(self) -> None:
        super().__init__(id="entry-box", classes="box")
        self.border_title = "Add item (F1 codes)"

    def compose(self) -> ComposeResult:
        yield labelled("Item", "item", "lg pep +mush< -oni")
        yield labelled("Coupon", "coupon", "code + Enter")
        yield labelled("Cash", "cash", "given, e.g. 40")
        yield labelled("Notes", "notes", "order notes")
        yield labelled("Later", "later", "for later: 18:30, tomorrow 11:30; empty: now")
        yield HeldOrders()
