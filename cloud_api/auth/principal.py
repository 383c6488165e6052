"""Who is calling (`Principal`) and what they may be (`Role`): the caller every service
checks, whichever door (HTTP, websocket, a background job) the request came through."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cloud_api.errors import Forbidden


class Role(StrEnum):
    CUSTOMER = "customer"
    HEAD_OFFICE = "head_office"
    STORE_MANAGER = "store_manager"
    STORE_DEVICE = "store_device"


@dataclass(frozen=True)
class Principal:
    """Who is calling: an account (customer or staff) or a store's device."""

    id: str
    role: Role
    store_id: str | None = None

    @property
    def is_store(self) -> bool:
        return self.role in (Role.STORE_MANAGER, Role.STORE_DEVICE)

    def require(self, *roles: Role) -> None:
        if self.role not in roles:
            allowed = ", ".join(r.value.replace("_", " ") for r in roles)
            raise Forbidden(f"Only {allowed} may do this; you are signed in as {self.role.value}.")

    def require_store(self, store_id: str) -> None:
        """Head office sees every store; a store's manager or device only its own."""
        if self.role is Role.HEAD_OFFICE:
            return
        if self.is_store and self.store_id == store_id:
            return
        if self.is_store:
            raise Forbidden("You can only see and change your own store.", "store_id")
        raise Forbidden("Only head office and the store itself may do this.", "store_id")

    def can_see_store(self, store_id: str) -> bool:
        return self.role is Role.HEAD_OFFICE or (self.is_store and self.store_id == store_id)
