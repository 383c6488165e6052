"""The text sender: claims due texts from the outbox, sends them, records the outcome.

A text is marked `sending` (committed) before it goes out and `sent` after. A
worker that stops between the two leaves it `sending`; after the lease, the next
worker asks the provider whether that exact text went out, and only resends it
if it did not. Failures back off exponentially; promotions wait for the store's
daytime; a number that replied STOP gets nothing; a status text still waiting
`TEXT_FRESH` after its moment (a long outage at the provider) is no longer sent.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from cloud_api.auth.tokens import TokenSigner
from cloud_api.db.base import utcnow
from cloud_api.db.database import Database
from cloud_api.models import Notification, Store
from cloud_api.notifications import repository
from cloud_api.notifications.freshness import TEXT_FRESH
from cloud_api.notifications.sender import SmsRejected, SmsSender, SmsTemporary
from cloud_api.notifications.templates import status_text
from cloud_api.orders.repository import order_in_store

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
BACKOFF_BASE_S = 2.0
BACKOFF_CAP_S = 600.0
NoteKey = tuple[str, int]  # a text's (store_id, id)


def backoff(attempts: int, rng: random.Random) -> timedelta:
    """2 s, 4 s, 8 s … capped at 10 minutes, each ±20 % so retries do not march in step."""
    seconds = min(BACKOFF_BASE_S * 2 ** max(attempts - 1, 0), BACKOFF_CAP_S)
    return timedelta(seconds=seconds * rng.uniform(0.8, 1.2))


def next_daytime(store: Store, now: datetime) -> datetime | None:
    """None inside the store's daytime hours, else when they next begin."""
    local = now.astimezone(ZoneInfo(store.timezone))
    start, end = store.daytime_from_hour, store.daytime_to_hour
    if start <= local.hour < end:
        return None
    begin = local.replace(hour=start, minute=0, second=0, microsecond=0)
    if local.hour >= end:
        begin += timedelta(days=1)
    return begin


class NotificationWorker:
    def __init__(
        self,
        db: Database,
        sender: SmsSender,
        tokens: TokenSigner,
        public_url: str,
        wake: threading.Event | None = None,
        lease: timedelta = timedelta(seconds=60),
        batch: int = 20,
        clock: Callable[[], datetime] = utcnow,
        idle_s: float = 1.0,
    ) -> None:
        self.db, self.sender, self.tokens, self.public_url = db, sender, tokens, public_url.rstrip("/")
        self.wake = wake or threading.Event()
        self.lease, self.batch, self.clock, self.idle_s = lease, batch, clock, idle_s
        self.rng = random.Random()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="sms-sender", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.run_once()
            except Exception:  # keep sending whatever one bad row or outage did
                log.exception("the text sender failed a round; retrying")
                busy = 0
            if not busy:
                self.wake.wait(self.idle_s)
                self.wake.clear()

    def run_once(self) -> int:
        """Recover interrupted sends, then send what is due. Returns texts handled."""
        now = self.clock()
        handled = self.recover(now)
        for note_id, phone, body in self.claim(now):
            handled += 1
            self._send(note_id, phone, body)
        return handled

    def tracking_url(self, order_id: str) -> str:
        return f"{self.public_url}/track/{order_id}?code={self.tokens.tracking_code(order_id)}"

    def _render(self, session: Session, note: Notification) -> str:
        order = order_in_store(session, note.store_id, note.order_id) if note.order_id else None
        store = session.get(Store, note.store_id)
        if order is None or note.stage is None:
            return note.body
        return status_text(
            note.stage,
            store.name if store else "makeline",
            order.number,
            order.driver_name,
            self.tracking_url(order.id),
        )

    def claim(self, now: datetime) -> list[tuple[NoteKey, str, str]]:
        claimed: list[tuple[NoteKey, str, str]] = []
        with self.db.transaction() as session:
            for note in repository.due(session, now, self.batch):
                if note.kind == "status" and now - note.created_at > TEXT_FRESH:
                    note.status, note.last_error = (
                        "suppressed",
                        "no longer news: its moment passed while it waited",
                    )
                    continue
                if repository.opted_out(session, note.phone):
                    note.status, note.last_error = "suppressed", "the customer replied STOP"
                    continue
                if note.kind == "promotion":
                    store = session.get(Store, note.store_id)
                    later = next_daytime(store, now) if store else None
                    if later is not None:
                        note.next_attempt_at = later
                        continue
                note.body = note.body or self._render(session, note)
                note.status, note.claimed_at, note.attempts = "sending", now, note.attempts + 1
                claimed.append(((note.store_id, note.id), note.phone, note.body))
        return claimed

    def _send(self, note_id: NoteKey, phone: str, body: str) -> None:
        try:
            sid = self.sender.send(phone, body)
        except SmsTemporary as exc:
            self._retry(note_id, str(exc))
            return
        except SmsRejected as exc:
            self._finish(
                note_id, "suppressed" if exc.opted_out else "failed", None, str(exc), opt_out=exc.opted_out
            )
            return
        self._finish(note_id, "sent", sid, None)

    def _finish(
        self, note_id: NoteKey, status: str, sid: str | None, error: str | None, opt_out: bool = False
    ) -> None:
        now = self.clock()
        with self.db.transaction() as session:
            note = session.get(Notification, note_id)
            if note is None:
                return
            note.status, note.provider_sid, note.last_error = status, sid, error
            note.sent_at = now if status == "sent" else None
            if opt_out:
                repository.opt_out(session, note.phone, now)

    def _retry(self, note_id: NoteKey, error: str) -> None:
        now = self.clock()
        with self.db.transaction() as session:
            note = session.get(Notification, note_id)
            if note is None:
                return
            note.last_error = error
            if note.attempts >= MAX_ATTEMPTS:
                note.status = "failed"
                log.warning("gave up texting %s after %d attempts: %s", note.phone, note.attempts, error)
                return
            note.status, note.next_attempt_at = "queued", now + backoff(note.attempts, self.rng)

    def recover(self, now: datetime) -> int:
        """Texts left `sending` by a worker that stopped: sent if the provider has them, else queued."""
        recovered = 0
        with self.db.transaction() as session:
            for note in repository.stale_sends(session, now - self.lease, self.batch):
                since = (note.claimed_at or note.created_at) - timedelta(minutes=1)
                try:
                    sid = self.sender.find_sent(note.phone, note.body, since)
                except SmsTemporary as exc:
                    log.info("cannot check an interrupted text yet: %s", exc)
                    continue
                if sid is not None:
                    note.status, note.provider_sid, note.sent_at = "sent", sid, now
                else:
                    note.status, note.next_attempt_at = "queued", now
                recovered += 1
        return recovered
