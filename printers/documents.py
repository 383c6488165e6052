"""The documents a store prints, as plain frozen data apart from the database.

The store builds these from its records; `printers.layout` turns them into ESC/POS bytes
or a text preview, and `printers.payload` stores them in a print job. Money is integer
cents. Times are aware datetimes shown in the store's zone `zone` (an IANA name).
Every document can carry `reprint` (printed as a REPRINT banner) and `banner`, a line the
queue adds on top, such as "BACKUP — kitchen printer down".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from printers.errors import BadDocument

Service = Literal["delivery", "carryout"]
Collect = Literal["cash", "card", "paid"]  # what the driver collects at the door


def _check_times(document: object, zone: str, *times: datetime | None) -> None:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        kind = type(document).__name__
        raise BadDocument(f"{kind} names an unknown time zone '{zone}'.") from exc
    for at in times:
        if at is not None and at.utcoffset() is None:
            kind = type(document).__name__
            raise BadDocument(f"{kind} has a time without a zone ({at.isoformat()}).")


@dataclass(frozen=True, kw_only=True)
class Document:
    """What every printed document has. `kind` is the print job's `document` name."""

    kind: ClassVar[str] = ""
    reprint: bool = False
    banner: str = ""


@dataclass(frozen=True, kw_only=True)
class TicketItem:
    """One line of a kitchen ticket; changes are phrased as the make line reads them."""

    quantity: int
    product: str
    size: str = ""
    crust: str = ""
    whole: tuple[str, ...] = ()  # e.g. "NO ONIONS", "EXTRA CHEESE"
    left: tuple[str, ...] = ()  # changes on the left half only
    right: tuple[str, ...] = ()
    notes: str = ""
    care: tuple[str, ...] = ()  # "ALLERGY: PEANUTS", "WELL DONE", "CONTAINS MILK"


@dataclass(frozen=True, kw_only=True)
class KitchenTicket(Document):
    kind: ClassVar[str] = "kitchen"
    order_label: str  # "#1042"
    service: Service
    placed_at: datetime
    zone: str
    items: tuple[TicketItem, ...]
    promise_at: datetime | None = None
    customer: str = ""
    channel: str = ""  # walk in, phone, online
    notes: str = ""

    def __post_init__(self) -> None:
        _check_times(self, self.zone, self.placed_at, self.promise_at)

    @property
    def care(self) -> tuple[str, ...]:
        """Every allergy and care flag on the ticket, once each."""
        return tuple(dict.fromkeys(label for item in self.items for label in item.care))


@dataclass(frozen=True, kw_only=True)
class StoreHeader:
    name: str
    address: tuple[str, ...] = ()
    phone: str = ""


@dataclass(frozen=True, kw_only=True)
class ReceiptLine:
    quantity: int
    description: str
    amount: int  # the line's total in cents
    details: tuple[str, ...] = ()  # size, crust and changes, as short lines


@dataclass(frozen=True, kw_only=True)
class Tender:
    kind: str  # "Cash", "Card", "Paid online", "Pay at door"
    amount: int


@dataclass(frozen=True, kw_only=True)
class Receipt(Document):
    kind: ClassVar[str] = "receipt"
    store: StoreHeader
    order_label: str
    service: Service
    placed_at: datetime
    zone: str
    lines: tuple[ReceiptLine, ...]
    subtotal: int
    tax: int
    total: int
    discount: int = 0
    coupon: str = ""
    delivery_fee: int = 0
    tip: int = 0
    tenders: tuple[Tender, ...] = ()
    change: int = 0
    customer: str = ""
    tracking_url: str = ""  # printed as a QR code
    footer: str = "Thank you!"

    def __post_init__(self) -> None:
        _check_times(self, self.zone, self.placed_at)


@dataclass(frozen=True, kw_only=True)
class RunStop:
    label: str  # the order's "#1042"
    customer: str
    address: tuple[str, ...]
    phone: str
    amount: int  # the order's total in cents
    collect: Collect
    notes: str = ""
    address_note: str = ""  # "side door, ring twice"
    bag: tuple[str, ...] = ()  # "1 LG Pepperoni Pizza", …


@dataclass(frozen=True, kw_only=True)
class RunSheet(Document):
    kind: ClassVar[str] = "run-sheet"
    driver: str
    run_id: str  # short, as people read it
    dispatched_at: datetime
    zone: str
    stops: tuple[RunStop, ...]

    def __post_init__(self) -> None:
        _check_times(self, self.zone, self.dispatched_at)

    @property
    def cash_to_collect(self) -> int:
        return sum(stop.amount for stop in self.stops if stop.collect == "cash")


@dataclass(frozen=True, kw_only=True)
class CashOutSlip(Document):
    kind: ClassVar[str] = "cash-out"
    store: str
    driver: str
    shift_start: datetime
    shift_end: datetime
    zone: str
    starting_bank: int
    cash_collected: int
    tips: int
    deliveries: int
    mileage: int  # reimbursement in cents
    owed: int  # what the driver hands the store, as the store computed it
    runs: int = 0
    distance_m: int = 0
    card_tips: int = 0  # of `tips`, those paid with the order and handed over in cash now

    def __post_init__(self) -> None:
        _check_times(self, self.zone, self.shift_start, self.shift_end)


@dataclass(frozen=True, kw_only=True)
class SalesRow:
    name: str  # a channel ("Online") or a service ("Delivery")
    orders: int
    amount: int


@dataclass(frozen=True, kw_only=True)
class DriverCashOut:
    driver: str
    deliveries: int
    owed: int


@dataclass(frozen=True, kw_only=True)
class DaySummary(Document):
    kind: ClassVar[str] = "day-summary"
    store: str
    business_date: date
    printed_at: datetime
    zone: str
    orders: int
    net_sales: int
    tax: int = 0
    tips: int = 0
    discounts: int = 0
    by_channel: tuple[SalesRow, ...] = ()
    by_service: tuple[SalesRow, ...] = ()
    voids: int = 0
    voided_amount: int = 0
    drivers: tuple[DriverCashOut, ...] = ()

    def __post_init__(self) -> None:
        _check_times(self, self.zone, self.printed_at)


@dataclass(frozen=True, kw_only=True)
class TestPage(Document):
    """Printed by `makeline printer test`: proves the address, the paper width and the QR."""

    __test__: ClassVar[bool] = False  # not a pytest test class
    kind: ClassVar[str] = "test"
    printer: str
    url: str
    profile: str
    printed_at: datetime
    zone: str

    def __post_init__(self) -> None:
        _check_times(self, self.zone, self.printed_at)


@dataclass(frozen=True, kw_only=True)
class VoidSlip(Document):
    """Tells a kitchen that has an order's ticket to stop: do not make it, or set it aside."""

    kind: ClassVar[str] = "void"
    order_label: str
    service: Service
    voided_at: datetime
    zone: str
    reason: str
    approved_by: str  # a manager's name, or "customer" for a cancel from the cloud
    items: tuple[str, ...]  # "1 LG Pepperoni Pizza"
    after_made: bool = False  # made already: set aside (recorded as waste)
    refunded_cash: int = 0  # cents handed back

    def __post_init__(self) -> None:
        _check_times(self, self.zone, self.voided_at)


DOCUMENTS: dict[str, type[Document]] = {
    cls.kind: cls for cls in (KitchenTicket, Receipt, RunSheet, CashOutSlip, DaySummary, TestPage, VoidSlip)
}
# What a printer may be set to print; a test page prints anywhere, on demand.
PRINTABLE = tuple(kind for kind in DOCUMENTS if kind != "test")


# What a person calls each kind of document, in logs, lists and messages.
DOCUMENT_NAMES = {
    "kitchen": "kitchen ticket",
    "receipt": "receipt",
    "run-sheet": "run sheet",
    "cash-out": "cash-out slip",
    "day-summary": "day summary",
    "test": "test page",
    "void": "void slip",
}
