"""The order being taken at the counter, as plain immutable data.

Every key on the counter screen turns one `Cart` into the next; `request()` turns
it into the `OrderRequest` the store's order service checks and writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from makeline.trade.lifecycle import Channel, Service
from makeline.trade.pricing import ItemRequest
from store_db.services.orders import AddressRequest, OrderRequest, TenderRequest
from terminal.errors import TerminalError

TENDERS = {"cash": "CASH", "card": "CARD (terminal)", "pay_at_door": "PAY AT DOOR"}


@dataclass(frozen=True)
class Cart:
    lines: tuple[ItemRequest, ...] = ()
    service: Service = Service.CARRYOUT
    phone: str = ""
    name: str = ""
    address: AddressRequest | None = None
    coupon: str = ""
    best_deal: bool = False
    tender: str = "cash"
    cash_given: int | None = None  # cents handed over; None: exact
    notes: str = ""
    scheduled_for: datetime | None = None  # an order for later; None: as soon as possible
    later_typed: str = ""  # the "for later" field as it was read into `scheduled_for`

    @property
    def channel(self) -> Channel:
        return Channel.PHONE if self.phone else Channel.WALK_IN

    def add(self, line: ItemRequest) -> Cart:
        return replace(self, lines=(*self.lines, line))

    def remove(self, index: int) -> Cart:
        if not 0 <= index < len(self.lines):
            return self
        return replace(self, lines=self.lines[:index] + self.lines[index + 1 :])

    def set_lines(self, lines: tuple[ItemRequest, ...]) -> Cart:
        return replace(self, lines=lines)

    def with_service(self, service: Service) -> Cart:
        tender = self.tender
        if service is Service.CARRYOUT and tender == "pay_at_door":
            tender = "cash"
        return replace(self, service=service, tender=tender)

    def with_tender(self, tender: str) -> Cart:
        return replace(self, tender=tender, cash_given=self.cash_given if tender == "cash" else None)

    def with_customer(self, phone: str, name: str, address: AddressRequest | None) -> Cart:
        return replace(self, phone=phone, name=name, address=address)

    def with_address(self, address: AddressRequest | None) -> Cart:
        return replace(self, address=address)

    def with_coupon(self, coupon: str, best_deal: bool = False) -> Cart:
        return replace(self, coupon=coupon.strip().upper(), best_deal=best_deal and not coupon.strip())

    def with_cash(self, cents: int | None) -> Cart:
        return replace(self, cash_given=cents, tender="cash")

    def with_notes(self, notes: str) -> Cart:
        return replace(self, notes=notes)

    def with_time(self, when: datetime | None, typed: str) -> Cart:
        return replace(self, scheduled_for=when, later_typed=typed)

    def with_name(self, name: str) -> Cart:
        return replace(self, name=name)

    def request(self, taken_by: str | None = None) -> OrderRequest:
        delivery = self.service is Service.DELIVERY
        tender = TenderRequest(kind=self.tender, tendered=self.cash_given if self.tender == "cash" else None)
        return OrderRequest(
            channel=self.channel,
            service=self.service,
            items=list(self.lines),
            phone=self.phone or None,
            customer_name=self.name,
            address=self.address if delivery else None,
            coupon=self.coupon or None,
            best_deal=self.best_deal,
            tenders=[tender],
            notes=self.notes,
            taken_by=taken_by,
            scheduled_for=self.scheduled_for,
        )

    def quote_request(self) -> OrderRequest:
        """The same order without tenders or address: what pricing needs while it is built."""
        return OrderRequest(
            channel=self.channel,
            service=self.service,
            items=list(self.lines),
            coupon=self.coupon or None,
            best_deal=self.best_deal,
        )


def parse_money(text: str) -> int | None:
    """'40', '$40', '40.50' -> cents; '' -> None (exact money)."""
    cleaned = text.strip().replace("$", "").replace(",", "")
    if not cleaned:
        return None
    if not re.fullmatch(r"\d{1,5}(\.\d{1,2})?", cleaned):
        raise TerminalError(f"'{text.strip()}' is not an amount of money; type e.g. 40 or 40.50.")
    whole, _, cents = cleaned.partition(".")
    return int(whole) * 100 + int((cents + "00")[:2])
