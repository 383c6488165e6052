"""Coalesces what committed transactions announce into one NOTIFY per short window.

A NOTIFY inside a write transaction makes PostgreSQL serialise commits on its
notification queue, so the hot path never does that. Committed transactions hand
their announcement here instead; a thread sends whatever gathered in the last few
milliseconds as one NOTIFY (split only when it would pass PostgreSQL's 8 kB
payload limit). A crash can lose a nudge, never data: trackers re-read the order
when they connect, and store agents also poll their feed.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

import psycopg

from cloud_api.db.database import Announcement
from cloud_api.pubsub import CHANNEL, INBOUND
from cloud_api.settings import libpq_url

log = logging.getLogger(__name__)
PAYLOAD_LIMIT = 7500


_COMPACT = (",", ":")


def payloads(tracker: list[dict[str, Any]], stores: set[str], jobs: bool, inbound: bool = False) -> list[str]:
    """Split one window's news into NOTIFY payloads under the size limit (at least one update
    each); the first carries the feeds' stores, the senders' nudge and `"a"` (events wait for
    the appliers, `cloud_api.sync.news`). Each update is written once: a backlog's chunk of
    hundreds of stage changes costs its own JSON, not a payload's worth per update."""
    rest = f',"f":{json.dumps(sorted(stores), separators=_COMPACT)},"n":{"true" if jobs else "false"}'
    if inbound:
        rest += f',"{INBOUND}":true'
    out: list[str] = []
    batch: list[str] = []
    size = 0  # of the batch's updates
    for update in tracker:
        part = json.dumps(update, separators=_COMPACT)
        # '{"t":[' + the parts and a comma between each + ']' + rest + '}'
        if batch and 8 + size + len(batch) + len(part) + len(rest) > PAYLOAD_LIMIT:
            out.append(_payload(batch, rest))
            batch, size, rest = [], 0, ',"f":[],"n":false'
        batch.append(part)
        size += len(part)
    out.append(_payload(batch, rest))
    return out


def _payload(parts: list[str], rest: str) -> str:
    return '{"t":[' + ",".join(parts) + "]" + rest + "}"


class Announcer:
    def __init__(self, url: str, window_s: float = 0.005) -> None:
        self.url = libpq_url(url)
        self.window_s = window_s
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._tracker: list[dict[str, Any]] = []
        self._stores: set[str] = set()
        self._jobs = False
        self._inbound = False
        self._thread: threading.Thread | None = None
        self.sent = 0  # NOTIFY statements sent, for tests and the benchmark

    def post(self, announcement: Announcement) -> None:
        with self._lock:
            self._tracker.extend(announcement.tracker)
            self._stores |= announcement.feed_stores
            self._jobs = self._jobs or announcement.jobs
            self._inbound = self._inbound or announcement.inbound
        self._wake.set()

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="announcer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _drain(self) -> list[str]:
        with self._lock:
            tracker, stores, jobs, inbound = self._tracker, self._stores, self._jobs, self._inbound
            self._tracker, self._stores, self._jobs, self._inbound = [], set(), False, False
        if not (tracker or stores or jobs or inbound):
            return []
        return payloads(tracker, stores, jobs, inbound)

    def _run(self) -> None:
        conn: psycopg.Connection[Any] | None = None
        while not self._stop.is_set():
            self._wake.wait()
            if self._stop.wait(self.window_s):
                break
            self._wake.clear()
            batch = self._drain()
            if not batch:
                continue
            try:
                if conn is None or conn.closed:
                    conn = psycopg.connect(self.url, autocommit=True)
                for payload in batch:
                    conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))
                    self.sent += 1
            except psycopg.Error as exc:
                log.warning("could not announce %d update(s): %s", len(batch), exc)
                if conn is not None:
                    conn.close()
                conn = None
        if conn is not None:
            conn.close()
