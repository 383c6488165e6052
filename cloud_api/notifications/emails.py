"""The order emails (confirmation when the store has the order, delivered when it arrived):
queued in the caller's transaction, at most one per order per kind (`order:<id>:<kind>`,
unique in the outbox), and sent by `send_due` from a background loop.

A message is marked `sending` (committed) before it goes out and `sent` after. One left
`sending` by a worker that stopped is not sent again (an email cannot be recalled, and the
provider cannot be asked whether it went): after the lease it is marked failed, with why.
"""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from cloud_api.auth.tokens import TokenSigner
from cloud_api.customers.contact import GUEST_DOMAIN, email_of
from cloud_api.db.database import Database, announcement
from cloud_api.models import EmailMessage, Store
from cloud_api.notifications.email_sender import Email, EmailRejected, EmailSender, EmailTemporary
from cloud_api.orders.repository import lines_of, order_in_store
from cloud_api.orders.state import OrderState

log = logging.getLogger(__name__)
CONFIRMATION, DELIVERED, UNSEEN = "confirmation", "delivered", "unseen"
MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=2)
_HELD_EMAILS = "makeline.held_emails"


def queue_order_email(session: Session, order: OrderState, kind: str, at: datetime) -> None:
    held = session.info.get(_HELD_EMAILS)
    if isinstance(held, list):
        held.append(
            {
                "store_id": order.store_id,
                "order_id": order.id,
                "customer_id": order.customer_id,
                "kind": kind,
                "at": at.isoformat(),
            }
        )
        return
    address = email_of(session, order)
    if address is None:
        return
    session.execute(
        insert(EmailMessage)
        .values(
            store_id=order.store_id,
            order_id=order.id,
            kind=kind,
            dedupe_key=f"order:{order.id}:{kind}",
            email=address,
            status="queued",
            attempts=0,
            next_attempt_at=at,
            created_at=at,
        )
        .on_conflict_do_nothing(index_elements=["store_id", "dedupe_key"])
    )
    announcement(session).jobs = True


# The held emails in one statement, each address found as `email_of` finds it: the one
# given at checkout, else the customer's account email unless it is a guest's.
_QUEUE_HELD = text(
    f"""
    INSERT INTO email_message (store_id, order_id, kind, dedupe_key, email, status, attempts,
        next_attempt_at, created_at)
    SELECT r.store_id, r.order_id, r.kind, 'order:' || r.order_id || ':' || r.kind,
        coalesce(c.email, a.email), 'queued', 0, r.at, r.at
    FROM jsonb_to_recordset(CAST(:rows AS jsonb))
        AS r(n integer, store_id text, order_id text, customer_id text, kind text, at timestamptz)
    LEFT JOIN order_contact c ON c.store_id = r.store_id AND c.order_id = r.order_id
    LEFT JOIN account a ON c.order_id IS NULL AND a.id = r.customer_id
        AND lower(a.email) NOT LIKE '%@{GUEST_DOMAIN}'
    WHERE coalesce(c.email, a.email) IS NOT NULL
    ORDER BY r.n
    ON CONFLICT (store_id, dedupe_key) DO NOTHING
    RETURNING 1
    """
)


@contextmanager
def emails_in_one_statement(session: Session) -> Iterator[None]:
    """The order emails queued inside the block go out in one statement at its end (a batch
    of a store's events), their addresses looked up in it; the same key twice is still one
    email. Nothing is written if the block raises."""
    if _HELD_EMAILS in session.info:
        yield
        return
    held: list[dict[str, object]] = []
    session.info[_HELD_EMAILS] = held
    try:
        yield
    finally:
        del session.info[_HELD_EMAILS]
    if held and session.connection().execute(_QUEUE_HELD, {"rows": json.dumps(held)}).first():
        announcement(session).jobs = True


def _money(cents: int) -> str:
    return f"${cents / 100:,.2f}"


def _clock(at: datetime | None, zone: str) -> str:
    return at.astimezone(ZoneInfo(zone)).strftime("%I:%M %p").lstrip("0") if at else ""


def compose(session: Session, message: EmailMessage, tracking_url: str) -> Email:
    order = order_in_store(session, message.store_id, message.order_id)
    assert order is not None  # the message's foreign key
    store = session.get(Store, order.store_id)
    zone, shop = (store.timezone, store.name) if store else ("UTC", "makeline")
    number = f"#{order.number}" if order.number else ""
    if message.kind == DELIVERED:
        subject = f"Your {shop} order {number} was delivered"
        lines = [f"Your order {number} was delivered at {_clock(order.delivered_at, zone)}. Enjoy!"]
    elif message.kind == UNSEEN:
        subject = f"Your {shop} order {number}: the kitchen has not started it yet"
        lines = [
            f"{shop} has your order {number}, but its kitchen has not started it yet. "
            "We have alerted the store; call them if you need it sooner than your tracker shows."
        ]
    else:
        items = lines_of(session, order)
        subject = f"Your {shop} order {number} is confirmed"
        when = "delivered" if order.service == "delivery" else "ready for carryout"
        lines = [f"Thank you, {order.customer_name}. {shop} has your order {number}."]
        for li in items:
            changes = ", ".join(str(c).lower() for c in li.item.get("changes", []))
            size = li.item.get("size_name", li.size)
            lines.append(
                f"{li.quantity} x {size} {li.name}{f' ({changes})' if changes else ''}: {_money(li.line_total)}"
            )
        lines.append(f"Total: {_money(order.total)}")
        if order.promise_at:
            lines.append(f"Expected to be {when} by {_clock(order.promise_at, zone)} ({shop}'s time).")
    lines.append(f"Track it: {tracking_url}")
    text = "\n".join(lines)
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines[:-1])
    body += f'<p><a href="{html.escape(tracking_url)}">Track your order</a></p>'
    return Email(to=message.email, subject=subject, text=text, html=body)


def send_due(db: Database, sender: EmailSender, tokens: TokenSigner, public_url: str, now: datetime) -> int:
    """Send what is due (a batch); returns how many were handled."""
    claimed: list[tuple[tuple[str, int], Email]] = []
    with db.transaction() as session:
        stale = session.scalars(
            select(EmailMessage)
            .where(EmailMessage.status == "sending", EmailMessage.claimed_at < now - LEASE)
            .with_for_update(skip_locked=True)
            .limit(20)
        ).all()
        for message in stale:
            message.status = "failed"
            message.last_error = "interrupted while sending; not sent again so it cannot arrive twice"
        due = session.scalars(
            select(EmailMessage)
            .where(EmailMessage.status == "queued", EmailMessage.next_attempt_at <= now)
            .order_by(EmailMessage.next_attempt_at)
            .with_for_update(skip_locked=True)
            .limit(20)
        ).all()
        for message in due:
            url = f"{public_url.rstrip('/')}/track/{message.order_id}?code={tokens.tracking_code(message.order_id)}"
            claimed.append(((message.store_id, message.id), compose(session, message, url)))
            message.status, message.claimed_at, message.attempts = "sending", now, message.attempts + 1
    for key, email in claimed:
        _send(db, sender, key, email)
    return len(claimed) + len(stale)


def _send(db: Database, sender: EmailSender, key: tuple[str, int], email: Email) -> None:
    """Send one claimed message, `key` its (store_id, id)."""
    status, provider_id, error = "sent", None, None
    try:
        provider_id = sender.send(email)
    except EmailTemporary as exc:
        status, error = "queued", str(exc)
    except EmailRejected as exc:
        status, error = "failed", str(exc)
    with db.transaction() as session:
        message = session.get(EmailMessage, key)
        if message is None:
            return
        now = datetime.now(message.created_at.tzinfo)
        if status == "queued" and message.attempts >= MAX_ATTEMPTS:
            status = "failed"
            log.warning("gave up emailing %s after %d attempts: %s", message.email, message.attempts, error)
        message.status, message.provider_id, message.last_error = status, provider_id, error
        message.sent_at = now if status == "sent" else None
        if status == "queued":
            message.next_attempt_at = now + timedelta(seconds=min(2**message.attempts, 600))
