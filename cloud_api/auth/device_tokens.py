"""Store device credentials this worker has verified, kept with the device they speak for.

A store's agent sends the same credential with every heartbeat (a chain's worth: 1,333 a
second), so its secret is hashed and compared once per worker. Remembering a credential
never lets a revoked one through: the heartbeat's own statement writes nothing unless the
device is still bound to that store and not revoked, and a refusal forgets it here.
"""

from __future__ import annotations

import threading

from cloud_api.auth.principal import Principal

_MAX_ENTRIES = 50_000


class DeviceTokens:
    def __init__(self, max_entries: int = _MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._known: dict[str, Principal] = {}
        self._lock = threading.Lock()

    def known(self, token: str) -> Principal | None:
        """The device behind a credential verified before, else None (verify it)."""
        return self._known.get(token)

    def remember(self, token: str, device: Principal) -> None:
        with self._lock:
            if len(self._known) >= self.max_entries:
                self._known.clear()
            self._known[token] = device

    def forget(self, token: str) -> None:
        """The credential was refused (revoked, or its device moved): verify it afresh."""
        with self._lock:
            self._known.pop(token, None)
