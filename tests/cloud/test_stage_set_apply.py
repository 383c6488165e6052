"""`order.stage` applied set-based (a chunk's moved orders written in one statement) gives
exactly what the per-event path gives: a seeded random mix of stage news (in order, out of
order, repeated, stale, impossible for the service, for unknown orders, unreadable) applied
once one event at a time through `progress.advance` and the ORM's flush, and once as one
chunk; the orders' rows, each event's outcome, the tracker announcements and the queued
texts must be the same. And every kind of order news with delivery runs among it (runs are
applied with the ORM, the rest on the chunk's plain rows) gives what the one-event-at-a-time
path on mapped orders gives."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from cloud_api.db.base import utcnow
from cloud_api.db.database import announcement
from cloud_api.models import Order
from cloud_api.store_events import order_events
from cloud_api.store_events.named_orders import NamedOrders
from cloud_api.store_events.schemas import Outcome
from cloud_api.store_events.service import apply_store_events
from makeline.trade.integrity import IntegrityFlag
from makeline.trade.lifecycle import Stage
from sync.contract import ContractError, parse_event
from sync.contract.events import ClosedStop, DispatchedStop, OrderStaged, RunClosed, RunDispatched

from .helpers import ctx, demo_store_id, event, store_order_payload

ORDERS = 14
STAGES = list(Stage)


def _news(rng: random.Random, orders: list[str], unknown: str, start: datetime) -> list[dict[str, Any]]:
    """Stage payloads for the orders (index into `orders`, or the unknown order)."""
    news: list[dict[str, Any]] = []
    for n in range(len(orders)):
        walk = ["made", "baked", "ready", rng.choice(["out_the_door", "picked_up"]), "delivered"]
        stages = walk[: rng.randint(0, len(walk))]
        stages += rng.choices([s.value for s in STAGES], k=rng.randint(0, 3))  # stale, repeated, impossible
        for i, stage in enumerate(stages):
            flags = rng.sample(list(IntegrityFlag), k=rng.choice([0, 0, 0, 1, 2]))
            at = start + timedelta(minutes=i * 3 + rng.randint(-4, 4))
            news.append({"order": n, "stage": stage, "at": at, "flags": flags})
    for _ in range(3):
        news.append({"order": None, "stage": "made", "at": start, "flags": []})
    news.append({"order": 0, "stage": "exploded", "at": start, "flags": []})  # unreadable
    rng.shuffle(news)
    # Mostly in order per order: keep a partly sorted mix.
    cut = len(news) // 2
    news[:cut] = sorted(news[:cut], key=lambda item: item["at"])
    return news


def _payloads(news: list[dict[str, Any]], orders: list[str], unknown: str) -> list[dict[str, Any]]:
    payloads = []
    for item in news:
        order_id = unknown if item["order"] is None else orders[item["order"]]
        if item["stage"] not in {s.value for s in STAGES}:
            payloads.append({"order_id": order_id, "number": 1042, "stage": item["stage"], "at": "x"})
            continue
        payloads.append(
            OrderStaged(
                order_id=order_id, number=1042, stage=Stage(item["stage"]), at=item["at"], flags=item["flags"]
            ).payload()
        )
    return payloads


def _place(app: FastAPI, store: str, services: list[str], start: datetime, first_seq: int) -> list[str]:
    payloads = [store_order_payload(service=s, placed_at=start) for s in services]
    with ctx(app).db.transaction() as session:
        apply_store_events(
            session,
            store,
            [event("order.placed", p, seq=first_seq + i, at=start) for i, p in enumerate(payloads)],
        )
    return [p["id"] for p in payloads]


def _one_at_a_time(
    session: Session, store: str, payloads: list[dict[str, Any]], at: datetime
) -> list[Outcome]:
    """The per-event path: each `order.stage` through `progress.advance`, flushed by the ORM."""
    outcomes = []
    for seq, payload in enumerate(payloads, start=1):
        try:
            body = parse_event("order.stage", payload)
        except ContractError:
            outcomes.append(Outcome.QUARANTINED)
            continue
        assert isinstance(body, OrderStaged)
        order_events.order_stage(session, store, body, at, NamedOrders(session, store), seq)
        session.flush()
        outcomes.append(Outcome.APPLIED)
    return outcomes


_SKIP = {"id", "store_order_id"}
_COLUMNS = [a.key for a in inspect(Order).column_attrs if a.key not in _SKIP]


def _rows(session: Session, ids: list[str]) -> list[dict[str, Any]]:
    by_id = {o.id: o for o in session.scalars(select(Order).where(Order.id.in_(ids)))}
    return [{c: getattr(by_id[i], c) for c in _COLUMNS} for i in ids]


def _texts(session: Session, ids: list[str]) -> list[tuple[int, str, str]]:
    found = session.execute(
        text("SELECT order_id, stage, status FROM notification WHERE order_id = ANY(:ids)"), {"ids": ids}
    ).all()
    return sorted((ids.index(order_id), stage, status) for order_id, stage, status in found)


def _tracker(session: Session, ids: list[str]) -> list[dict[str, Any]]:
    return [{**u, "order_id": ids.index(u["order_id"])} for u in announcement(session).tracker]


@pytest.mark.parametrize("seed", [7, 1729])
def test_a_random_mix_of_stage_news_applies_the_same_one_by_one_and_as_a_set(app: FastAPI, seed: int) -> None:
    rng = random.Random(seed)
    store, start = demo_store_id(app), utcnow().replace(microsecond=0) - timedelta(hours=1)
    services = [rng.choice(["delivery", "carryout"]) for _ in range(ORDERS)]
    one = _place(app, store, services, start, 1)
    both = _place(app, store, services, start, ORDERS + 1)
    news = _news(rng, one, "", start)
    at = start + timedelta(hours=1)

    with ctx(app).db.transaction() as session:
        expected = _one_at_a_time(session, store, _payloads(news, one, str(uuid.uuid4())), at)
        expected_tracker = _tracker(session, one)
    first = 2 * ORDERS + 1
    events = [
        event("order.stage", p, seq=first + i, at=at)
        for i, p in enumerate(_payloads(news, both, str(uuid.uuid4())))
    ]
    with ctx(app).db.transaction() as session:
        outcomes, _ = apply_store_events(session, store, events)
        tracker = _tracker(session, both)

    assert outcomes == expected
    assert tracker == expected_tracker and tracker
    with ctx(app).db.transaction() as session:
        got, want = _rows(session, both), _rows(session, one)
        for n, (g, w) in enumerate(zip(got, want, strict=True)):
            assert g == w, (n, {k: (g[k], w[k]) for k in g if g[k] != w[k]})
        assert _texts(session, both) == _texts(session, one)
        moved = session.execute(
            text("SELECT count(*) FROM orders WHERE id = ANY(:ids) AND stage <> 'placed'"), {"ids": both}
        ).scalar_one()
        assert moved > 0


# A chunk that cannot be applied as a set (its last order does not fit the columns) is applied
# one event at a time, each in its own savepoint, on mapped orders: the reference.
_POISON = {"customer_name": "N" * 81}
_CHECKS = ["waiting", "passed", "sent_back"]


def _mixed_news(rng: random.Random, services: list[str], start: datetime) -> list[tuple[Any, ...]]:
    """Every kind of order news, runs among them, for order indexes (rendered by `_render`)."""
    news: list[tuple[Any, ...]] = []
    for n, service in enumerate(services):
        at = start + timedelta(minutes=rng.randint(0, 5))
        for stage in ["made", "baked", "ready"][: rng.randint(0, 3)]:
            at += timedelta(minutes=rng.randint(1, 4))
            news.append(("stage", n, stage, at, rng.sample(list(IntegrityFlag), k=rng.choice([0, 0, 1]))))
            if stage == "baked" and rng.random() < 0.5:
                news.append(("checked", n, rng.choice(_CHECKS), at + timedelta(seconds=30)))
        if rng.random() < 0.3:
            news.append(("flagged", n, rng.choice(list(IntegrityFlag)), at))
        if rng.random() < 0.2:
            news.append(("fired", n, at))
        if rng.random() < 0.15:
            news.append(("voided", n, "dropped it", at + timedelta(minutes=rng.randint(-3, 3))))
        if service == "carryout" and rng.random() < 0.5:
            news.append(("stage", n, "picked_up", at + timedelta(minutes=2), []))
    deliveries = [n for n, s in enumerate(services) if s == "delivery"]
    rng.shuffle(deliveries)
    for run, stops in enumerate([deliveries[i : i + 2] for i in range(0, len(deliveries), 2)]):
        out = start + timedelta(minutes=rng.randint(8, 20))
        news.append(("dispatched", run, stops, out))
        if rng.random() < 0.7:
            outcomes = [(n, rng.choice(["delivered", "delivered", "not_delivered"])) for n in stops]
            news.append(("closed", run, outcomes, out + timedelta(minutes=rng.randint(5, 15))))
        news.append(("stage", stops[0], "delivered", out + timedelta(minutes=rng.randint(-2, 12)), []))
    rng.shuffle(news)
    cut = len(news) * 2 // 3  # mostly in order: a run's close after its dispatch, as a store sends them
    news[:cut] = sorted(news[:cut], key=lambda item: next(v for v in item if isinstance(v, datetime)))
    return sorted(news, key=lambda item: item[0] == "closed")


def _render(item: tuple[Any, ...], ids: list[str], runs: list[str]) -> tuple[str, dict[str, Any]]:
    kind = item[0]
    if kind == "stage":
        _, n, stage, at, flags = item
        return "order.stage", OrderStaged(
            order_id=ids[n], number=1042, stage=Stage(stage), at=at, flags=flags
        ).payload()
    if kind == "checked":
        return "order.checked", {"order_id": ids[item[1]], "number": 1042, "result": item[2], "at": item[3]}
    if kind == "flagged":
        return "order.flagged", {"order_id": ids[item[1]], "number": 1042, "flag": item[2], "at": item[3]}
    if kind == "fired":
        return "order.fired", {"order_id": ids[item[1]], "number": 1042, "at": item[2]}
    if kind == "voided":
        payload = {"order_id": ids[item[1]], "number": 1042, "reason": item[2], "approved_by": "Sam"}
        return "order.voided", payload | {"after_made": False, "at": item[3]}
    if kind == "dispatched":
        _, run, stops, at = item
        return "run.dispatched", RunDispatched(
            run_id=runs[run],
            driver_id="driver-1",
            driver="Dana",
            at=at,
            stops=[
                DispatchedStop(order_id=ids[n], number=1042, eta_at=at + timedelta(minutes=9)) for n in stops
            ],
        ).payload()
    _, run, outcomes, at = item
    return "run.closed", RunClosed(
        run_id=runs[run],
        driver_id="driver-1",
        returned_at=at,
        dispatched_at=at - timedelta(minutes=10),
        stops=[ClosedStop(order_id=ids[n], outcome=outcome) for n, outcome in outcomes],
    ).payload()


def _jsonable(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in payload.items()}


@pytest.mark.parametrize("seed", [11, 2024])
def test_every_kind_of_order_news_and_runs_apply_the_same_as_a_set_and_one_by_one(
    app: FastAPI, seed: int
) -> None:
    rng = random.Random(seed)
    store, start = demo_store_id(app), utcnow().replace(microsecond=0) - timedelta(hours=1)
    services = [rng.choice(["delivery", "carryout"]) for _ in range(ORDERS)]
    as_set = _place(app, store, services, start, 1)
    one_by_one = _place(app, store, services, start, ORDERS + 1)
    news = _mixed_news(rng, services, start)
    runs = {name: [str(uuid.uuid4()) for _ in range(ORDERS)] for name in ("set", "each")}
    at, first = start + timedelta(hours=1), 2 * ORDERS + 1

    def chunk(ids: list[str], run_ids: list[str], seq: int) -> list[Any]:
        rendered = [_render(item, ids, run_ids) for item in news]
        return [event(kind, _jsonable(p), seq=seq + i, at=at) for i, (kind, p) in enumerate(rendered)]

    with ctx(app).db.transaction() as session:
        outcomes, _ = apply_store_events(session, store, chunk(as_set, runs["set"], first))
        tracker = _tracker(session, as_set)
    each = chunk(one_by_one, runs["each"], first + len(news))
    poison = event(
        "order.placed", store_order_payload(placed_at=start) | _POISON, seq=each[-1].seq + 1, at=at
    )
    with ctx(app).db.transaction() as session:
        reference, _ = apply_store_events(session, store, [*each, poison])
        reference_tracker = _tracker(session, one_by_one)

    assert reference[-1] is Outcome.QUARANTINED, "the reference went one event at a time"
    assert outcomes == reference[:-1]
    assert tracker == reference_tracker and tracker
    with ctx(app).db.transaction() as session:
        got, want = _rows(session, as_set), _rows(session, one_by_one)
        for n, (g, w) in enumerate(zip(got, want, strict=True)):
            g["run_id"] = runs["set"].index(g["run_id"]) if g["run_id"] else None
            w["run_id"] = runs["each"].index(w["run_id"]) if w["run_id"] else None
            assert g == w, (n, {k: (g[k], w[k]) for k in g if g[k] != w[k]})
        assert _texts(session, as_set) == _texts(session, one_by_one)
        kinds = {kind for kind, _ in (_render(item, as_set, runs["set"]) for item in news)}
        assert {"run.dispatched", "order.voided", "order.checked"} <= kinds
