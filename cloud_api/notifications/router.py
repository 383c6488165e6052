"""`POST /notifications` (head office; a store for its own orders) and the Twilio webhook
for customers' replies (`POST /notifications/inbound`)."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from twilio.request_validator import RequestValidator

from cloud_api.api.deps import ContextDep, CurrentCaller, SessionDep
from cloud_api.db.base import utcnow
from cloud_api.errors import Refused
from cloud_api.notifications import service
from cloud_api.notifications.schemas import NotificationCreate, NotificationPublic

router = APIRouter(tags=["notifications"])


@router.post(
    "/notifications",
    status_code=202,
    summary="Queue a text to a customer (head office; a store for its own orders)",
)
def create_notification(
    data: NotificationCreate, session: SessionDep, caller: CurrentCaller
) -> NotificationPublic:
    note = service.queue_message(session, caller, data, utcnow())
    return NotificationPublic(
        id=note.id,
        kind=note.kind,
        status=note.status,
        phone=f"…{note.phone[-4:]}",
        next_attempt_at=note.next_attempt_at,
    )


@router.post("/notifications/inbound", include_in_schema=False)
async def inbound(request: Request, ctx: ContextDep) -> Response:
    """Twilio posts customers' replies here; STOP opts the number out of every text."""
    token = ctx.settings.twilio_auth_token
    if not token:
        raise Refused("Texts are not sent through Twilio here, so no replies are taken.")
    # Twilio posts a plain urlencoded form; reading it needs no multipart parser.
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
    public = ctx.settings.public_url.rstrip("/")
    url = f"{public}{request.url.path}" if public else str(request.url)
    if not RequestValidator(token).validate(url, form, request.headers.get("X-Twilio-Signature", "")):
        raise Refused("The reply's Twilio signature does not match; it was ignored.", "X-Twilio-Signature")

    def record() -> None:
        with ctx.db.transaction() as session:
            service.inbound_reply(session, form.get("From", ""), form.get("Body", ""), utcnow())

    await run_in_threadpool(record)
    return Response('<?xml version="1.0" encoding="UTF-8"?><Response/>', media_type="text/xml")
