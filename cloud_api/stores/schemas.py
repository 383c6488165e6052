"""What the store endpoints take and answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from cloud_api.api.types import ID_PATTERN, Code, Latitude, Line, Longitude, Name, ShortText
from makeline.trade.hours import StoreHours
from makeline.trade.limits import OrderLimits

Hour = Annotated[int, Field(ge=0, le=23)]
TaxRate = Annotated[int, Field(ge=0, le=3000, description="basis points: 1025 = 10.25 %")]
Radius = Annotated[float, Field(gt=0, le=50)]
TargetSeconds = Annotated[int, Field(ge=1, le=4 * 3600, description="seconds")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StorePublic(BaseModel):
    id: str
    code: str
    name: str
    address: str
    phone: str
    timezone: str
    lat: float
    lon: float
    delivery_radius_km: float
    tax_rate_bp: int
    menu_version: int | None
    order_limits: OrderLimits = Field(description="the most one order may be; above, call the store")
    hours: StoreHours = Field(
        default_factory=StoreHours,
        description="weekly hours in the store's zone and holiday closures; no week: open around the clock",
    )
    rack_cap_s: int = Field(
        default=1800, description="an order on the store's heat rack this long goes out first (seconds)"
    )
    online: bool = Field(description="its store computer was heard from in the last minute")


class StoreDetails(Strict):
    """A store as its own database describes it, sent when it enrolls."""

    code: Code
    name: Name
    address: Line = ""
    phone: ShortText = ""
    timezone: ShortText
    tax_rate_bp: TaxRate
    lat: Latitude
    lon: Longitude
    delivery_radius_km: Radius = 6.0
    day_starts_hour: Hour = 4


class StreetIn(Strict):
    name: Line
    city: ShortText = ""
    from_number: Annotated[int, Field(ge=0, le=1_000_000)]
    to_number: Annotated[int, Field(ge=0, le=1_000_000)]
    lat1: Latitude
    lon1: Longitude
    lat2: Latitude
    lon2: Longitude


Cents = Annotated[int, Field(ge=100, le=10_000_000)]


class OrderLimitsUpdate(Strict):
    """Only the limits sent change; the whole set must still make sense (cash at most the order limit)."""

    max_order_cents: Cents | None = None
    max_cash_order_cents: Cents | None = None
    max_line_quantity: Annotated[int, Field(ge=1, le=99)] | None = None
    max_pizzas: Annotated[int, Field(ge=1, le=1_000)] | None = None
    max_lines: Annotated[int, Field(ge=1, le=100)] | None = None


class StoreSettingsUpdate(Strict):
    """Only the fields sent change; the store learns them through its feed."""

    name: Name | None = None
    address: Line | None = None
    phone: ShortText | None = None
    tax_rate_bp: TaxRate | None = None
    delivery_radius_km: Radius | None = None
    day_starts_hour: Hour | None = None
    daytime_from_hour: Hour | None = None
    daytime_to_hour: Hour | None = None
    order_limits: OrderLimitsUpdate | None = None
    rack_cap_s: Annotated[int, Field(ge=300, le=7200)] | None = Field(
        default=None,
        description="seconds an order may wait on the heat rack before it goes out first (5 min to 2 h)",
    )
    hours: StoreHours | None = Field(
        default=None, description="the whole week and closures, replacing the old"
    )
    # Speed-of-service targets: the store's own (make line, oven, rack) go down its feed; out the
    # door and delivery are the cloud's yardsticks for the Speed page only.
    make_target_s: TargetSeconds | None = None
    oven_s: TargetSeconds | None = None
    rack_target_s: TargetSeconds | None = None
    out_the_door_target_s: TargetSeconds | None = None
    delivery_target_s: TargetSeconds | None = None
    quality_check: bool | None = Field(
        default=None, description="a quality check at the cut table before an order goes on the rack"
    )


class EnrollmentRequest(Strict):
    """Name a store (by id or code) to re-enroll it, e.g. after its computer was replaced;
    send nothing for a code that can only create a new store."""

    store_id: Annotated[str | None, Field(pattern=ID_PATTERN)] = None
    store_code: Code | None = None


class EnrollmentPublic(BaseModel):
    code: str
    expires_at: datetime
    store_id: str | None = Field(
        default=None, description="the store this code re-enrolls; none: it creates a new store"
    )
    store_code: str | None = None


class EnrollmentClaim(Strict):
    code: Annotated[str, Field(min_length=4, max_length=20, pattern=r"^[A-Za-z0-9-]+$")]
    store: StoreDetails
    streets: Annotated[list[StreetIn], Field(max_length=5000)] = []
    device_label: ShortText = ""


class EnrolledStore(BaseModel):
    store_id: str
    store_code: str
    device_id: str
    device_token: str = Field(description="shown once; the store keeps it, the cloud keeps only its hash")
    re_enrolled: bool = Field(default=False, description="an existing store got a new credential")
    revoked_device_ids: list[str] = Field(
        default=[], description="the store's earlier device credentials, revoked by this enrollment"
    )
    message: str = ""


class DevicePublic(BaseModel):
    id: str
    store_id: str
    label: str
    created_at: datetime
    revoked_at: datetime | None


class Heartbeat(Strict):
    backlog: Annotated[int, Field(ge=0, le=10_000_000)] = 0
    printers: dict[ShortText, ShortText] = {}


class HeartbeatAnswer(BaseModel):
    store_id: str
    last_seen_at: datetime


class DeliveryCandidate(BaseModel):
    store: StorePublic
    distance_km: float


class LocateAnswer(BaseModel):
    line1: str
    lat: float
    lon: float
    stores: list[DeliveryCandidate] = Field(description="stores that deliver there, nearest first")
