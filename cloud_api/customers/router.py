"""`GET /profile` and `PUT /profile`: the signed-in person's own account."""

from __future__ import annotations

from fastapi import APIRouter

from cloud_api.api.deps import CurrentCaller, SessionDep
from cloud_api.customers import service
from cloud_api.customers.schemas import ProfilePublic, ProfileUpdate
from cloud_api.db.base import utcnow

router = APIRouter(tags=["profile"])


@router.get("/profile", summary="Your own profile (any signed-in person)")
def get_profile(session: SessionDep, caller: CurrentCaller) -> ProfilePublic:
    return service.get_profile(session, caller)


@router.put("/profile", summary="Change your own profile; only the fields sent change")
def put_profile(data: ProfileUpdate, session: SessionDep, caller: CurrentCaller) -> ProfilePublic:
    return service.update_profile(session, caller, data, utcnow())
