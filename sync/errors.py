"""The sync package's error tree; each message says what a store manager can do about it.

SyncError
├── NotEnrolled            this store database is not connected to a cloud
├── AgentAlreadyRunning    another agent is syncing this store database
├── EnrollmentRefused      the cloud refused the enrollment code
├── CloudUnreachable       no answer, a timeout or a server error: the outcome is unknown
├── DeviceRefused          the cloud refused this store's credential (revoked)
├── ProtocolMismatch       the cloud speaks another protocol version
├── SecondDevice           another computer already syncs as this store (a copied database)
└── OutOfStep              the two ledgers disagree in a way retrying cannot fix
"""

from __future__ import annotations


class SyncError(Exception):
    """Base of every error the sync package raises on purpose."""


class NotEnrolled(SyncError):
    pass


class AgentAlreadyRunning(SyncError):
    pass


class EnrollmentRefused(SyncError):
    pass


class CloudUnreachable(SyncError):
    """Retry later with the same request: whatever was sent may or may not have arrived."""


class CloudBusy(CloudUnreachable):
    """The cloud asked us to come back after `retry_after_s` (429 Retry-After): it took
    nothing of this request; the same request goes again then."""

    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class DeviceRefused(SyncError):
    pass


class ProtocolMismatch(SyncError):
    pass


class SecondDevice(SyncError):
    """The cloud refused this computer: another one speaks for the store right now."""


class OutOfStep(SyncError):
    pass
