"""The built-in test gateway, the default outside production. It answers like Stripe's
test tokens and keeps its own record of charges, keyed by idempotency key, as a
real gateway does on its side (committed apart from our transaction).

    tok_visa, tok_mastercard, tok_amex       succeed
    tok_chargeDeclined                        declined: card_declined
    tok_chargeDeclinedInsufficientFunds       declined: insufficient_funds
    tok_chargeDeclinedExpiredCard             declined: expired_card
    tok_timeoutOnce                           charged, but the first answer is lost
    tok_timeoutThrice                         charged, but the first three answers are lost
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any, NamedTuple, cast

import psycopg
from sqlalchemy import Engine, Table, bindparam, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.dialects.postgresql import psycopg as postgresql_psycopg

from cloud_api.db.async_pool import AsyncPool
from cloud_api.models import TestGatewayCharge
from cloud_api.payments.gateway import (
    ChargeResult,
    GatewayError,
    GatewayTimeout,
    PaymentGateway,
    RefundResult,
)

SUCCEEDS = {"tok_visa", "tok_mastercard", "tok_amex", "tok_discover", "tok_visa_debit"}
DECLINES = {
    "tok_chargeDeclined": ("generic_decline", "Your card was declined."),
    "tok_chargeDeclinedInsufficientFunds": ("insufficient_funds", "Your card has insufficient funds."),
    "tok_chargeDeclinedExpiredCard": ("expired_card", "Your card has expired."),
}
LOST_ANSWERS = {"tok_timeoutOnce": 1, "tok_timeoutThrice": 3}
_CHARGES = cast(Table, TestGatewayCharge.__table__)
_RECORD = (
    insert(_CHARGES)
    .values(
        idempotency_key=bindparam("b_key"),
        intent_id=bindparam("b_intent"),
        kind=bindparam("b_kind"),
        amount=bindparam("b_amount"),
        token=bindparam("b_token"),
        status=bindparam("b_status"),
        decline_code=bindparam("b_decline"),
        calls=1,
        created_at=bindparam("b_at"),
    )
    .on_conflict_do_update(index_elements=["idempotency_key"], set_={"calls": _CHARGES.c.calls + 1})
    .returning(_CHARGES.c.intent_id, _CHARGES.c.amount, _CHARGES.c.token, _CHARGES.c.kind, _CHARGES.c.calls)
)

_COMPILED = _RECORD.compile(dialect=postgresql_psycopg.dialect())  # type: ignore[no-untyped-call]
_RECORD_SQL, _RECORD_DEFAULTS = str(_COMPILED).encode(), dict(_COMPILED.params)


def _params(
    key: str, kind: str, amount: int, token: str, status: str, decline_code: str | None
) -> dict[str, Any]:
    return _RECORD_DEFAULTS | {
        "b_key": key,
        "b_intent": f"pi_test_{secrets.token_hex(10)}",
        "b_kind": kind,
        "b_amount": amount,
        "b_token": token,
        "b_status": status,
        "b_decline": decline_code,
        "b_at": datetime.now(UTC),
    }


def _outcome(token: str) -> tuple[str, str | None, str]:
    """(status, decline code, message) the token's charge gets; an unknown token refused."""
    if token in DECLINES:
        code, message = DECLINES[token]
        return "declined", code, message
    if token not in SUCCEEDS and token not in LOST_ANSWERS:
        raise GatewayError(f"No such token: '{token}'.")
    return "succeeded", None, ""


def _checked(found: Any, kind: str, amount: int, token: str) -> Recorded:
    assert found is not None  # inserted or updated, one row either way
    recorded = Recorded(*found)
    if recorded.amount != amount or recorded.token != token or recorded.kind != kind:
        raise GatewayError("Keys for idempotent requests can only be used with the same parameters.")
    return recorded


def _answer(row: Recorded, token: str, message: str) -> ChargeResult:
    """The charge's answer as the gateway gives it (or loses it)."""
    if token in DECLINES:
        return ChargeResult("declined", row.intent_id, DECLINES[token][0], message)
    if row.calls <= LOST_ANSWERS.get(token, 0):
        raise GatewayTimeout("The test gateway took the charge but its answer was lost.")
    return ChargeResult("succeeded", row.intent_id)


class Recorded(NamedTuple):
    intent_id: str
    amount: int
    token: str
    kind: str
    calls: int


class TestGateway(PaymentGateway):
    __test__ = False  # not a pytest class
    name = "test"

    def __init__(self, engine: Engine, webhook_secret: str) -> None:
        super().__init__(webhook_secret)
        self.engine = engine
        # The event loop's connections to the same books (an order placed on the loop).
        self.books = AsyncPool(
            engine.url.render_as_string(hide_password=False), size=4, name="makeline-test-gateway"
        )

    def _record(
        self, key: str, kind: str, amount: int, token: str, status: str, decline_code: str | None
    ) -> Recorded:
        # On the driver's connection: the gateway's books are written with every card order.
        conn = self.engine.raw_connection()
        try:
            pg = conn.driver_connection
            assert isinstance(pg, psycopg.Connection)
            found = pg.execute(
                _RECORD_SQL, _params(key, kind, amount, token, status, decline_code)
            ).fetchone()
        finally:
            conn.close()
        return _checked(found, kind, amount, token)

    def charge(
        self,
        amount: int,
        currency: str,
        token: str,
        idempotency_key: str,
        description: str,
        metadata: dict[str, str],
    ) -> ChargeResult:
        status, code, message = _outcome(token)
        return _answer(self._record(idempotency_key, "charge", amount, token, status, code), token, message)

    async def charge_async(
        self,
        amount: int,
        currency: str,
        token: str,
        idempotency_key: str,
        description: str,
        metadata: dict[str, str],
    ) -> ChargeResult:
        status, code, message = _outcome(token)
        params = _params(idempotency_key, "charge", amount, token, status, code)
        async with self.books.connection() as conn:
            found = await (await conn.execute(_RECORD_SQL, params)).fetchone()
        return _answer(_checked(found, "charge", amount, token), token, message)

    def refund(self, reference: str, amount: int, idempotency_key: str) -> RefundResult:
        row = self._record(idempotency_key, "refund", amount, reference, "succeeded", None)
        return RefundResult(reference=row.intent_id, status="succeeded")

    def close(self) -> None:
        self.books.close_now()
        self.engine.dispose()

    def charges_for(self, idempotency_key_prefix: str) -> int:
        """How many distinct charges the gateway holds under keys with this prefix (for tests)."""
        with self.engine.connect() as conn:
            found = conn.execute(
                text(
                    "SELECT count(*) FROM test_gateway_charge WHERE kind = 'charge' "
                    "AND status = 'succeeded' AND idempotency_key LIKE :p"
                ),
                {"p": idempotency_key_prefix + "%"},
            ).scalar_one()
        return int(found)
