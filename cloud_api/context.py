"""The parts one cloud worker shares between requests, built once per process."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import partial

from sqlalchemy import create_engine

from cloud_api.auth import passwords
from cloud_api.auth.repository import secret
from cloud_api.auth.sessions import SessionCheck
from cloud_api.auth.throttle import Throttle
from cloud_api.auth.tokens import TokenSigner
from cloud_api.db.database import Announcement, Database
from cloud_api.db.migrate import check_schema
from cloud_api.errors import ConfigurationError
from cloud_api.notifications.email_sender import EmailSender, LogEmailSender, SendGridSender
from cloud_api.notifications.sender import LogSender, SmsSender, TwilioSender
from cloud_api.payments.gateway import PaymentGateway
from cloud_api.payments.stripe_gateway import StripeGateway
from cloud_api.payments.test_gateway import TestGateway
from cloud_api.pubsub.announcer import Announcer
from cloud_api.pubsub.hub import Hub
from cloud_api.settings import CloudSettings, sqlalchemy_url
from cloud_api.store_events.repository import backlog
from cloud_api.sync.admission import Admission
from cloud_api.sync.brake import Backlog, Brake
from cloud_api.sync.pace import FRESH_S


@dataclass
class CloudContext:
    settings: CloudSettings
    db: Database
    tokens: TokenSigner
    gateway: PaymentGateway
    sms: SmsSender
    email: EmailSender
    hub: Hub
    announcer: Announcer
    public_url: str
    throttle: Throttle
    sessions: SessionCheck
    admission: Admission
    brake: Brake  # a push waits while the appliers are this far behind (`sync.brake`)


DEMO_WEBHOOK_SECRET = "whsec_makeline_demo_gateway"  # the demo's only: anyone may read it here


def check_settings(settings: CloudSettings) -> None:
    """Refuse a configuration that would run on a default secret in production."""
    if settings.production and settings.payment_gateway == "test" and not settings.test_webhook_secret:
        raise ConfigurationError(
            "Production mode with the test payment gateway needs its webhook secret: set "
            "MAKELINE_TEST_WEBHOOK_SECRET to a long random value (or use the Stripe gateway with "
            "STRIPE_API_KEY and STRIPE_WEBHOOK_SECRET). The cloud was not started."
        )
    if settings.production and settings.demo:
        raise ConfigurationError("Production mode and the demo exclude each other; drop one of them.")
    if settings.sync_port and settings.sync_port == settings.port:
        raise ConfigurationError(
            f"The stores' sync port ({settings.sync_port}) is the customers' port too: give "
            "--sync-port another port, or leave it out to serve the stores on the same workers."
        )
    if not 0 <= settings.sync_port <= 65535 or settings.sync_workers < 1:
        raise ConfigurationError(
            "The stores' sync needs a port from 1 to 65535 (--sync-port) and at least one "
            "worker (--sync-workers)."
        )


def _test_webhook_secret(settings: CloudSettings, db: Database) -> str:
    if settings.test_webhook_secret:
        return settings.test_webhook_secret
    if settings.demo:
        return DEMO_WEBHOOK_SECRET
    with db.transaction() as session:  # every worker signs with the same one
        return secret(session, "test_webhook", "whsec_" + secrets.token_urlsafe(32))


def _gateway(settings: CloudSettings, url: str, webhook_secret: str) -> PaymentGateway:
    if settings.payment_gateway == "stripe":
        if not settings.stripe_api_key or not settings.stripe_webhook_secret:
            raise ConfigurationError("The Stripe gateway needs STRIPE_API_KEY and STRIPE_WEBHOOK_SECRET.")
        return StripeGateway(
            settings.stripe_api_key, settings.stripe_webhook_secret, settings.stripe_base_url
        )
    # The test gateway keeps its books on its own small pool, apart from our transactions.
    # Its commits need not wait for the disk: they stand for another company's records.
    engine = create_engine(
        sqlalchemy_url(url),
        pool_size=4,
        max_overflow=16,
        isolation_level="AUTOCOMMIT",
        connect_args={"options": "-c synchronous_commit=off"},
    )
    return TestGateway(engine, webhook_secret)


def _sms(settings: CloudSettings) -> SmsSender:
    if settings.twilio_account_sid and settings.twilio_auth_token:
        return TwilioSender(
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            settings.twilio_from,
            settings.twilio_base_url,
        )
    return LogSender()


def _email(settings: CloudSettings) -> EmailSender:
    if settings.sendgrid_api_key:
        return SendGridSender(settings.sendgrid_api_key, settings.email_from, settings.sendgrid_base_url)
    return LogEmailSender()


def build(settings: CloudSettings) -> CloudContext:
    check_settings(settings)
    url = settings.database_url
    if not url:
        raise ConfigurationError(
            "No database to use: set DATABASE_URL, or start the cloud with `makeline cloud`, which runs "
            "an embedded PostgreSQL."
        )
    passwords.use_cost(settings.password_time_cost, settings.password_memory_kib)
    announcer = Announcer(url, settings.notify_window_ms / 1000)
    db = Database(url, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow, sink=announcer)
    check_schema(db.engine)
    with db.transaction() as session:
        key = settings.jwt_secret or secret(session, "jwt", secrets.token_urlsafe(48))
    public_url = settings.public_url.rstrip("/") or f"http://{settings.host}:{settings.port}"
    return CloudContext(
        settings=settings,
        db=db,
        tokens=TokenSigner(key, settings.access_token_minutes),
        gateway=_gateway(settings, url, _test_webhook_secret(settings, db)),
        sms=_sms(settings),
        email=_email(settings),
        hub=Hub(),
        announcer=announcer,
        public_url=public_url,
        throttle=Throttle(db),
        sessions=SessionCheck(db, settings.session_check_seconds),
        admission=Admission(settings.sync_push_slots, settings.sync_push_wait_s),
        brake=Brake(
            partial(_backlog, db),
            settings.sync_backlog_events,
            settings.sync_backlog_s,
            settings.sync_backlog_wait_s,
            holding=partial(_pushes_held, announcer),
        ),
    )


def _pushes_held(announcer: Announcer) -> None:
    """Pushes wait on the brake: told as a push's events are, so a quiet applier hears the
    storm still on (`sync.news`)."""
    held = Announcement()
    held.inbound = True
    announcer.post(held)


def _backlog(db: Database) -> Backlog:
    """Events stored and waiting to be applied, all stores', and the appliers' pace."""
    with db.transaction() as session:
        return Backlog(*backlog(session, FRESH_S))
