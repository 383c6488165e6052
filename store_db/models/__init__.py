"""Typed SQLAlchemy models of the store database. Import from here."""

from store_db.models.base import Base, new_id, utcnow
from store_db.models.customers import Customer, CustomerAddress, Street
from store_db.models.delivery import CashOut, DeliveryRun, RunStop
from store_db.models.inventory import (
    StockCount,
    StockCountLine,
    StockReceipt,
    StockReceiptLine,
    UsageRecord,
    WasteEntry,
    WasteLine,
)
from store_db.models.menu import (
    MenuCategory,
    MenuOption,
    MenuPrice,
    MenuProduct,
    MenuSize,
    MenuTopping,
    MenuVersion,
    RecipePortion,
)
from store_db.models.orders import DayCounter, KitchenTicket, Order, OrderLine, Tender
from store_db.models.outbox import OutboxEvent
from store_db.models.printing import Printer, PrintJob
from store_db.models.stock import InventoryItem, ItemUnit
from store_db.models.store import AuditEntry, Shift, Staff, Store
from store_db.models.sync import FeedQuarantine, SyncState

__all__ = [
    "AuditEntry",
    "Base",
    "CashOut",
    "Customer",
    "CustomerAddress",
    "DayCounter",
    "DeliveryRun",
    "FeedQuarantine",
    "InventoryItem",
    "ItemUnit",
    "KitchenTicket",
    "MenuCategory",
    "MenuOption",
    "MenuPrice",
    "MenuProduct",
    "MenuSize",
    "MenuTopping",
    "MenuVersion",
    "Order",
    "OrderLine",
    "OutboxEvent",
    "PrintJob",
    "Printer",
    "RecipePortion",
    "RunStop",
    "Shift",
    "Staff",
    "StockCount",
    "StockCountLine",
    "StockReceipt",
    "StockReceiptLine",
    "Store",
    "Street",
    "SyncState",
    "Tender",
    "UsageRecord",
    "WasteEntry",
    "WasteLine",
    "new_id",
    "utcnow",
]
