"""Receiving a supplier delivery against its invoice: stock goes up, the item's cost moves.

Cost rule: weighted average (`costing.weighted_cost`): the new cost per purchase
unit blends what is on hand by the books at the old cost with what was received
at the invoice's cost. One invoice of one supplier is received once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from makeline.trade.costing import weighted_cost
from makeline.trade.units import parse_decimal
from store_db.errors import BadInput, DuplicateInvoice, InvalidQuantity
from store_db.models import InventoryItem, StockReceipt, StockReceiptLine, new_id
from store_db.queries import stock_ledger as ledger
from store_db.services import outbox
from store_db.services import staff as staff_service
from sync.contract.events import ReceivedLine, StockReceived


@dataclass(frozen=True)
class ReceiptLineIn:
    """One invoice line: `quantity` of `unit` (default: the purchase unit) for `cost_cents` in all."""

    code: str
    quantity: str
    unit: str | None
    cost_cents: int


def receive(
    session: Session,
    lines: Sequence[ReceiptLineIn],
    at: datetime,
    supplier: str = "",
    invoice: str = "",
    who: str | None = None,
) -> StockReceipt:
    """Check every line, then write the receipt, move each item's cost, and tell the cloud."""
    if not lines:
        raise BadInput("The delivery has no lines; add the invoice's items.")
    supplier, invoice = supplier.strip(), invoice.strip()
    if invoice:
        seen = session.scalar(
            select(func.count())
            .select_from(StockReceipt)
            .where(StockReceipt.supplier == supplier, StockReceipt.invoice == invoice)
        )
        if seen:
            raise DuplicateInvoice(
                f"Invoice {invoice} from {supplier or 'this supplier'} was already received; "
                "nothing was added twice."
            )
    staff_id = staff_service.find_staff(session, who).id if who else None
    items = ledger.catalog(session, {line.code.strip() for line in lines})
    rows = []
    for n, line in enumerate(lines, start=1):
        item = ledger.find_item(items, line.code)
        quantity = parse_decimal(line.quantity, f"{item.units.name} (line {n})")
        unit = item.units.unit(line.unit) if line.unit and line.unit.strip() else item.units.purchase_unit
        qty = item.units.to_base(quantity, unit)
        if qty == 0:
            raise InvalidQuantity(f"{item.units.name} (line {n}): a received quantity is more than 0.")
        if line.cost_cents < 0:
            raise InvalidQuantity(f"{item.units.name} (line {n}): the cost cannot be negative.")
        rows.append((n, item, quantity, unit, qty, line.cost_cents))

    on_hand = ledger.on_hand(session, at, items.keys())
    receipt = StockReceipt(
        id=new_id(),
        supplier=supplier,
        invoice=invoice,
        received_at=at,
        received_by=staff_id,
        total_cents=sum(r[5] for r in rows),
    )
    session.add(receipt)
    session.flush()
    session.execute(
        insert(StockReceiptLine),
        [
            {
                "receipt_id": receipt.id,
                "line_no": n,
                "item": item.code,
                "quantity": quantity,
                "unit": unit,
                "qty": qty,
                "cost_cents": cents,
            }
            for n, item, quantity, unit, qty, cents in rows
        ],
    )
    new_costs: dict[str, int] = {}
    for code in sorted({r[1].code for r in rows}):
        received = sum((r[4] for r in rows if r[1].code == code), Decimal(0))
        cents = sum(r[5] for r in rows if r[1].code == code)
        record = session.get(InventoryItem, code)
        assert record is not None
        size = items[code].units.per_unit[record.purchase_unit]
        record.cost_cents_per_purchase = weighted_cost(
            on_hand[code], record.cost_cents_per_purchase, size, received, cents
        )
        new_costs[code] = record.cost_cents_per_purchase
    received_lines = [
        ReceivedLine(
            **(dict(item.line(qty)) | {"cost_cents": cents}),
            line_no=n,
            invoiced=quantity,
            invoiced_unit=unit,
            purchase_unit=item.units.purchase_unit,
            cost_cents_per_purchase=new_costs[item.code],
        )
        for n, item, quantity, unit, qty, cents in rows
    ]
    outbox.emit(
        session,
        StockReceived(
            receipt_id=receipt.id,
            supplier=supplier,
            invoice=invoice,
            at=at,
            received_by=staff_id,
            lines=received_lines,
            total_cents=receipt.total_cents,
            stock_items={code: items[code].terms(cost) for code, cost in sorted(new_costs.items())},
        ),
        receipt.id,
        at,
    )
    return receipt
