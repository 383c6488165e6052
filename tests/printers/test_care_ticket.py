"""A flagged order's kitchen ticket on paper: the flags white on black under the order number
and again under the item, hostile text printed as text (ESC/POS bytes decoded)."""

from __future__ import annotations

from makeline.trade.care import CareFlag, CareKind
from makeline.trade.pricing import ItemRequest
from printers.builders import kitchen_ticket
from printers.decode import decode
from printers.layout import render
from store_db.db import StoreDB
from tests.printers.store_orders import place, walk_in

FLAGGED = ItemRequest(
    product="cheese",
    size="lg",
    care=[CareFlag(kind=CareKind.ALLERGY, text="milk [b]x[/b]"), CareFlag(kind=CareKind.WELL_DONE)],
)


def test_a_flagged_ticket_prints_its_flags_inverted_and_bold(db: StoreDB) -> None:
    order_id, label = place(db, walk_in(ItemRequest(product="cola", size="2l"), FLAGGED))
    with db.read() as session:
        ticket = kitchen_ticket(session, order_id)
    assert ticket.care == ("ALLERGY: MILK [B]X[/B]", "WELL DONE", "CONTAINS MILK")
    for profile in ("80mm", "58mm"):
        out = decode(render(ticket, profile))
        texts = out.texts
        assert texts[:2] == [label, "CARRYOUT"]
        band = out.lines[[line.text.strip() for line in out.lines].index(texts[2])]
        assert band.inverse and band.bold and texts[2].startswith("!! ALLERGY: MILK [B]X[/B]")
        under_item = out.line("!! CONTAINS MILK")
        assert under_item.inverse and under_item.bold
        assert texts.index("!! CONTAINS MILK") > texts.index("CHEESE PIZZA")
