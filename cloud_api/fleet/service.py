"""The fleet as the caller may see it: head office every store, a store manager their own."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from cloud_api.auth.principal import Principal, Role
from cloud_api.fleet import repository
from cloud_api.fleet.health import Health, Report, Signals, assess, worst_first
from cloud_api.fleet.schemas import FleetStore, PrinterState
from cloud_api.models import StoreHeartbeat
from sync.contract import PrinterHealth


def _report(row: StoreHeartbeat | None) -> Report | None:
    if row is None:
        return None
    return Report(
        received_at=row.received_at,
        outbox_backlog=row.outbox_backlog,
        feed_cursor=row.feed_cursor,
        quarantined=row.quarantined,
        printers=[PrinterHealth.model_validate(p) for p in row.printers],
        menu_version=row.menu_version,
        agent_version=row.agent_version,
        unseen_orders=row.unseen_orders,
    )


def _public(h: Health) -> FleetStore:
    s, r = h.signals, h.signals.report
    return FleetStore(
        store_id=s.store_id,
        code=s.code,
        name=s.name,
        timezone=s.timezone,
        online=h.online,
        last_heartbeat_at=s.last_seen_at,
        silent_seconds=h.silent_s,
        outbox_backlog=r.outbox_backlog if r else None,
        feed_backlog=h.feed_backlog,
        held_in_cloud=s.held_here,
        held_at_store=r.quarantined if r else None,
        printers=[PrinterState(**p.model_dump()) for p in r.printers] if r else None,
        unseen_order_alarms=r.unseen_orders if r else None,
        menu_version=s.menu_version,
        menu_applied=r.menu_version if r else None,
        online_ordering=h.ordering_open,
        online_ordering_why=h.ordering_why,
        problems=[p.text for p in h.problems],
        weight=h.weight,
    )


def fleet(session: Session, caller: Principal, now: datetime, window_s: int) -> list[FleetStore]:
    """Every store the caller may see, worst first."""
    caller.require(Role.HEAD_OFFICE, Role.STORE_MANAGER)
    only = None if caller.role is Role.HEAD_OFFICE else caller.store_id or "-"
    stores = repository.stores(session, only)
    ids = [s.id for s in stores]
    beats = repository.heartbeats(session, ids)
    heads = repository.feed_heads(session, ids)
    held = repository.held_counts(session, ids)
    agents = repository.agents(session, ids)
    found = []
    for store in stores:
        agent = agents.get(store.id)
        signals = Signals(
            store_id=store.id,
            code=store.code,
            name=store.name,
            timezone=store.timezone,
            last_seen_at=store.last_seen_at,
            menu_version=store.menu_version,
            feed_head=heads.get(store.id, 0),
            held_here=held.get(store.id, 0),
            report=_report(beats.get(store.id)),
            second_computer_at=agent.refused_at if agent else None,
        )
        found.append(assess(signals, now, window_s))
    return [_public(h) for h in worst_first(found)]
