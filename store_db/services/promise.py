"""Promise times from the live load: the snapshot `makeline.trade.quote` reads, taken here.

`live_load` reads, in one read: pizzas waiting on the make line (each waiting order
counted up to a batch, so one approved 99-pizza catering order does not stand in front
of every later one), pizzas on the belt, every delivery order not yet out the door with
when it will be ready and how far it goes, and every driver on the clock with when each
is free (in the store now, or the expected return of the run the driver is on).

`quote` is what `place_order` promises and the counter shows; `estimate` the parts
(make, oven, wait for a driver, drive) a scheduled order's fire time is worked back from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from operator import attrgetter

from sqlalchemy import select
from sqlalchemy.orm import Session

from makeline.trade.geo import distance_km
from makeline.trade.lifecycle import Service, Stage
from makeline.trade.menu import Station
from makeline.trade.quote import (
    CUT_AND_RACK_S,
    ORDER_LOAD_CAP,
    OVERDUE_RETURN_S,
    Estimate,
    Load,
    Waiting,
    promise_time,
)
from makeline.trade.quote import estimate as estimate_load
from store_db.kept import Kept, KitchenOrder, kept
from store_db.models import Order, Store
from store_db.services import rows
from store_db.services.store_settings import AnyStore

IN_KITCHEN = (Stage.PLACED.value, Stage.MADE.value, Stage.BAKED.value, Stage.READY.value)
BOX_S = 60  # after the belt, an order is boxed and on the rack in about a minute


@dataclass(frozen=True)
class Quote:
    estimate: Estimate
    promise_at: datetime
    load: Load


# Pre-written: the in-kitchen orders by the stage index, each with its pizzas summed from its
# own lines (never a pass over every line the store ever sold); orders for later wait apart
# until they fire. The same for the few orders a write changed since they were kept.
_COLUMNS = f"""o.id, o.placed_at, o.number, o.service, o.stage, o.made_at, o.baked_at, o.lat, o.lon,
       (SELECT coalesce(sum(l.quantity), 0) FROM order_line l
         WHERE l.order_id = o.id AND l.station = '{Station.MAKELINE.value}')"""
_IN_KITCHEN = f"""o.stage IN ({", ".join(f"'{stage}'" for stage in IN_KITCHEN)})
  AND (o.scheduled_for IS NULL OR o.fired_at IS NOT NULL)"""
_IN_KITCHEN_SQL = f"SELECT {_COLUMNS} FROM orders o WHERE {_IN_KITCHEN}"
_THESE_IN_KITCHEN_SQL = f"{_IN_KITCHEN_SQL} AND o.id IN ({{}})"  # a mark per order written since
# A driver's runs found by the (driver, status) index: only the one out now, never every run
# of the shift.
_DRIVERS_SQL = """
SELECT r.expected_return_at FROM shift s
JOIN staff ON staff.id = s.staff_id
LEFT JOIN delivery_run r ON r.driver_id = s.staff_id AND r.status = 'out' AND r.shift_id = s.id
WHERE staff.role = 'driver' AND s.clock_out_at IS NULL
"""
_stamp = rows.read(Order.made_at)
_PLACED, _MADE, _BAKED = Stage.PLACED.value, Stage.MADE.value, Stage.BAKED.value
_DELIVERY = Service.DELIVERY.value
_placed = attrgetter("placed")
_ready_in = attrgetter("ready_in_s")
# An order like the last one on a load like the last one's: the same estimate, worked out once.
_estimate = lru_cache(maxsize=1024)(estimate_load)


def _kitchen_orders(session: Session, sql: str, params: tuple[str, ...] = ()) -> dict[str, KitchenOrder]:
    return {
        order_id: KitchenOrder(
            (placed, number), service, stage, _stamp(made), _stamp(baked), lat, lon, pizzas
        )
        for order_id, placed, number, service, stage, made, baked, lat, lon, pizzas in rows.fetch_all(
            session, sql, params
        )
    }


def _drivers(session: Session) -> tuple[datetime | None, ...]:
    return tuple(_stamp(back) for (back,) in rows.fetch_all(session, _DRIVERS_SQL))


def _kept_kitchen(session: Session, kept: Kept) -> tuple[list[KitchenOrder], tuple[datetime | None, ...]]:
    """The kept orders and drivers, those written since read again."""
    if kept.orders is None:
        kept.orders, kept.stale = _kitchen_orders(session, _IN_KITCHEN_SQL), set()
    elif kept.stale:
        for order_id in kept.stale:
            kept.orders.pop(order_id, None)
        these = _THESE_IN_KITCHEN_SQL.format(rows.marks(len(kept.stale)))
        kept.orders.update(_kitchen_orders(session, these, tuple(kept.stale)))
        kept.stale = set()
    if kept.drivers is None:
        kept.drivers = _drivers(session)
    return sorted(kept.orders.values(), key=_placed), kept.drivers


def kept_as_placed(session: Session, order_id: str, order: KitchenOrder) -> None:
    """The caller has just written `order_id` whole, into the kitchen as `order`: kept as
    written instead of read back by the next load (its own writes noted nothing else)."""
    found = kept(session)
    if found is None or found.orders is None or order_id not in found.stale:
        return
    found.stale.discard(order_id)
    found.orders[order_id] = order
    found.load = None


def live_load(session: Session, at: datetime, store: AnyStore | None = None) -> Load:
    """The store's load at `at`: what `makeline.trade.quote.estimate` reads. In a write
    transaction of a `StoreDB`, from what its connection keeps (`store_db.kept`)."""
    store = store or session.scalars(select(Store)).one()
    found = kept(session)
    if found is None:
        in_kitchen = sorted(_kitchen_orders(session, _IN_KITCHEN_SQL).values(), key=_placed)
        return _worked_out(store, at, in_kitchen, _drivers(session))[0]
    if found.load is not None and store is found.settings:
        return found.load
    load, ages = _worked_out(store, at, *_kept_kitchen(session, found))
    if not ages and store is found.settings:
        found.load = load  # the same at any moment, until a write changes what it is made of
    return load


def _worked_out(
    store: AnyStore, at: datetime, in_kitchen: list[KitchenOrder], drivers: tuple[datetime | None, ...]
) -> tuple[Load, bool]:
    """The load at `at` from the orders in the kitchen (in the kitchen's order) and each
    driver's return; and whether it ages (a belt, a box or a driver counted down from `at`)."""
    make_ahead = in_oven = 0
    deliveries: list[Waiting] = []
    make_s, oven_s = store.make_target_s, store.oven_s
    placed_s = oven_s + CUT_AND_RACK_S
    ages = any(back is not None for back in drivers)
    drives = _drives(store)
    # Each order unpacked once (a named field's look-up is a call each), each waiting door's
    # drive from this store's table, each `Waiting` made as the tuple it is.
    for _placed_key, service, stage, made_at, baked_at, lat, lon, pizzas in in_kitchen:
        if stage == _PLACED:
            make_ahead += pizzas if pizzas < ORDER_LOAD_CAP else ORDER_LOAD_CAP  # `capped`
            if service != _DELIVERY:
                continue
            ready_in = make_ahead * make_s + placed_s
        elif stage == _MADE:
            in_oven += pizzas
            ready_in, ages = _until(at, made_at, oven_s + BOX_S), True
        elif stage == _BAKED:
            ready_in, ages = _until(at, baked_at, BOX_S), True
        else:
            ready_in = 0
        if service == _DELIVERY:
            drive = drives.get((lat, lon))
            if drive is None:
                drive = drives[lat, lon] = _drive_s(store, lat, lon)
            deliveries.append(_waiting(Waiting, (ready_in, drive)))
    deliveries.sort(key=_ready_in)
    load = Load(
        make_ahead=make_ahead,
        in_oven=in_oven,
        deliveries=tuple(deliveries),
        drivers=tuple(_free_in(at, back) for back in drivers),
        make_target_s=make_s,
        oven_s=oven_s,
        belt_pizzas=store.oven_belt_pizzas,
        bag=store.hot_bag_capacity,
        speed_kmh=store.avg_speed_kmh,
        road_factor=store.road_factor,
    )
    return load, ages


_waiting = tuple.__new__  # `Waiting(a, b)` without its Python `__new__`
_DRIVES: dict[tuple[float, float, float, float, float], dict[tuple[float | None, float | None], int]] = {}
DRIVES_KEPT = 64  # stores' settings (tests make many stores in one process; a store has one)
DOORS_KEPT = 4096  # doors kept for one store's settings


def _drives(store: AnyStore) -> dict[tuple[float | None, float | None], int]:
    """The drive seconds to each door worked out so far for the store's settings (position,
    area, roads and speed): the same few doors wait in the kitchen order after order, each
    worked out once (`_drive_s`)."""
    here = (store.lat, store.lon, store.delivery_radius_km, store.road_factor, store.avg_speed_kmh)
    found = _DRIVES.get(here)
    if found is None:
        if len(_DRIVES) >= DRIVES_KEPT:
            _DRIVES.clear()
        found = _DRIVES[here] = {}
    elif len(found) >= DOORS_KEPT:
        found.clear()
    return found


def _drive_s(store: AnyStore, lat: float | None, lon: float | None) -> int:
    """`Load.drive_s` to a door (without a position, half-way to the edge of the area)."""
    km = (
        distance_km(store.lat, store.lon, lat, lon)
        if lat is not None and lon is not None
        else store.delivery_radius_km / 2
    )
    return drive_seconds(store, km)


def _free_in(at: datetime, back: datetime | None) -> int:
    """Seconds until a driver is free: 0 in the store; a driver past the expected return is
    counted back shortly."""
    if back is None:
        return 0
    seconds = int((back - at).total_seconds())
    return seconds if seconds > 0 else OVERDUE_RETURN_S


def _until(at: datetime, since: datetime | None, seconds: int) -> int:
    if since is None:
        return seconds
    return max(0, int((since - at).total_seconds()) + seconds)


def drive_seconds(store: AnyStore, km: float) -> int:
    return round(km * store.road_factor / store.avg_speed_kmh * 3600)


def estimate(
    session: Session,
    pizzas: int,
    delivery: bool,
    at: datetime,
    lat: float | None = None,
    lon: float | None = None,
) -> Estimate:
    """Make, oven, wait-for-driver and drive seconds for an order of `pizzas` pizzas now (a
    delivery to `lat`, `lon`; without a position, half-way to the edge of the area)."""
    return quote(session, pizzas, delivery, at, lat, lon).estimate


def quote(
    session: Session,
    pizzas: int,
    delivery: bool,
    at: datetime,
    lat: float | None = None,
    lon: float | None = None,
    store: AnyStore | None = None,
) -> Quote:
    """The estimate and the promise a new order placed at `at` gets (`store`: already read in
    this transaction)."""
    store = store or session.scalars(select(Store)).one()
    load = live_load(session, at, store)
    found = _estimate(load, pizzas, delivery, _drive_s(store, lat, lon) if delivery else 0)
    return Quote(found, promise_time(at, found.promise_s), load)
