"""Sample documents shared by the printing tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from printers.documents import (
    CashOutSlip,
    DaySummary,
    Document,
    DriverCashOut,
    KitchenTicket,
    Receipt,
    ReceiptLine,
    RunSheet,
    RunStop,
    SalesRow,
    StoreHeader,
    Tender,
    TestPage,
    TicketItem,
)

ZONE = "America/Chicago"
PLACED = datetime(2023, 11, 24, 0, 42, tzinfo=UTC)  # 6:42 PM in Chicago
PROMISE = datetime(2023, 11, 24, 1, 20, tzinfo=UTC)  # 7:20 PM
TRACKING = "https://order.example.com/t/0190c1a2-7e4b-7c3d-9f00-4a1b2c3d4e5f"


def ticket(label: str = "#1042", **changes: object) -> KitchenTicket:
    fields: dict[str, object] = dict(
        order_label=label,
        service="delivery",
        placed_at=PLACED,
        promise_at=PROMISE,
        zone=ZONE,
        customer="María López",
        channel="online",
        notes="Ring the bell twice",
        items=(
            TicketItem(
                quantity=1,
                product="Pepperoni",
                size="Large",
                crust="Hand tossed",
                whole=("NO ONIONS", "EXTRA CHEESE"),
                left=("ADD MUSHROOMS", "ADD GREEN PEPPERS"),
                right=("ADD HAM",),
                notes="well done",
            ),
            TicketItem(quantity=2, product="Garlic bread"),
        ),
    )
    fields.update(changes)
    return KitchenTicket(**fields)  # type: ignore[arg-type]


def receipt(**changes: object) -> Receipt:
    fields: dict[str, object] = dict(
        store=StoreHeader(
            name="Tony's Pizza",
            address=("123 Main St", "Springfield, IL 62701"),
            phone="(217) 555-0100",
        ),
        order_label="#1042",
        service="carryout",
        placed_at=PLACED,
        zone=ZONE,
        customer="María López",
        lines=(
            ReceiptLine(
                quantity=1,
                description="Large Pepperoni, hand tossed",
                amount=1899,
                details=("LEFT: ADD MUSHROOMS", "RIGHT: ADD HAM"),
            ),
            ReceiptLine(quantity=2, description="Coke 2L", amount=598),
        ),
        subtotal=2497,
        discount=500,
        coupon="SAVE5",
        tax=140,
        tip=300,
        total=2437,
        tenders=(Tender(kind="Cash", amount=3000),),
        change=563,
        tracking_url=TRACKING,
    )
    fields.update(changes)
    return Receipt(**fields)  # type: ignore[arg-type]


def run_sheet() -> RunSheet:
    return RunSheet(
        driver="Sam",
        run_id="R7",
        dispatched_at=PLACED,
        zone=ZONE,
        stops=(
            RunStop(
                label="#1042",
                customer="María López",
                address=("12 Oak Ave", "Apt 4"),
                phone="(217) 555-0199",
                amount=2437,
                collect="cash",
                notes="gate code 1234",
            ),
            RunStop(
                label="#1043",
                customer="Bob Stone",
                address=("9 Elm St",),
                phone="(217) 555-0142",
                amount=1500,
                collect="paid",
            ),
            RunStop(
                label="#1045",
                customer="Ann Lee",
                address=("40 Pine Rd",),
                phone="(217) 555-0177",
                amount=1125,
                collect="cash",
            ),
        ),
    )


def cash_out() -> CashOutSlip:
    return CashOutSlip(
        store="Tony's Pizza #12",
        driver="Sam",
        shift_start=datetime(2023, 11, 23, 22, 0, tzinfo=UTC),
        shift_end=datetime(2023, 11, 24, 5, 10, tzinfo=UTC),
        zone=ZONE,
        starting_bank=2000,
        cash_collected=31245,
        tips=4500,
        deliveries=14,
        mileage=1750,
        owed=25000,
    )


def day_summary() -> DaySummary:
    return DaySummary(
        store="Tony's Pizza #12",
        business_date=date(2023, 11, 23),
        printed_at=datetime(2023, 11, 24, 5, 45, tzinfo=UTC),
        zone=ZONE,
        orders=142,
        net_sales=345678,
        tax=24197,
        tips=30050,
        discounts=12000,
        by_channel=(
            SalesRow(name="Online", orders=80, amount=200000),
            SalesRow(name="Phone", orders=40, amount=100000),
            SalesRow(name="Walk in", orders=22, amount=45678),
        ),
        by_service=(
            SalesRow(name="Delivery", orders=90, amount=250000),
            SalesRow(name="Carryout", orders=52, amount=95678),
        ),
        voids=3,
        voided_amount=4567,
        drivers=(DriverCashOut(driver="Sam", deliveries=14, owed=25000),),
    )


def page() -> TestPage:
    return TestPage(
        printer="kitchen", url="tcp://10.0.0.7:9100", profile="80mm", printed_at=PLACED, zone=ZONE
    )


def every_document() -> list[Document]:
    return [ticket(), receipt(), run_sheet(), cash_out(), day_summary(), page()]
