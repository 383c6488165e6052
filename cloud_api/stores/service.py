"""Stores: creating and enrolling them, their settings, heartbeats, and who delivers where."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError
from sqlalchemy import update
from sqlalchemy.orm import Session

from cloud_api.auth.principal import Principal, Role
from cloud_api.db.base import new_id
from cloud_api.errors import BadRequest, Conflict, Forbidden, NotFound
from cloud_api.feed import service as feed
from cloud_api.models import Device, Enrollment, Store, StreetBlock
from cloud_api.stores import devices, repository
from cloud_api.stores.geocode import locate
from cloud_api.stores.schemas import (
    DeliveryCandidate,
    DevicePublic,
    EnrolledStore,
    EnrollmentClaim,
    EnrollmentPublic,
    EnrollmentRequest,
    StoreDetails,
    StorePublic,
    StoreSettingsUpdate,
    StreetIn,
)
from makeline.trade.address import Located, street_key
from makeline.trade.geo import distance_km
from makeline.trade.hours import StoreHours
from makeline.trade.limits import OrderLimits
from sync.contract.entries import StoreSettings
from sync.contract.snapshot import RestoreClaim, RestoreGranted

ENROLLMENT_TTL = timedelta(minutes=10)
# Settings the store does not hold: the Speed page's yardsticks for out the door and delivery.
CLOUD_ONLY = frozenset({"out_the_door_target_s", "delivery_target_s"})
audit = logging.getLogger("cloud_api.audit")
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # nothing to misread over the phone


def is_online(store: Store, now: datetime, window_s: int) -> bool:
    return store.last_seen_at is not None and store.last_seen_at >= now - timedelta(seconds=window_s)


def public(store: Store, now: datetime, window_s: int) -> StorePublic:
    return StorePublic(
        id=store.id,
        code=store.code,
        name=store.name,
        address=store.address,
        phone=store.phone,
        timezone=store.timezone,
        lat=store.lat,
        lon=store.lon,
        delivery_radius_km=store.delivery_radius_km,
        tax_rate_bp=store.tax_rate_bp,
        menu_version=store.menu_version,
        order_limits=store_limits(store),
        hours=store_hours(store),
        rack_cap_s=store.rack_cap_s,
        online=is_online(store, now, window_s),
    )


def store_limits(store: Store) -> OrderLimits:
    """The store's order limits as set, or the chain's defaults."""
    return OrderLimits.model_validate(store.order_limits or {})


def store_hours(store: Store) -> StoreHours:
    """The store's hours as set; none set: open around the clock."""
    return StoreHours.model_validate(store.hours or {})


def _merged_limits(store: Store, changes: dict[str, int]) -> dict[str, int]:
    try:
        return OrderLimits.model_validate(store_limits(store).model_dump() | changes).model_dump()
    except ValidationError as exc:
        problems = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        raise BadRequest(f"These order limits do not fit together: {problems}.", "order_limits") from exc


def get_store(session: Session, store_id: str) -> Store:
    store = session.get(Store, store_id)
    if store is None:
        raise NotFound(f"There is no store with id {store_id}.", "store_id")
    return store


def list_stores(session: Session) -> Sequence[Store]:
    return repository.all_stores(session)


def _check_zone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise BadRequest(
            f"'{name}' is not a time zone we know; use a name like America/Chicago.", "store.timezone"
        ) from exc


def create_store(
    session: Session, details: StoreDetails, at: datetime, menu_version: int | None = None
) -> Store:
    """A new store; a store with the same code is refused, never overwritten."""
    _check_zone(details.timezone)
    if repository.store_by_code(session, details.code) is not None:
        raise Conflict(
            f"Store {details.code} is already enrolled with the cloud. To connect a replacement "
            f"computer for it, ask head office for an enrollment code issued for {details.code}.",
            "store.code",
        )
    store = Store(
        id=new_id(), created_at=at, updated_at=at, menu_version=menu_version, **details.model_dump()
    )
    session.add(store)
    session.flush()
    feed.start_feed(session, store.id)
    session.flush()
    return store


def save_store(
    session: Session, details: StoreDetails, at: datetime, menu_version: int | None = None
) -> Store:
    """Create the store, or bring an existing store with the same code up to date (head
    office's seeding only; enrollment never overwrites a store)."""
    store = repository.store_by_code(session, details.code)
    if store is None:
        return create_store(session, details, at, menu_version)
    _check_zone(details.timezone)
    for name, value in details.model_dump().items():
        setattr(store, name, value)
    store.updated_at = at
    return store


def save_streets(session: Session, store_id: str, streets: list[StreetIn]) -> None:
    for street in streets:
        if street.to_number < street.from_number:
            raise BadRequest(
                f"{street.name} runs backwards ({street.from_number} to {street.to_number}).", "streets"
            )
    repository.replace_streets(
        session,
        store_id,
        [
            StreetBlock(
                store_id=store_id,
                key=street_key(s.name),
                name=s.name,
                city=s.city,
                from_number=s.from_number,
                to_number=s.to_number,
                lat1=s.lat1,
                lon1=s.lon1,
                lat2=s.lat2,
                lon2=s.lon2,
            )
            for s in streets
        ],
    )


def _store_named(session: Session, request: EnrollmentRequest) -> Store | None:
    if request.store_id is not None and request.store_code is not None:
        raise BadRequest("Name the store by its id or by its code, not both.", "store_id")
    if request.store_id is not None:
        return get_store(session, request.store_id)
    if request.store_code is not None:
        store = repository.store_by_code(session, request.store_code.strip())
        if store is None:
            raise NotFound(f"There is no store with code {request.store_code}.", "store_code")
        return store
    return None


def create_enrollment(
    session: Session, caller: Principal, request: EnrollmentRequest, at: datetime
) -> EnrollmentPublic:
    """A one-use code: for a new store, or to re-enroll the one existing store named."""
    caller.require(Role.HEAD_OFFICE)
    store = _store_named(session, request)
    code = "-".join("".join(secrets.choice(_CODE_ALPHABET) for _ in range(4)) for _ in range(3))
    enrollment = Enrollment(
        code=code,
        created_by=caller.id,
        created_at=at,
        expires_at=at + ENROLLMENT_TTL,
        for_store_id=store.id if store else None,
    )
    session.add(enrollment)
    return EnrollmentPublic(
        code=code,
        expires_at=enrollment.expires_at,
        store_id=store.id if store else None,
        store_code=store.code if store else None,
    )


def _re_enroll(session: Session, store_id: str, claim: EnrollmentClaim) -> Store:
    """The store this code was issued for, locked; the claim must speak for that very store."""
    store = repository.store_for_update(session, store_id)
    if store is None:
        raise NotFound("The store this enrollment code was issued for no longer exists.", "code")
    if claim.store.code.strip() != store.code:
        raise Conflict(
            f"This enrollment code was issued for store {store.code}, but this store database is "
            f"{claim.store.code}; ask head office for a code issued for {claim.store.code}.",
            "code",
        )
    return store


def _open_enrollment(session: Session, code: str, at: datetime) -> Enrollment:
    """The code, locked, if it can still be claimed."""
    enrollment = repository.enrollment_for_update(session, code.strip().upper())
    if enrollment is None:
        raise NotFound("That enrollment code is not one head office issued; check it.", "code")
    if enrollment.used_at is not None:
        raise Conflict("That enrollment code was already used; ask head office for a new one.", "code")
    if enrollment.expires_at <= at:
        raise Conflict("That enrollment code has expired (codes last 10 minutes); ask for a new one.", "code")
    return enrollment


def _replace_devices(session: Session, store: Store, at: datetime) -> list[str]:
    """A replacement computer for the store: every earlier credential is revoked, and the
    computer that used them no longer counts as speaking for the store (it cannot)."""
    revoked = repository.revoke_devices(session, store.id, at)
    repository.forget_agent(session, store.id)
    return revoked


def claim_enrollment(session: Session, claim: EnrollmentClaim, at: datetime) -> EnrolledStore:
    """Hand the store its own device credential; the code works once.

    A code issued for no store creates a new store and is refused for a store code the
    cloud already has. A code issued for a store re-enrolls exactly that store: its
    settings stay as head office has them, and its earlier device credentials stop working.
    Whatever is refused changes nothing (the request's transaction is rolled back).
    """
    enrollment = _open_enrollment(session, claim.code, at)
    revoked: list[str] = []
    if enrollment.for_store_id is None:
        store = create_store(session, claim.store, at)
        if claim.streets:
            save_streets(session, store.id, claim.streets)
    else:
        store = _re_enroll(session, enrollment.for_store_id, claim)
        revoked = _replace_devices(session, store, at)
    enrollment.used_at, enrollment.store_id = at, store.id
    device, token = devices.issue(session, store.id, claim.device_label, at)
    message = (
        f"Store {store.code} enrolled again; its {len(revoked)} earlier device credential(s) no longer work."
        if enrollment.for_store_id is not None
        else f"Store {store.code} enrolled."
    )
    return EnrolledStore(
        store_id=store.id,
        store_code=store.code,
        device_id=device.id,
        device_token=token,
        re_enrolled=enrollment.for_store_id is not None,
        revoked_device_ids=revoked,
        message=message,
    )


def claim_restore(session: Session, claim: RestoreClaim, at: datetime) -> RestoreGranted:
    """A new computer rebuilding a store from the cloud (`makeline restore`): only a code head
    office issued for that store will do, since the computer has nothing else to say which
    store it is. The store gets a new credential; its earlier ones stop working."""
    enrollment = _open_enrollment(session, claim.code, at)
    if enrollment.for_store_id is None:
        raise Conflict(
            "That code is for enrolling a new store; to rebuild a store from the cloud, ask head "
            "office for a re-enrollment code issued for that store.",
            "code",
        )
    store = repository.store_for_update(session, enrollment.for_store_id)
    if store is None:
        raise NotFound("The store this enrollment code was issued for no longer exists.", "code")
    revoked = _replace_devices(session, store, at)
    enrollment.used_at, enrollment.store_id = at, store.id
    device, token = devices.issue(session, store.id, claim.device_label, at)
    return RestoreGranted(
        store_id=store.id,
        store_code=store.code,
        device_id=device.id,
        device_token=token,
        revoked_device_ids=revoked,
        message=(
            f"Store {store.code} is being rebuilt on this computer; its {len(revoked)} earlier "
            "device credential(s) no longer work."
        ),
    )


def list_devices(session: Session, caller: Principal, store_id: str) -> list[DevicePublic]:
    caller.require_store(store_id)
    get_store(session, store_id)
    return [
        DevicePublic(
            id=d.id, store_id=d.store_id, label=d.label, created_at=d.created_at, revoked_at=d.revoked_at
        )
        for d in repository.devices_of(session, store_id)
    ]


def revoke_device(session: Session, caller: Principal, store_id: str, device_id: str, at: datetime) -> None:
    caller.require(Role.HEAD_OFFICE)
    device = session.get(Device, device_id)
    if device is None or device.store_id != store_id:
        raise NotFound("That store has no device with that id.", "device_id")
    if device.revoked_at is None:
        device.revoked_at = at


def record_heartbeat(session: Session, store_id: str, at: datetime) -> Store:
    """The store's agent was heard from: the store takes online orders for the next minute."""
    session.execute(
        update(Store)
        .where(Store.id == store_id)
        .values(last_seen_at=at)
        .execution_options(synchronize_session=False)
    )
    return get_store(session, store_id)


def update_settings(
    session: Session, caller: Principal, store_id: str, data: StoreSettingsUpdate, at: datetime
) -> Store:
    caller.require(Role.HEAD_OFFICE, Role.STORE_MANAGER)
    caller.require_store(store_id)
    store = get_store(session, store_id)
    changes = data.model_dump(exclude_none=True)
    if "order_limits" in changes:
        if caller.role is not Role.HEAD_OFFICE:
            # A store raising its own limits is the order a limit is there to stop.
            raise Forbidden(
                "Only head office sets a store's order limits; a manager approves one order "
                "above them at the counter.",
                "order_limits",
            )
        if not changes["order_limits"]:
            raise BadRequest("Send at least one order limit to change.", "order_limits")
        changes["order_limits"] = _merged_limits(store, changes["order_limits"])
    if data.hours is not None:
        changes["hours"] = data.hours.model_dump(mode="json")
    if not changes:
        raise BadRequest("Send at least one setting to change.", "body")
    was = {name: getattr(store, name, None) for name in changes}
    for name, value in changes.items():
        if name != "quality_check":  # the store keeps it; the cloud only sends it down
            setattr(store, name, value)
    store.updated_at = at
    for_store = {k: v for k, v in changes.items() if k not in CLOUD_ONLY}
    if for_store:
        feed.append(session, store.id, StoreSettings.model_validate(for_store), at)
    audit.info(
        "%s %s changed the settings of store %s: %s",
        caller.role.value,
        caller.id,
        store.code,
        "; ".join(f"{k} {was[k]!r} -> {v!r}" for k, v in changes.items()),
    )
    return store


def stores_delivering_to(session: Session, lat: float, lon: float) -> list[tuple[Store, float]]:
    found = []
    for store in repository.stores_near(session, lat, lon):
        km = distance_km(store.lat, store.lon, lat, lon)
        if km <= store.delivery_radius_km:
            found.append((store, km))
    return sorted(found, key=lambda pair: pair[1])


def locate_address(session: Session, line1: str, field: str = "address") -> Located:
    return locate(session, line1, field)


def candidates(session: Session, located: Located, now: datetime, window_s: int) -> list[DeliveryCandidate]:
    return [
        DeliveryCandidate(store=public(store, now, window_s), distance_km=round(km, 2))
        for store, km in stores_delivering_to(session, located.lat, located.lon)
    ]
