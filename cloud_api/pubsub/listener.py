"""One LISTEN connection per worker, feeding the hub; it reconnects on its own."""

from __future__ import annotations

import asyncio
import json
import logging

import psycopg

from cloud_api.pubsub import CHANNEL
from cloud_api.pubsub.hub import Hub
from cloud_api.settings import libpq_url

log = logging.getLogger(__name__)


async def listen(url: str, hub: Hub, ready: asyncio.Event | None = None) -> None:
    """Run until cancelled, passing every announcement to `hub`."""
    delay = 0.2
    while True:
        try:
            conn = await psycopg.AsyncConnection.connect(libpq_url(url), autocommit=True)
            async with conn:
                await conn.execute(f"LISTEN {CHANNEL}")
                delay = 0.2
                if ready is not None:
                    ready.set()
                # Missed announcements while reconnecting are made up by trackers re-reading.
                hub.wake_all()
                async for notify in conn.notifies():
                    try:
                        hub.publish(json.loads(notify.payload))
                    except (ValueError, TypeError):
                        log.warning("ignored a malformed announcement: %.80s", notify.payload)
        except psycopg.Error as exc:
            log.warning("lost the announcement connection (%s); retrying in %.1f s", exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
