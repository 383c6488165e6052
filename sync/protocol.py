"""The agent's protocol decisions as plain functions over plain data (no I/O).

- which outbox rows make the next batch (whole store transactions only);
- where to push from after the cloud says how far it holds our events;
- how long to wait before trying again, and before the next heartbeat.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass


def whole_transactions(txns: Sequence[str], limit: int) -> int | None:
    """How many of these rows (the outbox after the push position, in seq order, at most
    `limit + 1` of them) the next batch takes so that no transaction is split.

    Past `limit` rows the batch ends at the last transaction boundary; None when the
    first transaction alone is longer than `limit`: the caller sends that one whole.
    """
    if len(txns) <= limit:
        return len(txns)  # every transaction here is complete: SQLite commits them whole
    end = limit
    while end > 0 and txns[end - 1] == txns[end]:
        end -= 1
    return end or None


@dataclass(frozen=True)
class Reconciled:
    push_from: int  # send the events after this sequence number
    acked_to: int  # record the cloud as holding everything up to here (0: nothing new)
    problem: str = ""  # set when the cloud holds events this database never wrote


def reconcile(acked_seq: int, last_seq: int, cloud_high_water: int) -> Reconciled:
    """Where the two ledgers stand when the agent (re)connects.

    The cloud's mark is the truth about what it holds. Behind our own acknowledged
    mark (the cloud was restored from a backup), we send those events again; ahead of
    it (an answer was lost), we record what the cloud holds without resending it.
    """
    if cloud_high_water > last_seq:
        return Reconciled(
            last_seq,
            last_seq if last_seq > acked_seq else 0,
            f"The cloud holds events up to #{cloud_high_water} from this store, but this "
            f"database's outbox ends at #{last_seq}: it is older than the one that was enrolled. "
            "Put back the newest store database, or ask head office to enroll this one again.",
        )
    return Reconciled(cloud_high_water, cloud_high_water if cloud_high_water > acked_seq else 0)


@dataclass
class Backoff:
    """Capped exponential backoff with jitter: 0.5 s, 1 s, 2 s, … up to `cap`, each
    drawn between half and all of that, so a chain of stores does not retry in step."""

    base: float = 0.5
    cap: float = 30.0
    failures: int = 0

    def next_delay(self, rng: random.Random | None = None) -> float:
        ceiling = min(self.cap, self.base * 2 ** min(self.failures, 30))
        self.failures += 1
        return (rng or random).uniform(ceiling / 2, ceiling)

    def reset(self) -> None:
        self.failures = 0


BEAT_SPREAD = 0.1  # a heartbeat's interval drawn within a tenth either side of the setting


def beat_delay(every: float, first: bool, rng: random.Random | None = None) -> float:
    """How long the agent waits before its next heartbeat, `every` on average.

    Stores that came back together (a thousand after the cloud's outage) would otherwise
    beat in step for the rest of the evening, a thousand beats in the same moment every
    `every` seconds. So a session's first wait is drawn between half and all of `every`
    (the next beat is never later than a steady one would be), and each later one within a
    tenth either side of it (never long enough for a store to count as offline, nor for the
    kept connection to go idle: `contract.AGENT_KEEPS_IDLE_S`)."""
    low, high = (every / 2, every) if first else (every * (1 - BEAT_SPREAD), every * (1 + BEAT_SPREAD))
    return (rng or random).uniform(low, high)
