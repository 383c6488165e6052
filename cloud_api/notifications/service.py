"""Queueing texts (in the caller's transaction) and the STOP / START replies.

A status text has the key `order:<id>:<stage>`, unique in its store's outbox: however
often a stage's event repeats, at most one text is queued for it. A status text tells the
customer what is happening now (`still_news`): one about a moment more than `TEXT_FRESH`
ago (a store's backlog after a night offline), or about an order that has since reached its
end in the same batch of the store's events (delivered, picked up, voided), is not queued. Every text belongs to a
store (`cloud_api.db.distribution`): its order's, or the one head office names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from cloud_api.auth.principal import Principal, Role
from cloud_api.customers.phone import normalize_phone
from cloud_api.db.base import utcnow
from cloud_api.db.database import announcement
from cloud_api.errors import BadRequest, Conflict, not_yours
from cloud_api.models import Account, Notification, Order, Store
from cloud_api.notifications import emails, repository
from cloud_api.notifications.freshness import still_news
from cloud_api.notifications.schemas import NotificationCreate
from cloud_api.notifications.templates import OPT_IN_WORDS, OPT_OUT_WORDS
from cloud_api.orders.access import visible_order
from cloud_api.orders.state import OrderState
from makeline.trade.lifecycle import Stage

_HELD_TEXTS = "makeline.held_texts"
_DEDUPE = ["store_id", "dedupe_key"]  # a text's key is unique within its store


def queue_status_text(session: Session, order: OrderState, stage: Stage, at: datetime) -> None:
    if not order.phone:
        return
    row = {
        "store_id": order.store_id,
        "order_id": order.id,
        "kind": "status",
        "stage": stage.value,
        "dedupe_key": f"order:{order.id}:{stage.value}",
        "phone": order.phone,
        "body": "",
        "status": "queued",
        "attempts": 0,
        "next_attempt_at": at,
        "created_at": at,
    }
    held = session.info.get(_HELD_TEXTS)
    if isinstance(held, list):
        held.append((row, order))  # judged at the batch's end, by where the order stands then
    elif still_news(stage.value, order.stage, at, utcnow()):
        session.execute(insert(Notification).values(**row).on_conflict_do_nothing(index_elements=_DEDUPE))
    announcement(session).jobs = True


@contextmanager
def texts_in_one_statement(session: Session) -> Iterator[None]:
    """The status texts queued inside the block go out in one statement at its end (a batch
    of a store's events); the same key twice is still one text, and a text that is no longer
    news by then (`still_news`: the order was delivered later in the batch, or the batch is
    a backlog of hours ago) is not queued. Nothing is written if the block raises."""
    if _HELD_TEXTS in session.info:
        yield
        return
    queued: list[tuple[dict[str, object], OrderState]] = []
    session.info[_HELD_TEXTS] = queued
    try:
        yield
    finally:
        del session.info[_HELD_TEXTS]
    now = utcnow()
    held = [
        row
        for row, order in queued
        if still_news(str(row["stage"]), order.stage, cast(datetime, row["created_at"]), now)
    ]
    if held:
        table = cast(Table, Notification.__table__)
        statement = insert(table).on_conflict_do_nothing(index_elements=_DEDUPE)
        session.connection().execute(statement, held)


UNSEEN = "unseen"  # the stage-like key of the "your order was not started yet" message


def queue_unseen_notices(session: Session, store_id: str, order_ids: list[str], at: datetime) -> int:
    """The store reports `order_ids` unseen by its kitchen for five minutes: their customers
    get one text and one email each (`order:<id>:unseen`, however often the store repeats it).
    Ids of another store's orders, or of orders already started or voided, are ignored."""
    if not order_ids:
        return 0
    orders = session.scalars(
        select(Order).where(
            Order.id.in_(order_ids[:200]), Order.store_id == store_id, Order.stage == Stage.PLACED.value
        )
    ).all()
    for order in orders:
        if order.phone:
            session.execute(
                insert(Notification)
                .values(
                    store_id=order.store_id,
                    order_id=order.id,
                    kind="status",
                    stage=UNSEEN,
                    dedupe_key=f"order:{order.id}:{UNSEEN}",
                    phone=order.phone,
                    body="",
                    status="queued",
                    attempts=0,
                    next_attempt_at=at,
                    created_at=at,
                )
                .on_conflict_do_nothing(index_elements=_DEDUPE)
            )
            announcement(session).jobs = True
        emails.queue_order_email(session, order, emails.UNSEEN, at)
    return len(orders)


def queue_message(
    session: Session, caller: Principal, data: NotificationCreate, at: datetime
) -> Notification:
    """`POST /notifications`: head office to anyone; a store to its own customers."""
    caller.require(Role.HEAD_OFFICE, Role.STORE_MANAGER, Role.STORE_DEVICE)
    targets = [x for x in (data.order_id, data.customer_id, data.phone) if x]
    if len(targets) != 1:
        raise BadRequest("Name exactly one of order_id, customer_id or phone.", "order_id")
    store_id = data.store_id
    phone: str
    if data.order_id:
        order = visible_order(session, caller, data.order_id)
        if not order.phone:
            raise Conflict("That order has no phone number to text.", "order_id")
        if store_id not in (None, order.store_id):
            raise BadRequest(
                "That order is another store's; leave store_id out or name its store.", "store_id"
            )
        phone, store_id = order.phone, order.store_id
    elif data.customer_id:
        account = session.get(Account, data.customer_id)
        if account is None or account.role != Role.CUSTOMER.value:
            raise not_yours("customer")
        if caller.role is not Role.HEAD_OFFICE:
            raise BadRequest("Stores text customers about their orders: use order_id.", "customer_id")
        if data.kind == "promotion" and not account.promotions:
            raise Conflict(f"{account.name} has not agreed to receive promotions.", "customer_id")
        if not account.phone:
            raise Conflict(f"{account.name} has no phone number to text.", "customer_id")
        phone = account.phone
    else:
        caller.require(Role.HEAD_OFFICE)
        if data.kind == "promotion":
            raise BadRequest("Promotions go only to customers who agreed: use customer_id.", "phone")
        phone = normalize_phone(data.phone or "", "phone")
    if store_id is not None:
        caller.require_store(store_id)
        if session.get(Store, store_id) is None:
            raise BadRequest(f"There is no store {store_id}.", "store_id")
    if data.kind == "promotion" and store_id is None:
        raise BadRequest("A promotion needs the store whose daytime hours it must keep.", "store_id")
    if store_id is None:
        raise BadRequest(
            "Name the store this text is sent for: every text is kept with a store's records.", "store_id"
        )
    note = Notification(
        store_id=store_id,
        order_id=data.order_id,
        kind=data.kind,
        phone=phone,
        body=data.body,
        status="queued",
        attempts=0,
        next_attempt_at=at,
        created_at=at,
    )
    session.add(note)
    session.flush()
    announcement(session).jobs = True
    return note


def inbound_reply(session: Session, from_number: str, body: str, at: datetime) -> str | None:
    """A customer's reply: STOP (and its synonyms) opts out of every text, START opts back in."""
    try:
        phone = normalize_phone(from_number, "From")
    except BadRequest:
        return None
    words = re.sub(r"[^A-Za-z ]", " ", body).upper().split()
    word = words[0] if words else ""
    if word in OPT_OUT_WORDS:
        repository.opt_out(session, phone, at)
        return "stop"
    if word in OPT_IN_WORDS:
        repository.opt_in(session, phone)
        return "start"
    return None
