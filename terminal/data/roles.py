"""Which screens exist, which need a PIN, and which roles may open them."""

from __future__ import annotations

from dataclasses import dataclass

from terminal.errors import BadTerminalOption


@dataclass(frozen=True)
class ScreenSpec:
    name: str
    title: str
    key: str  # the digit that picks it in the screen picker
    needs_pin: bool
    roles: frozenset[str]  # who may open it after logging in; empty: anyone, no log-in


_STAFF = frozenset({"crew", "shift_lead", "manager"})
_LEADS = frozenset({"shift_lead", "manager"})
_DRIVERS = frozenset({"driver"})
SCREENS: tuple[ScreenSpec, ...] = (
    ScreenSpec("counter", "Counter", "1", True, _STAFF),
    ScreenSpec("makeline", "Make line", "2", False, frozenset()),
    ScreenSpec("sides", "Sides", "3", False, frozenset()),
    ScreenSpec("oven", "Oven / cut table", "4", False, frozenset()),
    ScreenSpec("rack", "Rack", "5", False, frozenset()),
    ScreenSpec("manager", "Manager", "6", True, _LEADS),
    ScreenSpec("stock", "Stock count", "7", True, _LEADS),
    ScreenSpec("dispatch", "Dispatch", "8", True, _LEADS),
    ScreenSpec("driver", "Driver", "9", True, _DRIVERS),
    ScreenSpec("board", "Lobby board", "0", False, frozenset()),
)
SCREEN_NAMES = tuple(s.name for s in SCREENS)


def spec(name: str) -> ScreenSpec:
    for found in SCREENS:
        if found.name == name:
            return found
    raise BadTerminalOption(f"There is no '{name}' screen; use one of: {', '.join(SCREEN_NAMES)}.")


def needs_pin(name: str) -> bool:
    """False for kitchen screens and for names that are not role screens (the log-in screen)."""
    return any(s.name == name and s.needs_pin for s in SCREENS)


def may_open(name: str, role: str | None) -> bool:
    """Kitchen screens open for anyone; PIN screens only for a logged-in role they list."""
    wanted = spec(name)
    if not wanted.needs_pin:
        return True
    return role is not None and role in wanted.roles


@dataclass(frozen=True)
class OnDuty:
    """The staff member logged in at this terminal."""

    id: str
    name: str
    role: str
