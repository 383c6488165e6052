"""Documents built at print time from the store's records: kitchen tickets, receipts,
run sheets and cash-out slips.

A print job names its subject (an order, a delivery run, a cash-out) and carries no
document: the store writes it without knowing how printing lays anything out. The queue
builds the document from the subject's records when it prints it, here. A job that does
carry its document in the payload is read back as it is. `split_changes` is the pure rule that puts an item's changes
on the whole pizza or on its left or right half.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from makeline.trade.address import format_phone
from makeline.trade.care import line_labels
from makeline.trade.menu import Menu
from makeline.trade.tracking import credential_hash, receipt_code
from printers.documents import (
    CashOutSlip,
    Document,
    KitchenTicket,
    Receipt,
    ReceiptLine,
    RunSheet,
    RunStop,
    Service,
    StoreHeader,
    Tender,
    TicketItem,
    VoidSlip,
)
from printers.errors import BadDocument
from printers.payload import from_payload
from store_db.dispatch.driver import run_view
from store_db.errors import StoreError
from store_db.models import CashOut, Order, OrderLine, Shift, Staff, Store, SyncState
from store_db.models import Tender as TenderRow
from store_db.queries.cut_table import box_lines
from store_db.services.menu import current_menu

Half = Literal["left", "right"]
_SUFFIXES: dict[str, Half] = {" (LEFT)": "left", " (RIGHT)": "right"}
_OTHER: dict[Half, Half] = {"left": "right", "right": "left"}
_AMOUNTS = ("LIGHT ", "NORMAL ", "EXTRA ", "DOUBLE ")
TENDER_NAMES = {"cash": "Cash", "card": "Card", "online": "Paid online", "pay_at_door": "Pay at door"}
PLACEHOLDER_TRACKING = "makeline://order/{order_id}"


def split_changes(changes: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
    """An item's changes (`PricedItem.changes`) as (whole pizza, left half, right half).

    `ADD HAM (LEFT)` puts `ADD HAM` on the left. A recipe topping moved to one half
    (`NORMAL PEPPERONI (LEFT)`, `EXTRA PEPPERONI (LEFT)`) is listed on that half, and the
    other half says `NO PEPPERONI`, so the crew does not top the whole pizza from habit.
    A crust change is left out: the ticket names the crust on the item's first line.
    """
    whole: list[str] = []
    halves: dict[Half, list[str]] = {"left": [], "right": []}
    for change in changes:
        if change.endswith(" CRUST"):
            continue
        half = next((h for suffix, h in _SUFFIXES.items() if change.endswith(suffix)), None)
        if half is None:
            whole.append(change)
            continue
        what = change.rsplit(" (", 1)[0]
        if what.startswith("ADD "):
            halves[half].append(what)
            continue
        amount = next((a for a in _AMOUNTS if what.startswith(a)), "")
        name = what[len(amount) :]
        halves[half].append(name if amount == "NORMAL " else what)
        halves[_OTHER[half]].append(f"NO {name}")
    return whole, halves["left"], halves["right"]


def document_for(session: Session, kind: str, subject: str, payload: Mapping[str, Any]) -> Document:
    """The document a print job prints: its payload when it has one, else built from
    `subject`'s records. `BadDocument` says why it cannot be printed."""
    if payload:
        return from_payload(kind, dict(payload))
    builder = BUILDERS.get(kind)
    if builder is None:
        raise BadDocument(
            f"A {kind} print job carries no document, and a {kind} cannot be built from "
            f"'{subject}'; only {', '.join(sorted(BUILDERS))} are built from their records."
        )
    try:
        return builder(session, subject)
    except StoreError as exc:
        raise BadDocument(f"The {kind} for {subject} cannot be built: {exc}") from exc


def kitchen_ticket(session: Session, order_id: str) -> KitchenTicket:
    order, store, lines = _order(session, order_id, "kitchen ticket")
    menu = current_menu(session, store)
    items = [dict(line.item) for line in lines]
    pizzas = [_ticket_item(i, menu) for i in items if i.get("kind") == "pizza"]
    others = [_ticket_item(i, menu) for i in items if i.get("kind") != "pizza"]
    return KitchenTicket(
        order_label=order.label,
        service=_service(order),
        placed_at=order.fired_at or order.placed_at,  # an order for later: when it reached the kitchen
        promise_at=order.promise_at,
        zone=store.timezone,
        items=tuple(pizzas + others),
        customer=order.customer_name,
        channel=order.channel.replace("_", " "),
        notes=order.notes,
    )


def receipt(session: Session, order_id: str) -> Receipt:
    order, store, lines = _order(session, order_id, "receipt")
    menu = current_menu(session, store)
    tenders = session.scalars(
        select(TenderRow).where(TenderRow.order_id == order.id).order_by(TenderRow.created_at)
    ).all()
    street, _, town = store.address.partition(", ")
    return Receipt(
        store=StoreHeader(
            name=store.name,
            address=tuple(part for part in (street, town) if part),
            phone=format_phone(store.phone),
        ),
        order_label=order.label,
        service=_service(order),
        placed_at=order.placed_at,
        zone=store.timezone,
        lines=tuple(_receipt_line(dict(line.item), menu) for line in lines),
        subtotal=order.subtotal,
        discount=order.discount,
        coupon=order.coupon or "",
        tax=order.tax,
        tip=order.tip,
        total=order.total,
        tenders=tuple(
            Tender(
                kind=TENDER_NAMES.get(t.kind, t.kind),
                amount=t.tendered if t.kind == "cash" else t.amount,
            )
            for t in tenders
        ),
        change=sum(t.change for t in tenders),
        customer=order.customer_name,
        tracking_url=tracking_url(session, order),
    )


def tracking_url(session: Session, order: Order) -> str:
    """The order's page on the chain's tracker once the store is enrolled, with the code that
    lets anyone holding the receipt watch it; until then a placeholder that says which order it is."""
    state = session.get(SyncState, 1)
    if state is None or not state.cloud_url or state.enrolled_at is None:
        return PLACEHOLDER_TRACKING.format(order_id=order.id)
    order_id = order.cloud_order_id or order.id
    url = f"{state.cloud_url.rstrip('/')}/track/{order_id}"
    if not state.device_token:
        return url
    return f"{url}?code={receipt_code(credential_hash(state.device_token), order_id)}"


def _order(session: Session, order_id: str, what: str) -> tuple[Order, Store, list[OrderLine]]:
    order = session.get(Order, order_id)
    if order is None:
        raise BadDocument(f"Order {order_id} is not in this store's database; its {what} cannot print.")
    store = session.scalars(select(Store)).one()
    lines = session.scalars(
        select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.line_no)
    ).all()
    return order, store, list(lines)


def _service(order: Order) -> Service:
    return "delivery" if order.service == "delivery" else "carryout"


def _crust(item: Mapping[str, Any], menu: Menu) -> str:
    code = item.get("crust")
    if not code:
        return ""
    found = menu.crust(str(code))
    return found.name if found else str(code).replace("_", " ").title()


def _name_with_size(item: Mapping[str, Any], menu: Menu) -> str:
    """A side or drink with its size unless it comes in one size only: "Buffalo Wings 8 piece"."""
    name = str(item.get("name") or item.get("product") or "")
    product = menu.product(str(item.get("product", "")))
    size = str(item.get("size_name") or "")
    if size and (product is None or len(product.price) > 1):
        return f"{name} {size}"
    return name


def _ticket_item(item: Mapping[str, Any], menu: Menu) -> TicketItem:
    notes = str(item.get("notes") or "")
    quantity = int(item.get("quantity", 1))
    care = tuple(line_labels(item.get("care") or [], item.get("allergens") or [])) if item.get("care") else ()
    if item.get("kind") != "pizza":
        return TicketItem(quantity=quantity, product=_name_with_size(item, menu), notes=notes, care=care)
    whole, left, right = split_changes([str(c) for c in item.get("changes") or []])
    return TicketItem(
        quantity=quantity,
        product=str(item.get("name") or item.get("product") or ""),
        size=str(item.get("size_name") or item.get("size") or ""),
        crust=_crust(item, menu),
        whole=tuple(whole),
        left=tuple(left),
        right=tuple(right),
        notes=notes,
        care=care,
    )


def _receipt_line(item: Mapping[str, Any], menu: Menu) -> ReceiptLine:
    quantity, amount = int(item.get("quantity", 1)), int(item.get("line_total", 0))
    notes = str(item.get("notes") or "")
    details: list[str] = []
    if item.get("kind") == "pizza":
        description = f"{item.get('size_name') or item.get('size')} {item.get('name')}"
        whole, left, right = split_changes([str(c) for c in item.get("changes") or []])
        crust = _crust(item, menu)
        details = ([crust] if crust else []) + whole
        details += [f"LEFT: {c}" for c in left] + [f"RIGHT: {c}" for c in right]
    else:
        description = _name_with_size(item, menu)
    if notes:
        details.append(f"Note: {notes}")
    return ReceiptLine(quantity=quantity, description=description, amount=amount, details=tuple(details))


def run_sheet(session: Session, run_id: str) -> RunSheet:
    """The driver's sheet for a delivery run: stops in order, what to collect at each."""
    run = run_view(session, run_id)
    return RunSheet(
        driver=run.driver,
        run_id=str(run.number),
        dispatched_at=run.dispatched_at,
        zone=run.zone,
        stops=tuple(
            RunStop(
                label=stop.label,
                customer=stop.customer,
                address=tuple(part.strip() for part in stop.address.split(", ") if part.strip()),
                phone=format_phone(stop.phone),
                amount=stop.amount_due or stop.total,
                collect=stop.collect,
                notes=stop.notes,
                address_note=stop.address_note,
                bag=stop.bag,
            )
            for stop in run.stops
        ),
    )


def cash_out_slip(session: Session, cash_out_id: str) -> CashOutSlip:
    """The slip the driver and the manager sign: the cash-out as the store recorded it."""
    record = session.get(CashOut, cash_out_id)
    if record is None:
        raise BadDocument(f"Cash-out {cash_out_id} is not in this store's database; its slip cannot print.")
    store = session.scalars(select(Store)).one()
    shift = session.get(Shift, record.shift_id)
    driver = session.get(Staff, record.driver_id)
    return CashOutSlip(
        store=store.name,
        driver=driver.name if driver else "",
        shift_start=shift.clock_in_at if shift else record.at,
        shift_end=record.at,
        zone=store.timezone,
        starting_bank=record.starting_bank,
        cash_collected=record.cash_collected,
        # tips paid with orders are handed over in cash now: one line, as the owed sum counts them
        tips=record.cash_tips + record.card_tips,
        deliveries=record.deliveries,
        mileage=record.mileage_cents,
        owed=record.owed_to_store,
        runs=record.runs,
        distance_m=record.distance_m,
        card_tips=record.card_tips,
    )


def void_slip(session: Session, order_id: str) -> VoidSlip:
    order, store, _ = _order(session, order_id, "void slip")
    if order.voided_at is None:
        raise BadDocument(f"Order {order.label} is not voided; there is no void slip to print.")
    approver = session.get(Staff, order.void_approved_by) if order.void_approved_by else None
    cash = sum(
        t.amount
        for t in session.scalars(select(TenderRow).where(TenderRow.order_id == order.id))
        if t.kind == "cash"
    )
    return VoidSlip(
        order_label=order.label,
        service=_service(order),
        voided_at=order.voided_at,
        zone=store.timezone,
        reason=order.void_reason or "",
        approved_by=approver.name if approver else "customer",
        items=tuple(line.text() for line in box_lines(session, [order.id]).get(order.id, ())),
        after_made=order.made_at is not None,
        refunded_cash=cash if order.payment == "refunded" else 0,
    )


BUILDERS: dict[str, Callable[[Session, str], Document]] = {
    "kitchen": kitchen_ticket,
    "void": void_slip,
    "receipt": receipt,
    "run-sheet": run_sheet,
    "cash-out": cash_out_slip,
}
