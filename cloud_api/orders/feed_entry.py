"""An online order as its store's feed carries it: built from the wire contract, stored as
the store pulls it (no re-shaping at pull time)."""

from __future__ import annotations

from cloud_api.orders.records import OrderView, PaymentView
from cloud_api.orders.schemas import OrderCreate
from makeline.trade.lifecycle import Service
from makeline.trade.pricing import ItemRequest
from sync.contract.entries import AddressOnWire, OnlineOrder


def online_entry(
    order: OrderView, data: OrderCreate, payment: PaymentView, items: list[ItemRequest]
) -> OnlineOrder:
    """What the store needs to put the order on its make line exactly as priced here
    (`items`: the lines as the customer asked, as priced)."""
    address = None
    if order.service == Service.DELIVERY.value and data.address is not None:
        address = AddressOnWire(
            line1=data.address.line1,
            line2=data.address.line2,
            city=data.address.city,
            lat=order.lat,
            lon=order.lon,
            notes=data.address.notes,
        )
    return order_entry(order, items, address, paid=payment.status == "succeeded")


def order_entry(
    order: OrderView, items: list[ItemRequest], address: AddressOnWire | None, *, paid: bool
) -> OnlineOrder:
    """The feed entry of an order the cloud holds, with the items as the customer asked."""
    return OnlineOrder(
        cloud_order_id=order.id,
        service=Service(order.service),
        phone=order.phone,
        customer_name=order.customer_name,
        address=address,
        items=items,
        coupon=order.coupon,
        tip=order.tip,
        notes=order.notes,
        payment="paid" if paid else "due",
        total=order.total,
        placed_at=order.placed_at,
        scheduled_for=order.scheduled_for,
        promise_at=order.promise_at,
    )
