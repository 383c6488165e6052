"""`GET /fleet`: every store's link, worst first (head office; a store manager sees their own)."""

from __future__ import annotations

from fastapi import APIRouter

from cloud_api.api.deps import ContextDep, CurrentCaller, SessionDep
from cloud_api.db.base import utcnow
from cloud_api.fleet import service
from cloud_api.fleet.schemas import FleetStore

router = APIRouter(tags=["fleet"])


@router.get("/fleet", summary="Every store's link and health, worst first (head office; a manager: theirs)")
def fleet(session: SessionDep, ctx: ContextDep, caller: CurrentCaller) -> list[FleetStore]:
    return service.fleet(session, caller, utcnow(), ctx.settings.store_online_seconds)
