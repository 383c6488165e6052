"""Signed access tokens (JWT, HS256 pinned, issuer and audience checked), opaque refresh
tokens, and the tracking codes printed on receipts."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import jwt

from cloud_api.errors import Unauthorized

ALGORITHM = "HS256"
ISSUER = "makeline-cloud"
AUDIENCE = "makeline-api"
TRACKING_AUDIENCE = "makeline-tracking"  # a ticket opens one order's tracker, nothing else
TRACKING_TICKET_TTL = timedelta(seconds=60)


def token_hash(token: str) -> str:
    """Refresh tokens and device secrets are random and long: SHA-256 is the right hash."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_refresh_token() -> str:
    return "mlr_" + secrets.token_urlsafe(32)


# Access tokens verified lately, kept per worker with their claims: a client sends the same
# token with every request until it expires, and checking the signature each time is waste.
_VERIFIED_MAX = 20_000
EXPIRED = "Your session has expired; sign in again or refresh it."
LEEWAY_S = 5


class TokenSigner:
    def __init__(
        self, secret: str, access_minutes: float = 15, clock: Callable[[], float] = time.time
    ) -> None:
        self._key = secret.encode()
        self.access_ttl = timedelta(minutes=access_minutes)
        self.clock = clock
        self._verified: dict[str, dict[str, Any]] = {}

    def access_token(
        self, account_id: str, role: str, store_id: str | None, now: datetime, version: int = 1
    ) -> str:
        claims: dict[str, Any] = {
            "sub": account_id,
            "role": role,
            "store": store_id,
            "sv": version,
            "iss": ISSUER,
            "aud": AUDIENCE,
            "iat": int(now.timestamp()),
            "exp": int((now + self.access_ttl).timestamp()),
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)

    def read_access(self, token: str) -> dict[str, Any]:
        """The token's claims, or `Unauthorized` saying why not. A token verified before is
        only checked for expiry (the same rule and leeway as the signature check's)."""
        known = self._verified.get(token)
        if known is not None and known["exp"] + LEEWAY_S > self.clock():
            return known
        self._verified.pop(token, None)
        claims = self._verify(token)
        if claims["exp"] + LEEWAY_S <= self.clock():
            raise Unauthorized(EXPIRED)
        if len(self._verified) >= _VERIFIED_MAX:
            self._verified.clear()
        self._verified[token] = claims
        return claims

    def _verify(self, token: str) -> dict[str, Any]:
        try:
            return jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "iss", "aud", "sv"]},
                leeway=LEEWAY_S,
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized(EXPIRED) from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized("That access token is not valid; sign in again.") from exc

    def tracking_ticket(self, order_id: str, now: datetime) -> str:
        """A short-lived token that opens this one order's tracker: what goes in the
        websocket's URL instead of an access token, which could be logged on the way."""
        claims = {
            "sub": order_id,
            "iss": ISSUER,
            "aud": TRACKING_AUDIENCE,
            "iat": int(now.timestamp()),
            "exp": int((now + TRACKING_TICKET_TTL).timestamp()),
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)

    def check_tracking_ticket(self, order_id: str, ticket: str) -> bool:
        try:
            claims = jwt.decode(
                ticket,
                self._key,
                algorithms=[ALGORITHM],
                audience=TRACKING_AUDIENCE,
                issuer=ISSUER,
                options={"require": ["exp", "sub", "aud"]},
            )
        except jwt.PyJWTError:
            return False
        return hmac.compare_digest(str(claims["sub"]), order_id)

    def tracking_code(self, order_id: str) -> str:
        """What a receipt's QR code carries so the tracker opens without signing in."""
        mac = hmac.new(self._key, f"track:{order_id}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac[:16]).decode().rstrip("=")

    def check_tracking_code(self, order_id: str, code: str) -> bool:
        return hmac.compare_digest(self.tracking_code(order_id), code)
