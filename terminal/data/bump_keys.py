"""Bump-bar keys that stay with their ticket: 1–9, 0, then letters.

A ticket gets the lowest free key the first time it is on screen and keeps it
while it is open, across paging and across other tickets being bumped, so a
cook who read "7" across the room presses 7. Keys come back when their ticket
leaves; only when every key is taken does a ticket that is off screen give its
key up to one on screen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

RESERVED = frozenset("pr")  # p: portion guide, r: recall
KEYS: tuple[str, ...] = tuple("1234567890") + tuple(
    c for c in "abcdefghijklmnopqrstuvwxyz" if c not in RESERVED
)


class BumpKeys:
    def __init__(self, keys: Sequence[str] = KEYS) -> None:
        self.keys = tuple(keys)
        self._of: dict[str, str] = {}  # ticket id -> key
        self._given: dict[str, int] = {}  # ticket id -> when it got its key (oldest gives first)
        self._clock = 0

    def __len__(self) -> int:
        return len(self.keys)

    def key_of(self, ticket_id: str) -> str | None:
        return self._of.get(ticket_id)

    def ticket_of(self, key: str) -> str | None:
        return next((t for t, k in self._of.items() if k == key), None)

    def forget_closed(self, open_ids: Iterable[str]) -> None:
        """Free the keys of tickets that are no longer open."""
        still = set(open_ids)
        for ticket_id in [t for t in self._of if t not in still]:
            del self._of[ticket_id]
            del self._given[ticket_id]

    def assign(self, shown: Sequence[str]) -> dict[str, str]:
        """Keys for the tickets on screen, oldest first; at most one key per ticket."""
        on_screen = set(shown)
        for ticket_id in shown:
            if ticket_id in self._of:
                continue
            taken = set(self._of.values())
            free = next((k for k in self.keys if k not in taken), None)
            if free is None:
                spare = [t for t in self._of if t not in on_screen]
                if not spare:
                    break  # more tickets on screen than keys: the rest get none
                donor = min(spare, key=self._given.__getitem__)
                free = self._of.pop(donor)
                del self._given[donor]
            self._clock += 1
            self._of[ticket_id], self._given[ticket_id] = free, self._clock
        return {t: self._of[t] for t in shown if t in self._of}
