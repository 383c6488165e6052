"""The trackers' plan news of many beats read in rounds (`sync.tracker_news`): one statement
for every store whose news waits, one round at a time, a store's news told twice told once
with its newer plan, and a failed read costing only that round's news."""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from cloud_api.errors import CloudError
from cloud_api.orders.state import TrackedOrder
from cloud_api.sync.tracker_news import TrackerNews
from sync.contract import PlannedDoor

AT = datetime(2026, 12, 7, 19, 0, tzinfo=UTC)


def door(order_id: str, leave_min: int) -> PlannedDoor:
    leave = AT + timedelta(minutes=leave_min)
    return PlannedDoor(order_id=order_id, leave_at=leave, eta_at=leave + timedelta(minutes=9))


def tracked(order_id: str) -> TrackedOrder:
    return TrackedOrder(order_id, order_id, 1, "placed", "prep", None, AT, None, None, None, AT)


class Reads:
    """A read of the tracked orders (every id asked is a tracked order of its store, but
    `missing`), held until the test lets it go."""

    def __init__(self, missing: Collection[str] = ()) -> None:
        self.asked: list[dict[str, set[str]]] = []
        self.inside = self.most_inside = 0
        self.release = asyncio.Event()
        self.fail = False
        self.missing = set(missing)

    async def __call__(self, ids_by_store: Mapping[str, Collection[str]]) -> dict[str, list[TrackedOrder]]:
        self.asked.append({store: set(ids) for store, ids in ids_by_store.items()})
        self.inside += 1
        self.most_inside = max(self.most_inside, self.inside)
        await self.release.wait()
        self.inside -= 1
        if self.fail:
            self.fail = False
            raise CloudError("the database is not answering")
        return {
            store: [tracked(one) for one in sorted(ids) if one not in self.missing]
            for store, ids in ids_by_store.items()
        }


async def settle() -> None:
    for _ in range(50):
        await asyncio.sleep(0)


def test_a_storms_news_is_one_statement_a_round_and_a_store_told_twice_is_told_once() -> None:
    async def storm() -> tuple[Reads, list[list[dict[str, Any]]], TrackerNews]:
        reads, heard = Reads(missing={"gone"}), []
        news = TrackerNews(reads, heard.append, most=100, gather_s=0)
        news.tell("store-0", {"a0"}, [door("a0", 5)])
        await settle()  # the first round is reading store-0's news ...
        for n in range(1, 151):  # ... while 150 stores' first beats bring theirs
            news.tell(f"store-{n}", {f"a{n}"}, [door(f"a{n}", n)])
        news.tell("store-7", {"b7", "gone"}, [door("a7", 30), door("b7", 31)])  # a second beat
        await settle()
        assert reads.most_inside == 1  # one round at a time
        reads.release.set()
        await settle()
        return reads, heard, news

    reads, heard, news = asyncio.run(asyncio.wait_for(storm(), 10))
    assert [len(asked) for asked in reads.asked] == [1, 100, 50]
    assert (news.rounds, news.told) == (3, 151)
    assert reads.asked[1]["store-7"] == {"a7", "b7", "gone"}
    updates = {update["order_id"]: update for told in heard for update in told}
    assert len(updates) == 152  # a0..a150 and b7; the order no longer tracked is not told
    # Each store's orders with its own plan's times; store-7's with its newer plan's.
    assert updates["a3"]["leave_at"] == door("a3", 3).leave_at.isoformat()
    assert updates["a7"]["leave_at"] == door("a7", 30).leave_at.isoformat()
    assert updates["b7"]["eta_at"] == door("b7", 31).eta_at.isoformat()


def test_an_order_off_the_new_plan_is_told_without_times() -> None:
    async def told() -> list[list[dict[str, Any]]]:
        reads, heard = Reads(), []
        reads.release.set()
        news = TrackerNews(reads, heard.append, gather_s=0)
        news.tell("store-1", {"a1"}, [])
        await settle()
        return heard

    (update,) = asyncio.run(told())[0]
    assert (update["order_id"], update["leave_at"], update["eta_at"]) == ("a1", None, None)


def test_a_read_that_fails_loses_its_rounds_news_only() -> None:
    async def rounds() -> tuple[list[list[dict[str, Any]]], TrackerNews]:
        reads, heard = Reads(), []
        reads.fail = True
        news = TrackerNews(reads, heard.append, gather_s=0)
        news.tell("store-1", {"a1"}, [door("a1", 1)])
        await settle()
        news.tell("store-2", {"a2"}, [door("a2", 2)])
        reads.release.set()
        await settle()
        news.tell("store-3", {"a3"}, [door("a3", 3)])  # a round started afresh
        await settle()
        return heard, news

    heard, news = asyncio.run(asyncio.wait_for(rounds(), 10))
    assert [[update["order_id"] for update in told] for told in heard] == [["a2"], ["a3"]]
    assert news.rounds == 3


def test_a_round_gathers_until_its_worth_of_stores_news_waits() -> None:
    """A round waits a moment for more news (up to `gather_s`), and goes at once when `most`
    stores' news waits."""

    async def gathered() -> list[dict[str, set[str]]]:
        reads, heard = Reads(), []
        reads.release.set()
        news = TrackerNews(reads, heard.append, most=3, gather_s=600)
        news.tell("store-1", {"a1"}, [door("a1", 1)])
        await settle()
        news.tell("store-2", {"a2"}, [door("a2", 2)])
        await settle()
        assert reads.asked == []  # two stores' news: gathering
        news.tell("store-3", {"a3"}, [door("a3", 3)])
        await settle()
        return reads.asked

    asked = asyncio.run(asyncio.wait_for(gathered(), 10))
    assert [sorted(one) for one in asked] == [["store-1", "store-2", "store-3"]]
