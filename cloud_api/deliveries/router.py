"""`POST /deliveries`, `GET /deliveries/{id}`, `GET|PUT /deliveries/{id}/status`
(head office; the store whose run it is)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from cloud_api.api.deps import CurrentCaller, SessionDep
from cloud_api.api.types import ID_PATTERN
from cloud_api.db.base import utcnow
from cloud_api.deliveries import service
from cloud_api.deliveries.schemas import DeliveryCreate, DeliveryPublic, DeliveryStatusUpdate

router = APIRouter(tags=["deliveries"])
RunId = Annotated[str, Path(pattern=ID_PATTERN)]


@router.post(
    "/deliveries", status_code=201, summary="Record a run leaving the store (the store; head office)"
)
def create_delivery(data: DeliveryCreate, session: SessionDep, caller: CurrentCaller) -> DeliveryPublic:
    return service.public(session, service.create(session, caller, data, utcnow()))


@router.get("/deliveries/{delivery_id}", summary="One delivery run (the store; head office)")
def get_delivery(delivery_id: RunId, session: SessionDep, caller: CurrentCaller) -> DeliveryPublic:
    return service.public(session, service.get(session, caller, delivery_id))


@router.get("/deliveries/{delivery_id}/status", summary="A run's status (the store; head office)")
def get_delivery_status(delivery_id: RunId, session: SessionDep, caller: CurrentCaller) -> DeliveryPublic:
    return service.public(session, service.get(session, caller, delivery_id))


@router.put(
    "/deliveries/{delivery_id}/status", summary="The driver is back, or the run is closed (the store)"
)
def put_delivery_status(
    delivery_id: RunId,
    data: DeliveryStatusUpdate,
    session: SessionDep,
    caller: CurrentCaller,
) -> DeliveryPublic:
    return service.public(session, service.update(session, caller, delivery_id, data, utcnow()))
