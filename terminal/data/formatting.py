"""How the screens write money, clocks and ages."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from store_db.queries.store import SyncStatus


def money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents) / 100:,.2f}"


def age(seconds: float) -> str:
    """m:ss under an hour, then h:mm:ss; never negative (clocks of two machines differ)."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def clock(at: datetime, zone: str) -> str:
    """The store's local time as staff say it: 7:42 PM."""
    local = at.astimezone(ZoneInfo(zone))
    return local.strftime("%I:%M %p").lstrip("0")


def day_and_clock(at: datetime, zone: str) -> str:
    """A moment on another day, as staff say it: Mar 14 7:42 PM."""
    local = at.astimezone(ZoneInfo(zone))
    return f"{local:%b} {local.day} {clock(at, zone)}"


def minutes(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return age(seconds)


def phone(digits: str) -> str:
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}" if len(digits) == 10 else digits


def sync_line(sync: SyncStatus, zone: str) -> str:
    """'sync: online', 'sync: OFFLINE since 7:02 PM · 12 waiting', 'sync: not set up'."""
    waiting = f" · {sync.unsent} waiting" if sync.unsent else ""
    waiting += f" · {sync.set_aside} set aside (manager)" if sync.set_aside else ""
    if sync.status == "online":
        return f"sync: online{waiting}"
    if sync.status == "offline":
        since = f" since {clock(sync.last_contact_at, zone)}" if sync.last_contact_at else ""
        return f"sync: OFFLINE{since}{waiting}"
    if sync.status == "revoked":
        return "sync: REVOKED — ask head office"
    return "sync: not set up"
