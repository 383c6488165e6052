"""The stores' sync traffic on workers of its own (`makeline cloud --sync-port`).

A chain's stores beat, push, pull and hold their nudge sockets on this port; customers,
trackers and head office on the cloud's own. Behind a load balancer, the same split is a rule
by path (`/api/v1/sync/` to these workers). The workers serve the same application; what
changes is whose requests share an event loop: a storm of stores back from an outage (their
first beats, a thousand pushes read and handed to the storer, the answers that turn them away)
no longer runs between the awaits of a customer's order.

The process leads a session of its own, lowered with it (`priority.SYNC_NICE`, not idle-only:
a store's heartbeat is answered in milliseconds however busy the storer and appliers are), so
on a shared machine the customers' workers get the CPU first. It stops with `makeline cloud`,
also when that was killed outright (it looks for its parent every second).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time

from cloud_api.serving import serve
from cloud_api.settings import CloudSettings
from cloud_api.sync import priority

PARENT = "MAKELINE_SYNC_FRONT_PARENT"


def _leave_with(parent: int) -> None:
    """Stop (as `makeline cloud` stops it: SIGTERM) once the parent is gone."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main() -> int:
    """`python -m cloud_api.sync.front`: the stores' workers on `MAKELINE_SYNC_PORT`."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = CloudSettings()
    if not settings.sync_port:
        print("MAKELINE_SYNC_PORT is not set: the stores' workers do not know where to listen.")
        return 2
    priority.lower(0, priority.SYNC_NICE, idle=False)  # and its session, its own
    if parent := int(os.environ.get(PARENT, "0")):
        _leave_with(parent)
    serve(settings.host, settings.sync_port, settings.sync_workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
