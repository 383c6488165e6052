"""The appliers: stores' stored events applied in the background, store by store.

The applier processes (`python -m cloud_api.sync.applier`, `appliers` of them started by
`makeline cloud` beside its workers at a lower priority) share the queue the same way; the
first also runs the cloud's senders (`senders`) for the workers.

Every worker runs one (`app`'s lifespan, woken by a push that left its events to it, and
every second): each round takes the stores with events waiting and applies one chunk of
each, oldest first, a transaction per chunk. A store another worker is applying is left
to it (one applier per store at a time, by the store's lock in PostgreSQL), so stores are
applied in parallel across workers and never twice at once. The queue is the database
(`inbound_pending`): events stored before a crash or a restart are applied after it.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import sys
import threading
import time

from sqlalchemy.exc import SQLAlchemyError

from cloud_api.db.base import utcnow
from cloud_api.db.database import Database
from cloud_api.pubsub.announcer import Announcer
from cloud_api.store_events import repository
from cloud_api.sync import priority, service
from cloud_api.sync.news import InboundNews
from cloud_api.sync.pace import PaceMeter

log = logging.getLogger(__name__)

ROUND_STORES = 64  # stores looked at per round: each gets one chunk before any gets a second


def apply_store(db: Database, store_id: str, wait: bool) -> tuple[int, int]:
    """One chunk of the store's waiting events applied: (how many, how many set aside). With
    `wait=False`, (0, 0) at once when another applier holds the store."""
    with db.transaction() as session:
        if not repository.lock_store(session, store_id, wait=wait):
            return 0, 0
        return service.apply(session, store_id, utcnow())


def apply_all(db: Database, store_id: str) -> int:
    """Every waiting event of the store applied, chunk by chunk; how many were set aside."""
    held = 0
    while True:
        done, more_held = apply_store(db, store_id, wait=True)
        held += more_held
        if not done:
            return held


def step(db: Database, meter: PaceMeter | None = None) -> int:
    """One round over the stores with events waiting; returns how many events it applied.
    With `meter`, each store's chunk is timed, and the applier's pace told when due (`pace`)."""
    with db.transaction() as session:
        stores = repository.stores_waiting(session, ROUND_STORES)
    applied = 0
    for store_id in stores:
        began = time.monotonic()
        try:
            done = apply_store(db, store_id, wait=False)[0]
        except Exception:  # one store's trouble does not stop the others'
            log.exception("could not apply store %s's events this round; trying again", store_id)
            continue
        applied += done
        if meter is not None and done:
            _tell(db, meter, meter.applied(done, time.monotonic() - began))
    if meter is not None and not applied:
        meter.ran_dry()
    return applied


def _tell(db: Database, meter: PaceMeter, pace: float | None) -> None:
    if pace is None:
        return
    try:
        with db.transaction() as session:
            repository.tell_pace(session, meter.name, pace)
    except SQLAlchemyError as exc:  # the brake goes by its least limit meanwhile
        log.warning("the applier's pace could not be told: %s", exc)


SENDS = "MAKELINE_APPLIER_SENDS"
AFTER_QUIET = "MAKELINE_APPLIER_AFTER_QUIET"  # "true": a quiet applier (`CloudSettings.quiet_appliers`)
IDLE_S = 0.2  # how often an idle applier process looks for waiting events, heard of or not
# A quiet applier applies a round only once no push was heard of for this long: in a storm,
# pushes are stored every few milliseconds until the last store's is (the storer and the
# first applier then have the CPU: the customers' orders had less of it with two appliers),
# then the queue's tail is applied by every applier (one alone left 0.6 of a core idle).
QUIET_S = 0.5


def serve(
    url: str,
    stop: threading.Event,
    parent: int | None = None,
    idle_s: float = IDLE_S,
    after_quiet_s: float = 0.0,
) -> None:
    """The applier process's loop, until `stop` is set or its parent (`makeline cloud`) is gone.
    Idle, it waits for a push's events to be stored (`sync.news`), looking anyway every `idle_s`.
    What it applies announces (the trackers' news, the store feeds', the senders') is told to
    every worker by an announcer of its own, as a worker's own writes are. With
    `after_quiet_s`, each round waits until no push was heard of for that long (a quiet applier)."""
    announcer = Announcer(url)
    announcer.start()
    db = Database(url, pool_size=2, max_overflow=0, sink=announcer)
    news = InboundNews(url)
    priority.lower_engine(db.engine, priority.APPLIER_NICE)
    # What the process holds from its start (modules, the engine) is never garbage: kept out
    # of the collector's full passes, which otherwise walk all of it during an apply.
    gc.freeze()
    meter = PaceMeter()
    try:
        while not stop.is_set() and (parent is None or os.getppid() == parent):
            if after_quiet_s and not news.quiet_for(after_quiet_s, stop):
                break
            try:
                busy = step(db, meter)
            except Exception:
                log.exception("the applier failed a round; retrying")
                busy = 0
            if not busy:
                news.wait(idle_s, stop)
    finally:
        news.close()
        db.dispose()
        announcer.stop()


def main() -> int:
    """`python -m cloud_api.sync.applier`: one applier process beside the cloud's workers, at a
    lower priority than theirs (and its PostgreSQL backends too, on the same machine), so
    customers' requests get the CPU first."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        print("DATABASE_URL is not set: the applier does not know which database to apply to.")
        return 2
    priority.lower(0, priority.APPLIER_NICE)  # and its session, its own (`makeline cloud`)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    parent = int(os.environ.get("MAKELINE_APPLIER_PARENT", "0")) or None
    sending = _senders(stop)
    try:
        serve(url, stop, parent, after_quiet_s=QUIET_S if os.environ.get(AFTER_QUIET) == "true" else 0.0)
    finally:
        stop.set()
        if sending is not None:
            sending.join(timeout=30)
    return 0


def _senders(stop: threading.Event) -> threading.Thread | None:
    """The cloud's senders (texts, emails, refunds, housekeeping) in this process too, when
    `makeline cloud` leaves them to it (`MAKELINE_APPLIER_SENDS`: its first applier)."""
    from cloud_api import senders
    from cloud_api.context import build
    from cloud_api.settings import CloudSettings

    if os.environ.get(SENDS) != "true":
        return None
    settings = CloudSettings()
    thread = threading.Thread(target=senders.serve, args=(build(settings), stop), name="senders", daemon=True)
    thread.start()
    return thread


if __name__ == "__main__":
    sys.exit(main())
