"""The agent's pure decisions, the wire contract's edges, fail-point and settings parsing,
and how the cloud puts its feed records in the contract's shapes."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from sync import contract, failpoints
from sync.agent.settings import AgentSettings
from sync.protocol import BEAT_SPREAD, Backoff, beat_delay, reconcile, whole_transactions


def test_a_batch_ends_at_a_transaction_boundary() -> None:
    assert whole_transactions(["a", "a", "b"], 5) == 3  # all there is: every transaction complete
    assert whole_transactions(["a", "a", "b", "b"], 3) == 2  # b continues past the limit
    assert whole_transactions(["a", "b", "c", "d"], 3) == 3
    assert whole_transactions(["a", "a", "a", "a"], 3) is None  # one transaction longer than a batch


def test_reconnecting_trusts_the_clouds_mark() -> None:
    assert reconcile(acked_seq=10, last_seq=20, cloud_high_water=10) == reconcile(10, 20, 10)
    lost_answer = reconcile(acked_seq=10, last_seq=20, cloud_high_water=15)
    assert (lost_answer.push_from, lost_answer.acked_to) == (15, 15)
    restored_cloud = reconcile(acked_seq=10, last_seq=20, cloud_high_water=4)
    assert (restored_cloud.push_from, restored_cloud.acked_to) == (4, 0)  # send 5.. again
    older_store = reconcile(acked_seq=10, last_seq=12, cloud_high_water=30)
    assert older_store.problem and "older than the one that was enrolled" in older_store.problem


def test_backoff_grows_to_its_cap_with_jitter_and_resets() -> None:
    backoff, rng = Backoff(base=0.5, cap=8.0), random.Random(1)
    delays = [backoff.next_delay(rng) for _ in range(10)]
    assert 0.25 <= delays[0] <= 0.5 and all(4.0 <= d <= 8.0 for d in delays[5:])
    assert len(set(delays)) == len(delays), "jittered"
    backoff.reset()
    assert backoff.next_delay(rng) <= 0.5


def test_failpoints_read_their_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    assert failpoints.parse("a=kill@3, b=hang:1.5,c=error") == {
        "a": failpoints.Action("kill", 0.0, 3),
        "b": failpoints.Action("hang", 1.5, None),
        "c": failpoints.Action("error", 0.0, None),
    }
    with pytest.raises(ValueError, match="cannot read"):
        failpoints.parse("a=explode")
    monkeypatch.setenv(failpoints.ENV, "test.spot=error@2")
    failpoints.hit("test.spot")
    with pytest.raises(failpoints.FailPointError):
        failpoints.hit("test.spot")
    failpoints.hit("test.spot")  # only the second time
    failpoints.hit("another.spot")
    assert failpoints.hits("test.spot") == 1


def test_settings_come_from_the_environment() -> None:
    found = AgentSettings.from_env({"MAKELINE_SYNC_BATCH": "50", "MAKELINE_SYNC_HEARTBEAT_S": "1.5"})
    assert (found.batch, found.heartbeat_s, found.poll_s) == (50, 1.5, 30.0)


def test_a_stores_beats_go_on_the_connection_it_has() -> None:
    """The agent keeps an idle connection past its beats' interval and lets go of it before
    the cloud would close it: no beat opens a connection, none is sent on one being closed
    (the cloud's side: `tests/cloud/test_start_stop.py`)."""
    longest = AgentSettings().heartbeat_s * (1 + BEAT_SPREAD)  # a beat's longest wait (`beat_delay`)
    assert longest < contract.AGENT_KEEPS_IDLE_S < contract.CLOUD_KEEPS_IDLE_S


def test_stores_back_together_do_not_beat_in_step() -> None:
    """A thousand stores whose sessions opened in the same moment (the cloud back from an
    outage): their next beats spread over half the interval, none later than a steady beat,
    and every beat after keeps within a tenth of the interval, on average the interval."""
    rng, every = random.Random(7), 15.0
    firsts = [beat_delay(every, True, rng) for _ in range(1000)]
    assert every / 2 <= min(firsts) and max(firsts) <= every
    busiest = max(sum(1 for d in firsts if s <= d < s + 1) for s in range(8, 15))
    assert busiest < 200  # at most a fifth of them in any one second, not all thousand
    later = [beat_delay(every, False, rng) for _ in range(10_000)]
    assert every * 0.9 <= min(later) and max(later) <= every * 1.1
    assert abs(sum(later) / len(later) - every) < 0.1


def test_naive_times_on_the_wire_are_utc() -> None:
    event = contract.OutboxEvent(
        seq=1, event_id="e", txn="t", kind="k", subject="s", payload={}, created_at=datetime(2025, 1, 2, 3, 4)
    )
    assert event.created_at == datetime(2025, 1, 2, 3, 4, tzinfo=UTC)
