"""Every table of the cloud schema, importable from one place (Alembic reads `Base.metadata`)."""

from cloud_api.db.base import Base
from cloud_api.models.accounts import Account, RefreshToken, SignInThrottle
from cloud_api.models.deliveries import DeliveryRun, DriverShift
from cloud_api.models.emails import EmailMessage, OrderContact
from cloud_api.models.favourites import FavouriteOrder
from cloud_api.models.feed import (
    ApplierPace,
    InboundEvent,
    InboundHead,
    InboundPending,
    InboundQuarantine,
    StoreAgent,
    StoreFeedEntry,
    StoreFeedHead,
)
from cloud_api.models.fleet import MenuRelease, StoreHeartbeat
from cloud_api.models.inventory import IdealUsage, InventoryItem, StockMovement, StoreStock, UnknownStockItem
from cloud_api.models.menus import MenuVersion
from cloud_api.models.notifications import Notification, SmsOptOut
from cloud_api.models.orders import IdempotencyRecord, Order, OrderLine
from cloud_api.models.payments import Payment, TestGatewayCharge
from cloud_api.models.reports import (
    CountSales,
    CouponDay,
    DriverDay,
    DueDay,
    ProductDay,
    SalesHour,
    StockSegment,
)
from cloud_api.models.stores import CloudSecret, Device, Enrollment, Store, StreetBlock

__all__ = [
    "Account",
    "ApplierPace",
    "Base",
    "CloudSecret",
    "CountSales",
    "CouponDay",
    "DeliveryRun",
    "Device",
    "DriverDay",
    "DriverShift",
    "DueDay",
    "EmailMessage",
    "Enrollment",
    "FavouriteOrder",
    "IdealUsage",
    "IdempotencyRecord",
    "InboundEvent",
    "InboundHead",
    "InboundPending",
    "InboundQuarantine",
    "InventoryItem",
    "MenuRelease",
    "MenuVersion",
    "Notification",
    "Order",
    "OrderContact",
    "OrderLine",
    "Payment",
    "ProductDay",
    "RefreshToken",
    "SalesHour",
    "SignInThrottle",
    "SmsOptOut",
    "StockMovement",
    "StockSegment",
    "Store",
    "StoreAgent",
    "StoreFeedEntry",
    "StoreFeedHead",
    "StoreHeartbeat",
    "StoreStock",
    "StreetBlock",
    "TestGatewayCharge",
    "UnknownStockItem",
]
