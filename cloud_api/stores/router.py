"""Stores (`/stores…`) and store enrollment (`/enrollments…`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from cloud_api.api.deps import ContextDep, CurrentCaller, SessionDep
from cloud_api.api.types import ID_PATTERN
from cloud_api.auth.principal import Role
from cloud_api.db.base import utcnow
from cloud_api.errors import Forbidden
from cloud_api.stores import service
from cloud_api.stores.schemas import (
    DevicePublic,
    EnrolledStore,
    EnrollmentClaim,
    EnrollmentPublic,
    EnrollmentRequest,
    Heartbeat,
    HeartbeatAnswer,
    LocateAnswer,
    StorePublic,
    StoreSettingsUpdate,
)
from sync.contract.snapshot import RestoreClaim, RestoreGranted

router = APIRouter(tags=["stores"])
StoreId = Annotated[str, Path(pattern=ID_PATTERN)]


@router.get("/stores", summary="Every store of the chain (anyone)")
def list_stores(session: SessionDep, ctx: ContextDep) -> list[StorePublic]:
    now, window = utcnow(), ctx.settings.store_online_seconds
    return [service.public(s, now, window) for s in service.list_stores(session)]


@router.get("/stores/locate", summary="Which stores deliver to an address, nearest first (anyone)")
def locate(
    session: SessionDep,
    ctx: ContextDep,
    address: Annotated[
        str, Query(min_length=3, max_length=200, pattern=r"^[^\x00]+$", description="e.g. 1200 N Harlem Ave")
    ],
) -> LocateAnswer:
    place = service.locate_address(session, address)
    return LocateAnswer(
        line1=place.line1,
        lat=place.lat,
        lon=place.lon,
        stores=service.candidates(session, place, utcnow(), ctx.settings.store_online_seconds),
    )


@router.get("/stores/{store_id}", summary="One store (anyone)")
def get_store(store_id: StoreId, session: SessionDep, ctx: ContextDep) -> StorePublic:
    return service.public(service.get_store(session, store_id), utcnow(), ctx.settings.store_online_seconds)


@router.put("/stores/{store_id}", summary="Change a store's settings (head office; its own manager)")
def put_store(
    store_id: StoreId,
    data: StoreSettingsUpdate,
    session: SessionDep,
    ctx: ContextDep,
    caller: CurrentCaller,
) -> StorePublic:
    now = utcnow()
    store = service.update_settings(session, caller, store_id, data, now)
    return service.public(store, now, ctx.settings.store_online_seconds)


@router.post("/stores/{store_id}/heartbeat", summary="The store's agent is alive (that store's device)")
def heartbeat(
    store_id: StoreId, data: Heartbeat, session: SessionDep, caller: CurrentCaller
) -> HeartbeatAnswer:
    caller.require(Role.STORE_DEVICE)
    if caller.store_id != store_id:
        raise Forbidden("A store device can only report for its own store.", "store_id")
    now = utcnow()
    service.record_heartbeat(session, store_id, now)
    return HeartbeatAnswer(store_id=store_id, last_seen_at=now)


@router.get("/stores/{store_id}/devices", summary="A store's device credentials (head office; the store)")
def list_devices(store_id: StoreId, session: SessionDep, caller: CurrentCaller) -> list[DevicePublic]:
    return service.list_devices(session, caller, store_id)


@router.delete(
    "/stores/{store_id}/devices/{device_id}", status_code=204, summary="Revoke a store device (head office)"
)
def revoke_device(
    store_id: StoreId,
    device_id: Annotated[str, Path(pattern=ID_PATTERN)],
    session: SessionDep,
    caller: CurrentCaller,
) -> Response:
    service.revoke_device(session, caller, store_id, device_id, utcnow())
    return Response(status_code=204)


@router.post(
    "/enrollments",
    status_code=201,
    summary="A one-use, 10-minute code: a new store, or re-enroll the store named (head office)",
)
def create_enrollment(
    session: SessionDep, caller: CurrentCaller, data: EnrollmentRequest | None = None
) -> EnrollmentPublic:
    return service.create_enrollment(session, caller, data or EnrollmentRequest(), utcnow())


@router.post(
    "/enrollments/claim",
    status_code=201,
    summary="A store registers itself with its code and gets its device credential",
)
def claim_enrollment(data: EnrollmentClaim, session: SessionDep) -> EnrolledStore:
    return service.claim_enrollment(session, data, utcnow())


@router.post(
    "/enrollments/restore",
    status_code=201,
    summary="A new computer rebuilding a store claims the code issued for that store (makeline restore)",
)
def claim_restore(data: RestoreClaim, session: SessionDep) -> RestoreGranted:
    return service.claim_restore(session, data, utcnow())
