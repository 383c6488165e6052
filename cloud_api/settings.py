"""The cloud's configuration: flags, then `MAKELINE_…` / `DATABASE_URL` / the
providers' usual variables, then defaults that just work on one laptop."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from cloud_api.sync import brake


def one_applier_per_two_cores() -> int:
    return max(1, (os.cpu_count() or 2) // 2)


class CloudSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MAKELINE_", extra="ignore")

    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("MAKELINE_DATABASE_URL", "DATABASE_URL")
    )
    data_dir: Path = Path(".makeline/cloud-pg")
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    # The stores' sync traffic (heartbeats, pushes, pulls, nudges) on workers of its own on
    # this port, below the customers' workers on the CPU (`sync.front`); 0: on the same workers.
    sync_port: int = 0
    sync_workers: int = 1
    # Stores' pushes one worker stores and applies at once; one more waits this long for
    # a turn, then is answered 429 Retry-After (the agent sends it again then).
    sync_push_slots: int = 2
    sync_push_wait_s: float = 1.0
    # A backlog's push waits, holding its slot, up to `sync_backlog_wait_s`, while more events
    # wait to be applied than `sync_backlog_s` of the appliers' told pace and at least
    # `sync_backlog_events`: a storm's stores admitted at the rate the appliers apply, not
    # stored faster only to wait (`sync.brake`). `sync_backlog_events` 0: never waits.
    sync_backlog_events: int = Field(default=brake.BACKLOG_EVENTS, ge=0)
    sync_backlog_s: float = Field(default=brake.AHEAD_S, ge=0, le=60)
    sync_backlog_wait_s: float = Field(default=brake.MOST_S, ge=0, le=20)
    # Stores' pushed events are applied by each worker's own applier thread, unless the cloud
    # runs one applier process beside its workers (`makeline cloud` does: `sync.applier`).
    applier_in_worker: bool = True
    # Applier processes `makeline cloud` runs beside its workers (at nice 10): one for every
    # two cores. On two, a second applier drained a 1,000-store storm a few seconds sooner
    # but took the CPU the storer and the customers' orders wanted (docs/scale.md).
    appliers: int = Field(default_factory=one_applier_per_two_cores)
    # Applier processes beside those that apply only once no push has been stored for a
    # moment (`sync.applier.QUIET_S`): a storm's tail, its pushes all stored, applied by more
    # than one, while the storer and the first applier keep the CPU during the storm itself.
    # One by default: a storm's tail otherwise ran one applier beside most of a core idle (on
    # two cores, 200 stores × 300 events drained in 12.6–15.5 s instead of 23.0, 1,000 stores
    # in 71.1–94.7 s instead of 133.7; customers' orders paid a little, p99 1.4–2.6× a calm
    # 15–28 ms against 1.3–1.5× with one applier: docs/scale.md). 0: one applier alone.
    quiet_appliers: int = Field(default=1, ge=0, le=16)
    # Where `makeline cloud`'s storer process listens: its workers hand it the pushes they
    # admit (`sync.storer`). Empty: each worker stores them itself, on its sync threads.
    storer_socket: str = ""
    # Texts, emails, refunds and housekeeping are sent by each worker, unless the cloud runs
    # them once in its background process beside the workers (`makeline cloud` does).
    senders_in_worker: bool = True
    demo: bool = False
    # Production: no secret may fall back to a default (`MAKELINE_PRODUCTION=true`).
    production: bool = False
    # Where customers reach us: tracking links in SMS and on receipts.
    public_url: str = ""

    # None: a secret kept in the database, so every worker signs with the same one.
    jwt_secret: str | None = None
    password_time_cost: int = 2
    password_memory_kib: int = 19_456
    access_token_minutes: float = 15  # a fraction in tests that drive expiry
    refresh_token_days: int = 30
    # Logout, password, role and deletion reach tokens already handed out within this long.
    session_check_seconds: float = 2.0
    # Failed sign-ins per account: then each waits twice as long as the last, then a lock.
    sign_in_backoff_after: int = 5
    sign_in_lock_after: int = 10
    sign_in_lock_minutes: int = 15
    # Failed sign-ins per client address (many people may share one address).
    address_backoff_after: int = 30
    address_lock_after: int = 100
    # New accounts asked for per client address and per email within an hour.
    sign_ups_per_address: int = 20
    sign_ups_per_email: int = 5

    payment_gateway: Literal["test", "stripe"] = "test"
    stripe_api_key: str | None = Field(
        default=None, validation_alias=AliasChoices("MAKELINE_STRIPE_API_KEY", "STRIPE_API_KEY")
    )
    stripe_webhook_secret: str | None = Field(
        default=None,
        validation_alias=AliasChoices("MAKELINE_STRIPE_WEBHOOK_SECRET", "STRIPE_WEBHOOK_SECRET"),
    )
    stripe_base_url: str | None = None
    # Stripe.js Elements in the storefront's checkout: the card goes from the customer's
    # browser to Stripe, and our server sees only the payment method it made.
    stripe_publishable_key: str | None = Field(
        default=None,
        validation_alias=AliasChoices("MAKELINE_STRIPE_PUBLISHABLE_KEY", "STRIPE_PUBLISHABLE_KEY"),
    )
    stripe_js_url: str = "https://js.stripe.com/v3/"
    # The test gateway signs its webhooks with this. Unset: the demo uses a known one, a
    # development cloud makes a random one kept in its database, production refuses to start.
    test_webhook_secret: str | None = None
    gateway_attempts: int = 3  # tries per payment when the gateway's answer is unknown

    twilio_account_sid: str | None = Field(
        default=None,
        validation_alias=AliasChoices("MAKELINE_TWILIO_ACCOUNT_SID", "TWILIO_ACCOUNT_SID"),
    )
    twilio_auth_token: str | None = Field(
        default=None,
        validation_alias=AliasChoices("MAKELINE_TWILIO_AUTH_TOKEN", "TWILIO_AUTH_TOKEN"),
    )
    twilio_from: str = Field(
        default="+15005550006",
        validation_alias=AliasChoices("MAKELINE_TWILIO_FROM", "TWILIO_FROM_NUMBER"),
    )
    twilio_base_url: str | None = None  # e.g. a local fake Twilio; None: api.twilio.com

    sendgrid_api_key: str | None = Field(
        default=None, validation_alias=AliasChoices("MAKELINE_SENDGRID_API_KEY", "SENDGRID_API_KEY")
    )
    sendgrid_base_url: str | None = None  # e.g. a local fake SendGrid; None: api.sendgrid.com
    email_from: str = "orders@makeline.test"

    # Requests: bodies over this are refused (413) before they are read whole; JSON deeper
    # or with longer lists or objects than these is refused (422) before it is parsed.
    max_body_bytes: int = 1024 * 1024
    max_sync_body_bytes: int = 16 * 1024 * 1024  # a store's outbox batch after an outage
    max_json_depth: int = 32
    max_json_items: int = 10_000

    store_online_seconds: int = 60
    background: bool = True  # each worker sends SMS and refunds, and listens for updates
    # Announcements gather this long before one NOTIFY goes out (latency vs NOTIFY rate).
    notify_window_ms: int = 20
    request_threads: int = 8  # threads per worker running request handlers
    db_pool_size: int = 10
    # Connections per worker for stores' heartbeats (one statement each, on the event loop).
    beat_connections: int = 4
    db_max_overflow: int = 30


def sqlalchemy_url(url: str) -> str:
    """SQLAlchemy's spelling of a libpq URL, always on psycopg 3."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def libpq_url(url: str) -> str:
    """The plain libpq spelling, for psycopg connections outside SQLAlchemy."""
    for prefix in ("postgresql+psycopg://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url
