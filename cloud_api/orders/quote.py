"""The promise an online customer gets: the store's own quote, from the kitchen's load its
heartbeat brought (`sync.contract.LiveLoad`), with the same model the counter uses
(`makeline.trade.quote`), so the customer hears what the counter would say.

Online ordering's throttle rides along: while the kitchen is busy an online delivery
promise is padded; while delivery is paused a delivery order is refused, naming
carryout. A load older than `FRESH` (an agent that stopped beating, or one too old to
send it) is not trusted: the cloud falls back on its own estimate, the promises the store
gave its latest online orders.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import ValidationError
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from cloud_api.errors import Conflict
from cloud_api.models import Order, Store
from makeline.trade.geo import distance_km
from makeline.trade.lifecycle import Service
from makeline.trade.quote import Estimate, estimate, promise_time
from makeline.trade.throttle import Level, pad_s
from sync.contract import LiveLoad

FRESH = timedelta(seconds=60)  # four heartbeats
# Until a store has quoted a few online orders, these are its promises.
DEFAULT_MINUTES = {Service.DELIVERY: 35, Service.CARRYOUT: 15}
RECENT_PROMISES = 10


class DeliveryPaused(Conflict):
    """The store paused online delivery (kitchen overloaded, or its manager said so)."""


@dataclass(frozen=True)
class OnlineQuote:
    promise_at: datetime
    minutes: int
    throttle: Level
    reason: str = ""
    estimate: Estimate | None = None  # None: the cloud's own estimate (no fresh load)

    @property
    def from_store(self) -> bool:
        return self.estimate is not None


_PARSED_MAX = 10_000
_parsed: dict[str, tuple[datetime, dict[str, object], LiveLoad]] = {}


def live_load(store: Store, now: datetime) -> LiveLoad | None:
    """The store's load from its latest heartbeat, while fresh and readable (parsed once per
    heartbeat in each worker)."""
    raw, at = store.live_load, store.live_load_at
    if raw is None or at is None or now - at > FRESH:
        return None
    known = _parsed.get(store.id)
    if known is not None and known[0] == at and known[1] == raw:
        return known[2]
    try:
        found = LiveLoad.model_validate(raw)
    except ValidationError:
        return None
    if len(_parsed) >= _PARSED_MAX:
        _parsed.clear()
    _parsed[store.id] = (at, raw, found)
    return found


def quote(
    session: Session,
    store: Store,
    service: Service,
    pizzas: int,
    now: datetime,
    lat: float | None = None,
    lon: float | None = None,
) -> OnlineQuote:
    """The promise for an online order of `pizzas` pizzas placed `now` (a delivery to `lat`,
    `lon`; without a position, half-way to the edge of the area)."""
    return promise(store, service, pizzas, now, lat, lon, lambda: recent_minutes(session, store, service))


def promise(
    store: Store,
    service: Service,
    pizzas: int,
    now: datetime,
    lat: float | None,
    lon: float | None,
    own_estimate: Callable[[], int],
) -> OnlineQuote:
    """`quote` with the cloud's own estimate (in minutes) asked of `own_estimate` only when
    the store's load is not fresh."""
    live = live_load(store, now)
    if live is None:
        minutes = own_estimate()
        return OnlineQuote(now + timedelta(minutes=minutes), minutes, Level.OPEN)
    load = live.load()
    delivery = service is Service.DELIVERY
    km = (
        distance_km(store.lat, store.lon, lat, lon)
        if lat is not None and lon is not None
        else store.delivery_radius_km / 2
    )
    found = estimate(load, pizzas, delivery, load.drive_s(km) if delivery else 0)
    seconds = found.promise_s + (pad_s(live.throttle) if delivery else 0)
    promise_at = promise_time(now, seconds)
    minutes = round((promise_at - now).total_seconds() / 60)
    return OnlineQuote(promise_at, minutes, live.throttle, live.throttle_reason, found)


def refuse_paused_delivery(store: Store, found: OnlineQuote, service: Service, carryout_minutes: int) -> None:
    """`DeliveryPaused` (409) for a delivery while the store has paused online delivery."""
    if service is Service.DELIVERY and found.throttle is Level.PAUSED:
        raise DeliveryPaused(
            f"{store.name} has paused online delivery for now: the kitchen is full. Carryout is "
            f"open, ready in about {carryout_minutes} min; choose carryout or try delivery again "
            "a little later.",
            "service",
        )


# The newest promises the store gave online orders of one kind (built once: every order
# placed while the store's load is not fresh reads it).
RECENT = (
    select(Order.placed_at, Order.promise_at)
    .where(
        Order.store_id == bindparam("b_store"),
        Order.service == bindparam("b_service"),
        Order.promise_at.is_not(None),
        Order.scheduled_for.is_(None),  # an order for later promises its own time
    )
    .order_by(Order.placed_at.desc())
    .limit(RECENT_PROMISES)
)


def recent_minutes(session: Session, store: Store, service: Service) -> int:
    """The cloud's own estimate: the newest promises the store gave online orders of this
    kind, else a sensible default."""
    rows = session.execute(RECENT, {"b_store": store.id, "b_service": service.value}).all()
    return median_minutes([(p - placed).total_seconds() / 60 for placed, p in rows if p is not None], service)


def median_minutes(promised: Sequence[float], service: Service) -> int:
    """The middle of the recent promises (minutes from placed to promised, `RECENT`'s rows),
    the sensible ones; the default without any."""
    spans = [s for s in promised if 5 <= s <= 180]
    if not spans:
        return DEFAULT_MINUTES[service]
    spans.sort()
    return round(spans[len(spans) // 2])
