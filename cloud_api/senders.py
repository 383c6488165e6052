"""The cloud's senders: customers' texts and emails, refunds due, and the housekeeping.

Each worker runs them (its lifespan, `app`), unless the cloud runs one background process
beside its workers (`makeline cloud` does: `sync.applier`, at a lower priority), which then
runs them once for the whole cloud. In a reconnection storm the stores' events bring
hundreds of texts; sent from a worker, they took the interpreter a customer's order needs.
Every sender claims its work in the database, so where it runs changes nothing it sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import TYPE_CHECKING

from cloud_api import housekeeping
from cloud_api.background import Loop
from cloud_api.db.base import utcnow
from cloud_api.notifications import emails
from cloud_api.notifications.worker import NotificationWorker
from cloud_api.payments.service import send_due_refunds
from cloud_api.pubsub.listener import listen

if TYPE_CHECKING:
    from cloud_api.context import CloudContext


class Senders:
    """The texts' sender and the loops of refunds, emails and housekeeping, woken by the
    database's news (`ctx.hub`) and every few seconds."""

    def __init__(self, ctx: CloudContext) -> None:
        self.texts = NotificationWorker(ctx.db, ctx.sms, ctx.tokens, ctx.public_url, wake=ctx.hub.waker())
        self.loops = [
            Loop("refunds", lambda: send_due_refunds(ctx.db, ctx.gateway, utcnow()), ctx.hub.waker(), 5.0),
            Loop(
                "emails",
                lambda: emails.send_due(ctx.db, ctx.email, ctx.tokens, ctx.public_url, utcnow()),
                ctx.hub.waker(),
                5.0,
            ),
            Loop("housekeeping", lambda: housekeeping.step(ctx.db, utcnow()), idle_s=600.0),
        ]

    def start(self) -> None:
        self.texts.start()
        for loop in self.loops:
            loop.start()

    def stop(self) -> None:
        for loop in self.loops:
            loop.stop()
        self.texts.stop()


def serve(ctx: CloudContext, stop: threading.Event) -> None:
    """The senders in a process of their own (the background process) until `stop` is set:
    the database's news heard on a LISTEN connection of their own, as a worker's are."""
    ctx.announcer.start()
    senders = Senders(ctx)
    senders.start()
    news = threading.Thread(target=_listen, args=(ctx, stop), name="senders-listen", daemon=True)
    news.start()
    try:
        stop.wait()
    finally:
        senders.stop()
        news.join(timeout=10)
        ctx.announcer.stop()
        ctx.gateway.close()
        ctx.db.dispose()


def _listen(ctx: CloudContext, stop: threading.Event) -> None:
    async def until_stopped() -> None:
        listening = asyncio.create_task(listen(ctx.db.url, ctx.hub, asyncio.Event()))
        while not stop.is_set():
            await asyncio.sleep(0.5)
        listening.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listening

    asyncio.run(until_stopped())
