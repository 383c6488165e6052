"""The sync protocol as a state machine, with Hypothesis driving it through writes, batches
cut at every size, answers lost, agents crashing before they record an answer, pages applied
or lost with their transaction, old batches delivered again, the cloud restored from a backup,
and the link going up and down.

The agent's decisions are the real ones (`sync.protocol`); the two databases are modelled
as the rules they keep: the cloud stores each `(store, seq)` once and answers its contiguous
mark; the store applies feed entries past its cursor, in one transaction per page.

Invariants, after every step: nothing the store wrote is held differently by the cloud,
the store never counts as sent what the cloud does not hold, no feed entry is applied twice
or skipped. At the end, with the link up and no faults, both sides converge exactly.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from sync.protocol import reconcile, whole_transactions

LIMITS = st.integers(min_value=1, max_value=7)


class SyncProtocol(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        # The store's database: what survives a crash.
        self.outbox: list[tuple[int, str, str]] = []  # (seq, event id, txn)
        self.acked = 0
        self.cursor = 0
        self.applied: Counter[int] = Counter()
        # The cloud's database.
        self.held: dict[int, str] = {}
        self.feed = 0  # entries 1..feed
        self.floor = 0  # the store's mark when the cloud last lost events (restored from a backup)
        # The agent's memory: gone when it crashes or the link drops.
        self.pushed: int | None = None
        self.txns = 0
        # Every batch ever sent, any of which the network may deliver (again) at any time.
        self.sent: list[list[tuple[int, str, str]]] = []

    # The two sides at work.

    @rule(size=st.integers(min_value=1, max_value=5))
    def store_writes_a_transaction(self, size: int) -> None:
        self.txns += 1
        last = len(self.outbox)
        self.outbox += [(last + n, f"e{last + n}", f"t{self.txns}") for n in range(1, size + 1)]

    @rule(count=st.integers(min_value=1, max_value=6))
    def cloud_feeds_the_store(self, count: int) -> None:
        self.feed += count

    # The link.

    def contiguous(self) -> int:
        mark = 0
        while mark + 1 in self.held:
            mark += 1
        return mark

    @precondition(lambda self: self.contiguous() > 0)
    @rule(data=st.data())
    def cloud_is_restored_from_a_backup(self, data: st.DataObject) -> None:
        # A backup holds whole transactions: PostgreSQL commits each batch whole.
        ends = [seq for seq, _, txn in self.outbox[: self.contiguous() - 1] if self.outbox[seq][2] != txn]
        keep = data.draw(st.sampled_from([0, *ends]))
        self.held = {seq: event_id for seq, event_id in self.held.items() if seq <= keep}
        self.sent = [b for b in self.sent if b[-1][0] <= keep]  # nothing in flight survives it
        self.floor = self.acked

    @precondition(lambda self: self.pushed is None)
    @rule()
    def agent_connects(self) -> None:
        found = reconcile(self.acked, len(self.outbox), self.contiguous())
        assert not found.problem, found.problem
        if found.acked_to:
            self.acked = max(self.acked, found.acked_to)
        self.pushed = found.push_from

    @rule()
    def link_drops_or_agent_crashes(self) -> None:
        self.pushed = None

    def next_batch(self, limit: int) -> list[tuple[int, str, str]]:
        assert self.pushed is not None
        rows = self.outbox[self.pushed : self.pushed + limit + 1]
        take = whole_transactions([txn for _, _, txn in rows], limit)
        if take is None:
            return [r for r in self.outbox[self.pushed :] if r[2] == rows[0][2]]
        return rows[:take]

    @precondition(lambda self: self.pushed is not None and self.pushed < len(self.outbox))
    @rule(limit=LIMITS, fate=st.sampled_from(["answered", "request lost", "answer lost", "crash before ack"]))
    def agent_pushes(self, limit: int, fate: str) -> None:
        batch = self.next_batch(limit)
        assert batch and batch[0][0] == (self.pushed or 0) + 1
        following = self.outbox[batch[-1][0] : batch[-1][0] + 1]
        assert not following or following[0][2] != batch[-1][2], "a batch never splits a transaction"
        self.sent.append(batch)
        if fate == "request lost":
            self.pushed = None
            return
        for seq, event_id, _ in batch:  # the cloud stores each once, in the transaction it applies it
            assert self.held.setdefault(seq, event_id) == event_id
        high_water = self.contiguous()
        if fate == "answered" and high_water < batch[0][0]:
            self.pushed = None  # the cloud did not take it (it lost what came before): reconnect
        elif fate == "answered":
            self.acked = max(self.acked, high_water)
            self.pushed = high_water
        else:  # unknown to the agent: it learns the cloud's mark when it connects again
            self.pushed = None

    @precondition(lambda self: self.sent)
    @rule(data=st.data())
    def an_old_batch_arrives_again(self, data: st.DataObject) -> None:
        batch = data.draw(st.sampled_from(self.sent))
        before = dict(self.held)
        for seq, event_id, _ in batch:
            assert self.held.setdefault(seq, event_id) == event_id
        assert {k: v for k, v in self.held.items() if k in before} == before

    @precondition(lambda self: self.pushed is not None and self.cursor < self.feed)
    @rule(limit=LIMITS, committed=st.booleans())
    def agent_pulls_a_page(self, limit: int, committed: bool) -> None:
        page = range(self.cursor + 1, min(self.feed, self.cursor + limit) + 1)
        if not committed:  # killed inside the page's SQLite transaction: nothing of it stays
            self.pushed = None
            return
        for cursor in page:
            if cursor > self.cursor:
                self.applied[cursor] += 1
        self.cursor = page[-1]

    # What must always hold.

    @invariant()
    def the_cloud_holds_only_what_the_store_wrote(self) -> None:
        for seq, event_id in self.held.items():
            assert self.outbox[seq - 1][1] == event_id

    @invariant()
    def nothing_counts_as_sent_that_the_cloud_lacks(self) -> None:
        assert self.acked <= max(self.contiguous(), self.floor)

    @invariant()
    def each_feed_entry_applied_once_and_none_skipped(self) -> None:
        assert set(self.applied) == set(range(1, self.cursor + 1))
        assert all(n == 1 for n in self.applied.values())

    def teardown(self) -> None:
        """The link comes back for good: both sides converge exactly."""
        self.pushed = None
        self.agent_connects()
        while self.pushed is not None and self.pushed < len(self.outbox):
            self.agent_pushes(limit=7, fate="answered")
        while self.cursor < self.feed:
            self.agent_pulls_a_page(limit=7, committed=True)
        assert self.held == {seq: event_id for seq, event_id, _ in self.outbox}
        assert self.acked == len(self.outbox) == self.contiguous()
        assert all(batch[0][0] >= 1 for batch in self.sent)
        assert self.cursor == self.feed and sum(self.applied.values()) == self.feed


SyncProtocol.TestCase.settings = settings(max_examples=400, stateful_step_count=40, deadline=None)
test_the_protocol_loses_nothing_and_doubles_nothing = SyncProtocol.TestCase
