"""*Stores* (head office only): every store with its link and settings; enrollment codes for a
new store or to re-enroll a named one; each store's device credentials and their revocation;
its settings (tax, delivery radius, business-day and texting hours, speed targets, order
limits), changed
through `cloud_api.stores.service` exactly as `PUT /api/v1/stores/{id}` changes them."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import Response

from cloud_api.auth.principal import Principal
from cloud_api.console.menu_pages import cents, head_office_only
from cloud_api.console.shell import View, local_time, signed_in, store_in_scope
from cloud_api.console.tables import Column, Kind, Table
from cloud_api.context import CloudContext
from cloud_api.db.base import utcnow
from cloud_api.errors import BadRequest, CloudError
from cloud_api.models import Store
from cloud_api.reports import speed
from cloud_api.storefront.forms import fields
from cloud_api.stores import enrollment_codes, repository, service
from cloud_api.stores.schemas import EnrollmentRequest, StoreSettingsUpdate

router = APIRouter()
StoreId = Annotated[str, Path(max_length=40)]
DeviceId = Annotated[str, Path(max_length=40)]
Code = Annotated[str, Path(max_length=20)]
_PERCENT = re.compile(r"^\s*(\d{1,2})(?:\.(\d{1,2}))?\s*%?\s*$")

# The settings form: (field, label, kind) in the order shown; kinds say how the text is read.
SETTINGS = (
    ("name", "Name", "text"),
    ("address", "Address", "text"),
    ("phone", "Phone", "text"),
    ("tax_rate_bp", "Sales tax (%)", "percent"),
    ("delivery_radius_km", "Delivery radius (km)", "number"),
    ("day_starts_hour", "Business day starts at (hour, 0–23)", "whole"),
    ("daytime_from_hour", "Promotion texts from (hour)", "whole"),
    ("daytime_to_hour", "Promotion texts until (hour)", "whole"),
)
# Speed of service: each store's own targets (the Speed page holds it to them), in seconds.
TARGETS = (
    ("make_target_s", "Make line target (seconds)", "whole"),
    ("oven_s", "Oven time (seconds)", "whole"),
    ("rack_target_s", "Rack target (seconds)", "whole"),
    ("out_the_door_target_s", "Out the door target (seconds)", "whole"),
    ("delivery_target_s", "Delivery target (seconds)", "whole"),
)
LIMITS = (
    ("max_order_cents", "Largest order ($)", "money"),
    ("max_cash_order_cents", "Largest unpaid (cash) order ($)", "money"),
    ("max_line_quantity", "Most of one item on a line", "whole"),
    ("max_pizzas", "Most pizzas in one order", "whole"),
    ("max_lines", "Most lines in one order", "whole"),
)


def _shown(value: Any, kind: str) -> str:
    if kind == "percent":
        return f"{int(value) // 100}.{int(value) % 100:02d}"
    if kind == "money":
        return f"{int(value) // 100}.{int(value) % 100:02d}"
    return str(value)


def _read(text: str, kind: str, label: str) -> Any:
    text = text.strip()
    if kind == "text":
        return text
    if kind == "money":
        return cents(text, label)
    if kind == "percent":
        found = _PERCENT.match(text)
        if found is None:
            raise BadRequest(f"{label}: enter a percentage like 10.25.", "tax_rate_bp")
        whole, part = found.groups()
        return int(whole) * 100 + int((part or "0").ljust(2, "0"))
    try:
        return int(text) if kind == "whole" else float(text)
    except ValueError as exc:
        raise BadRequest(f"{label}: enter a number.", label) from exc


def current_settings(store: Store) -> dict[str, Any]:
    limits = service.store_limits(store).model_dump()
    goals = speed.targets(store)
    held = {setting: goals[measure] for measure, setting in speed.STORE_SETTING.items()}
    return {key: getattr(store, key) for key, _, _ in SETTINGS} | limits | held


def settings_from_form(store: Store, form: dict[str, str]) -> StoreSettingsUpdate:
    """Only the settings the form changes; each checked by the API's own model."""
    now = current_settings(store)
    changes: dict[str, Any] = {}
    limits: dict[str, Any] = {}
    for group, target in ((SETTINGS, changes), (TARGETS, changes), (LIMITS, limits)):
        for key, label, kind in group:
            text = form.get(key)
            if text is None:
                continue
            value = _read(text, kind, label)
            if value != now[key]:
                target[key] = value
    if limits:
        changes["order_limits"] = limits
    try:
        return StoreSettingsUpdate.model_validate(changes)
    except ValidationError as exc:
        problem = exc.errors()[0]
        key = str(problem["loc"][-1])
        label = next((lbl for k, lbl, _ in (*SETTINGS, *TARGETS, *LIMITS) if k == key), key)
        raise BadRequest(f"{label}: {problem['msg']}.", key) from exc


def _stores_table(session: Session, window_s: int) -> Table:
    now, rows = utcnow(), []
    working = repository.working_devices(session)
    for s in service.list_stores(session):
        rows.append(
            {
                "code": s.code,
                "href": f"/console/stores/{s.id}",
                "name": s.name,
                "online": "online" if service.is_online(s, now, window_s) else "offline",
                "devices": working.get(s.id, 0),
                "menu": f"v{s.menu_version}" if s.menu_version else "none",
                "zone": s.timezone,
                "tax": _shown(s.tax_rate_bp, "percent"),
            }
        )
    return Table(
        "stores",
        "Every store",
        [
            Column("code", "Store", link="href"),
            Column("name", "Name"),
            Column("online", "Link"),
            Column("devices", "Working device credentials", Kind.COUNT),
            Column("menu", "Menu"),
            Column("zone", "Time zone"),
            Column("tax", "Sales tax", Kind.PCT),
        ],
        rows,
        empty="No stores yet: issue an enrollment code below.",
    )


def _codes_table(session: Session, caller: Principal) -> Table:
    rows = [
        {
            "code": c.code,
            "store": c.store,
            "issued_by": c.issued_by,
            "issued": c.issued_at.strftime("%H:%M UTC"),
            "expires": c.expires_at.strftime("%H:%M UTC"),
        }
        for c in enrollment_codes.open_codes(session, caller, utcnow())
    ]
    return Table(
        "codes",
        "Unused enrollment codes",
        [
            Column("code", "Code"),
            Column("store", "For"),
            Column("issued_by", "Issued by"),
            Column("issued", "Issued"),
            Column("expires", "Expires"),
        ],
        rows,
        empty="No unused codes: every code issued was used or has expired.",
    )


def stores_view(
    session: Session, caller: Principal, window_s: int, notice: str = "", code: Any = None
) -> View:
    head_office_only(caller)
    view = View("Stores", "stores", "stores/stores.html", values={"notice": notice, "code": code})
    view.add(_stores_table(session, window_s))
    view.add(_codes_table(session, caller))
    return view


def _devices_table(session: Session, caller: Principal, store: Store) -> Table:
    rows = [
        {
            "id": d.id,
            "label": d.label or "(no label)",
            "issued": local_time(d.created_at, store.timezone),
            "state": "revoked " + local_time(d.revoked_at, store.timezone) if d.revoked_at else "working",
            "working": d.revoked_at is None,
        }
        for d in service.list_devices(session, caller, store.id)
    ]
    return Table(
        "devices",
        "Device credentials (store time)",
        [
            Column("label", "Computer"),
            Column("issued", "Issued"),
            Column("state", "State"),
            Column("id", "Id"),
        ],
        rows,
        empty="No device credentials: issue a code to enroll this store's computer.",
    )


def store_view(
    session: Session, caller: Principal, store_id: str, notice: str = "", code: Any = None
) -> View:
    head_office_only(caller)
    store = store_in_scope(session, caller, store_id)
    assert store is not None
    now = current_settings(store)
    view = View(
        f"Store · {store.name}",
        "stores",
        "stores/store.html",
        store=store,
        values={
            "notice": notice,
            "code": code,
            "settings": [(k, label, _shown(now[k], kind)) for k, label, kind in SETTINGS],
            "limits": [(k, label, _shown(now[k], kind)) for k, label, kind in LIMITS],
            "targets": [(k, label, _shown(now[k], kind)) for k, label, kind in TARGETS],
        },
    )
    view.add(_devices_table(session, caller, store))
    return view


def _attempt(session: Session, work: Any) -> str:
    """Run one change in a savepoint: a refusal leaves nothing behind; its message, or ""."""
    try:
        with session.begin_nested():
            work()
    except CloudError as exc:
        return exc.detail
    return ""


def enroll_view(session: Session, caller: Principal, store_id: str | None, window_s: int) -> View:
    head_office_only(caller)
    issued: list[Any] = []
    request = EnrollmentRequest(store_id=store_id) if store_id else EnrollmentRequest()
    problem = _attempt(
        session, lambda: issued.append(service.create_enrollment(session, caller, request, utcnow()))
    )
    if store_id is None:
        return stores_view(session, caller, window_s, problem, issued[0] if issued else None)
    return store_view(session, caller, store_id, problem, issued[0] if issued else None)


def settings_view(session: Session, caller: Principal, store_id: str, form: dict[str, str]) -> View:
    head_office_only(caller)
    store = store_in_scope(session, caller, store_id)
    assert store is not None
    try:
        update = settings_from_form(store, form)
    except BadRequest as exc:
        return store_view(session, caller, store_id, "Not saved: " + exc.detail)
    if not update.model_dump(exclude_none=True):
        return store_view(session, caller, store_id, "Nothing changed.")
    problem = _attempt(session, lambda: service.update_settings(session, caller, store_id, update, utcnow()))
    said = f"Not saved: {problem}" if problem else "Saved; the store gets the new settings through its feed."
    return store_view(session, caller, store_id, said)


def revoke_code_view(session: Session, caller: Principal, code: str, window_s: int) -> View:
    head_office_only(caller)
    revoked: list[enrollment_codes.OpenCode] = []
    problem = _attempt(
        session, lambda: revoked.append(enrollment_codes.revoke_code(session, caller, code, utcnow()))
    )
    said = (
        problem
        or f"Revoked code {revoked[0].code} (for {revoked[0].store}): it can no longer enroll a store."
    )
    return stores_view(session, caller, window_s, said)


def revoke_view(session: Session, caller: Principal, store_id: str, device_id: str) -> View:
    head_office_only(caller)
    store_in_scope(session, caller, store_id)
    problem = _attempt(session, lambda: service.revoke_device(session, caller, store_id, device_id, utcnow()))
    said = problem or "Revoked: that computer can no longer sync as this store."
    return store_view(session, caller, store_id, said)


async def _posted(request: Request) -> dict[str, str]:
    try:
        return fields(await request.body())
    except BadRequest:
        return {}


def _window(request: Request) -> int:
    ctx: CloudContext = request.app.state.ctx
    return ctx.settings.store_online_seconds


@router.get("/stores")
async def stores_page(request: Request) -> Response:
    window = _window(request)
    return await signed_in(request, lambda session, caller: stores_view(session, caller, window))


@router.post("/stores/enroll")
async def new_store_code(request: Request) -> Response:
    window = _window(request)
    return await signed_in(request, lambda session, caller: enroll_view(session, caller, None, window))


@router.post("/stores/codes/{code}/revoke")
async def revoke_enrollment_code(request: Request, code: Code) -> Response:
    window = _window(request)
    return await signed_in(request, lambda session, caller: revoke_code_view(session, caller, code, window))


@router.get("/stores/{store_id}")
async def store_page(request: Request, store_id: StoreId) -> Response:
    return await signed_in(request, lambda session, caller: store_view(session, caller, store_id))


@router.post("/stores/{store_id}/enroll")
async def re_enroll_code(request: Request, store_id: StoreId) -> Response:
    window = _window(request)
    return await signed_in(request, lambda session, caller: enroll_view(session, caller, store_id, window))


@router.post("/stores/{store_id}/settings")
async def save_settings(request: Request, store_id: StoreId) -> Response:
    form = await _posted(request)
    return await signed_in(request, lambda session, caller: settings_view(session, caller, store_id, form))


@router.post("/stores/{store_id}/devices/{device_id}/revoke")
async def revoke(request: Request, store_id: StoreId, device_id: DeviceId) -> Response:
    return await signed_in(request, lambda session, caller: revoke_view(session, caller, store_id, device_id))
