"""The agent killed with SIGKILL 35 times during a sync of over 4,000 events in both
directions: at random moments, and at the fail-points where a lost answer hurts most:

- the cloud committed a batch but has not answered (`push.after_commit`);
- the cloud fails halfway through a batch, inside its transaction (`push.mid_batch`);
- the agent has the cloud's answer but has not recorded it (`agent.after_answer`);
- the agent is halfway through applying a feed page, inside SQLite's transaction
  (`agent.mid_page`), or has read a batch and sent nothing (`agent.before_push`).

The store keeps taking orders and the cloud keeps feeding it between deaths. Afterwards
the store's ledger, the cloud's ledger and the feed agree exactly.
"""

from __future__ import annotations

import io
import os
import random
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from makeline.demo.simulate import simulate
from store_db.db import StoreDB
from store_db.models import OutboxEvent, SyncState
from sync import failpoints
from sync.enroll import enroll
from tests.sync.cloud_orders import (
    cancel_requests,
    online_orders,
    register_store_online_orders,
    settings_changes,
)
from tests.sync.helpers import (
    Cloud,
    agent_env,
    assert_ledgers_agree,
    converged,
    count,
    enrollment_code,
    eventually,
)
from tests.sync.zygote import Zygote, alive, kill

LIVES = 35  # five times round the plan: every fail-point four or five times
MAX_LIVES = 70  # a starved machine can miss a fail-point's moment: go round again, up to this
AGENT_SPOTS = ("agent.after_answer", "agent.mid_page", "agent.before_push")
CLOUD_SPOTS = {"push.after_commit": "hang:1.5", "push.mid_batch": "error"}
PLAN = ["random", *AGENT_SPOTS, *CLOUD_SPOTS, "random"]


def _cloud_mark(cloud: Cloud, store_id: str) -> int:
    return count(
        cloud.db, "SELECT coalesce(max(contiguous_seq), 0) FROM inbound_head WHERE store_id = :s", s=store_id
    )


def _store_mark(store: Path) -> int:
    with StoreDB(store) as db, db.read() as session:
        return session.scalars(select(SyncState.acked_seq)).one()


def _spot_missed(deaths: Counter[str]) -> bool:
    return min(deaths[spot] for spot in (*AGENT_SPOTS, *CLOUD_SPOTS)) < 3


def _life(zygote: Zygote, store: Path, log: Path, kind: str, rng: random.Random) -> str:
    """One agent process from start to SIGKILL; returns how it died."""
    env = agent_env(MAKELINE_SYNC_BATCH="60", MAKELINE_SYNC_PAGE="80")
    if kind in AGENT_SPOTS:
        env["MAKELINE_FAILPOINTS"] = f"{kind}=kill@{rng.randint(1, 2)}"
    fired_before = failpoints.hits(kind) if kind in CLOUD_SPOTS else 0
    if kind in CLOUD_SPOTS:
        os.environ[failpoints.ENV] = f"{kind}={CLOUD_SPOTS[kind]}"
    pid = zygote.spawn(store, log, env)
    try:
        if kind == "random":
            time.sleep(rng.uniform(0.1, 0.9))
            return "random"
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:
            if kind in AGENT_SPOTS and not alive(pid):
                return kind  # it killed itself at the spot
            if kind in CLOUD_SPOTS and failpoints.hits(kind) > fired_before:
                time.sleep(rng.uniform(0, 0.05))
                return kind
            time.sleep(0.005)
        return "random (spot not reached)"
    finally:
        os.environ.pop(failpoints.ENV, None)
        kill(pid)
        eventually(lambda: not alive(pid), timeout=5)


def test_sigkilled_agents_lose_nothing_and_double_nothing(
    cloud: Cloud, evening_store: Path, tmp_path: Path
) -> None:
    with StoreDB(evening_store) as db:
        store_id = enroll(db, cloud.url, enrollment_code(cloud.url)).store_id
    register_store_online_orders(cloud.db, store_id, evening_store)
    first = online_orders(cloud.db, store_id, 300, seed=1)
    cancel_requests(cloud.db, first[:60])
    settings_changes(cloud.db, store_id, 700)
    rng = random.Random(6)
    deaths: Counter[str] = Counter()
    lost_answers = 0
    zygote = Zygote()
    started = time.monotonic()
    try:
        life = 0
        while life < LIVES or (life < MAX_LIVES and _spot_missed(deaths)):
            kind = PLAN[life % len(PLAN)]
            died = _life(zygote, evening_store, tmp_path / "agent.log", kind, rng)
            deaths[died] += 1
            if died in ("push.after_commit", "agent.after_answer"):
                # The cloud holds what the store has not yet recorded as sent: the next agent must
                # neither lose nor resend-and-double it.
                lost_answers += _cloud_mark(cloud, store_id) > _store_mark(evening_store)
            # Between deaths the store keeps taking orders and the cloud keeps feeding it.
            with StoreDB(evening_store) as db:
                simulate(db, 2, io.StringIO(), through=rng.choice(["placed", "made", "ready"]), seed=life)
            more = online_orders(cloud.db, store_id, 8, seed=100 + life)
            settings_changes(cloud.db, store_id, 28)
            if life % 7 == 0:
                cancel_requests(cloud.db, more[:2])
            life += 1
        loop_s = time.monotonic() - started
        pid = zygote.spawn(evening_store, tmp_path / "agent.log", agent_env())
        try:
            eventually(
                lambda: converged(evening_store, cloud.db, store_id), timeout=90, every=0.5, what="converged"
            )
        finally:
            kill(pid)
    finally:
        zygote.close()

    here, there = assert_ledgers_agree(evening_store, cloud.db, store_id)
    moved = len(here.events) + there.feed_head
    kills = sum(deaths.values())
    print(
        f"{moved} events synced ({len(here.events)} up, {there.feed_head} down); deaths: {dict(deaths)}; "
        f"{loop_s:.0f} s of deaths, then {time.monotonic() - started - loop_s:.0f} s to converge"
    )
    assert moved >= 4000 and kills >= LIVES
    for spot in (*AGENT_SPOTS, *CLOUD_SPOTS):
        assert deaths[spot] >= 3, f"the agent died at {spot} ({dict(deaths)})"
    assert lost_answers >= 3, "answers were really lost after the cloud committed"
    with StoreDB(evening_store) as db, db.read() as session:
        answered = session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.kind == "order.cancel_answer")
        )
    requested = sum(1 for kind in there.feed_kinds.values() if kind == "order.cancel_request")
    assert answered == requested, "every cancel request answered exactly once"
