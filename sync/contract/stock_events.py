"""Store → cloud: the stock events (usage, waste, counts, deliveries received), each line
exact in base units with its counting-unit quantity and its worth, as the store reports them."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from sync.contract.base import Body, Cents, Count, Id, Quantity, Text, UTCTime, Wire


class StockLine(Wire):
    """One item's quantity: base units exact, the same in the counting unit, what it is worth."""

    code: Annotated[str, Field(min_length=1, max_length=60)]
    name: Text = ""
    quantity: Quantity
    unit: Text
    count_quantity: Quantity
    count_unit: Text
    cost_cents: Cents
    cost_cents_per_count_unit: Cents


class CountedLine(StockLine):
    counted: Quantity  # what was counted, in base units, before rolling back to the count's moment
    entry: Text = ""  # as the manager typed it ("2 cs 3 bag")


class ReceivedLine(StockLine):
    line_no: Count
    invoiced: Quantity
    invoiced_unit: Text
    purchase_unit: Text
    cost_cents_per_purchase: Cents


class ItemTerms(Wire):
    """What turns an item's base units into counting units and money, exactly as the store does."""

    base_unit: Text
    count_unit: Text
    count_size: Quantity
    purchase_unit: Text
    purchase_size: Quantity
    cost_cents_per_purchase: Cents


StockItems = Annotated[dict[str, ItemTerms], Field(max_length=2000)]


class StockUsage(Body):
    """`stock.usage`: an order's ideal usage when it was made (or given back when voided after)."""

    kind: Literal["stock.usage"] = "stock.usage"
    usage_id: Id
    order_id: Id
    number: Count
    business_date: date
    movement: Literal["made", "void"]
    at: UTCTime
    lines: list[StockLine] = Field(max_length=2000)
    cost_cents: Cents
    stock_items: StockItems


class StockWaste(Body):
    """`stock.waste`: food thrown away, with its reason."""

    kind: Literal["stock.waste"] = "stock.waste"
    waste_id: Id
    at: UTCTime
    reason: Text
    note: Text = ""
    staff_id: Id | None = None
    order_id: Id | None = None
    order_line_id: Id | None = None
    description: Text = ""
    lines: list[StockLine] = Field(max_length=2000)
    cost_cents: Cents
    stock_items: StockItems


class StockCounted(Body):
    """`stock.count`: a finalised count, each line rolled back to the count's moment."""

    kind: Literal["stock.count"] = "stock.count"
    count_id: Id
    count_kind: Text
    at: UTCTime
    finalised_at: UTCTime
    finalised_by: Id | None = None
    lines: list[CountedLine] = Field(max_length=2000)
    value_cents: Cents
    stock_items: StockItems


class StockReceived(Body):
    """`stock.receipt`: a supplier's delivery received against its invoice."""

    kind: Literal["stock.receipt"] = "stock.receipt"
    receipt_id: Id
    supplier: Text
    invoice: Text = ""
    at: UTCTime
    received_by: Id | None = None
    lines: list[ReceivedLine] = Field(max_length=2000)
    total_cents: Cents
    stock_items: StockItems
