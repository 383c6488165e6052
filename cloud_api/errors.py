"""The cloud's error tree. Each error carries the HTTP status it answers with and,
when one input is to blame, the field to fix.

    CloudError                       500 unless a subclass says otherwise
    ├── Refused              400     a request we will not read (a webhook with a bad signature)
    ├── BadRequest           422     refused before anything was written
    ├── Unauthorized         401     no, expired, tampered or revoked credentials
    ├── Forbidden            403     signed in, but this role may not do this
    ├── NotFound             404     no such thing, or not yours to see
    ├── Conflict             409     the current state forbids it (store offline, stage passed)
    ├── PaymentRefused       402     the card was declined
    ├── TooManyAttempts      429     sign-in or sign-up throttled; says when to try again
    ├── GatewayUnavailable   503     the payment gateway did not answer: the outcome is unknown
    └── ConfigurationError   ---     the cloud cannot start as configured
"""

from __future__ import annotations


class CloudError(Exception):
    """Base of every error the cloud raises on purpose."""

    status_code = 500

    def __init__(self, detail: str, field: str | None = None, *, keep_writes: bool = False) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        # True when what the request wrote must stay although it is refused
        # (a reused refresh token revokes its family, then answers 401).
        self.keep_writes = keep_writes


class Refused(CloudError):
    status_code = 400


class BadRequest(CloudError):
    status_code = 422


class Unauthorized(CloudError):
    status_code = 401


class Forbidden(CloudError):
    status_code = 403


class NotFound(CloudError):
    status_code = 404


class Conflict(CloudError):
    status_code = 409


class PaymentRefused(CloudError):
    status_code = 402

    def __init__(self, detail: str, decline_code: str, field: str | None = "payment.token") -> None:
        super().__init__(detail, field)
        self.decline_code = decline_code


class TooManyAttempts(CloudError):
    status_code = 429

    def __init__(self, detail: str, retry_after_s: float, field: str | None = None) -> None:
        super().__init__(detail, field)
        self.retry_after_s = max(1.0, retry_after_s)  # to the hundredth in the body; whole in the header


class GatewayUnavailable(CloudError):
    status_code = 503


class ConfigurationError(CloudError):
    pass


def not_yours(what: str) -> NotFound:
    """Someone else's thing answers exactly like a missing one."""
    return NotFound(f"There is no {what} with that id.")
