"""The make line (and the sides station): open tickets in order, bumped by position.

Keys: 1–9 bump the ticket in that slot, arrows move the selection and Enter
bumps it, `r` recalls the station's last bumped ticket, `p` shows the portion
guide for the selected ticket's pizzas, PgUp/PgDn page through a long rail.
A fixed set of cards is reused, so 300 open tickets cost no more to draw than
nine; a ticket bumped here leaves at once and comes back only if the bump fails.
"""

from __future__ import annotations

import itertools
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.events import Resize
from textual.widgets import Footer

from store_db.db import StoreDB
from store_db.queries.kitchen import BumpedTicket, Ticket, last_bumped, open_tickets
from terminal.screens.base import LiveScreen
from terminal.widgets.info_line import InfoLine
from terminal.widgets.status_line import StatusLine
from terminal.widgets.ticket_card import TicketCard

SLOTS = 9
CARD_WIDTH = 26  # wide enough for two half columns of toppings


def _bump_bindings() -> list[Binding]:
    return [
        Binding(
            str(n),
            f"bump({n})",
            "Bump",
            show=n == 1,
            key_display="1-9" if n == 1 else None,
            id=f"make_line.bump_{n}",
            tooltip=f"Bump the ticket in slot {n}.",
        )
        for n in range(1, SLOTS + 1)
    ]


def _warm_up() -> None:
    """Load what the first bump needs once the rail is drawn, not before it (start-up time)."""
    import store_db.services.kitchen  # noqa: F401
    import terminal.dialogs.portion_guide  # noqa: F401


class MakeLineScreen(LiveScreen[list[Ticket]]):
    STATION = "makeline"
    TITLE = "Make line"
    CSS_PATH = "../styles/make_line.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        *_bump_bindings(),
        Binding("enter", "bump_selected", "Bump selected", id="make_line.bump_selected"),
        Binding("left,up", "select(-1)", "Prev", show=False, id="make_line.previous"),
        Binding("right,down", "select(1)", "Next", show=False, id="make_line.next"),
        Binding(
            "r",
            "recall",
            "Recall last",
            id="make_line.recall",
            tooltip="Put the last bumped ticket back on the screen.",
        ),
        Binding(
            "p",
            "portion_guide",
            "Portions",
            id="make_line.portion_guide",
            tooltip="Portions for the selected ticket's pizza sizes.",
        ),
        Binding("pagedown", "page(1)", "More", id="make_line.page_down"),
        Binding("pageup", "page(-1)", "Back", show=False, id="make_line.page_up"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.tickets: list[Ticket] = []
        self.selected = 0  # index into the waiting tickets
        self.first = 0  # index of the ticket in slot 1
        self.per_page = 3
        self.card_width = CARD_WIDTH
        self._hidden: set[str] = set()  # bumped here, waiting for the store to agree
        self._warm = False
        self._cards: dict[str, TicketCard] = {}  # by ticket id: on the rail, or kept for paging back

    def compose(self) -> ComposeResult:
        yield StatusLine(self.TITLE)
        yield Horizontal(id="rail")
        yield InfoLine("rail-info")
        yield Footer()

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)

    # -- data -------------------------------------------------------------------------------
    def load(self, db: StoreDB) -> list[Ticket]:
        known = {t.id: t for t in self.tickets}  # a read of a list the UI thread replaces whole
        with db.read() as session:
            return open_tickets(session, self.STATION, known)

    def show(self, data: list[Ticket]) -> None:
        self._hidden &= {t.id for t in data}
        self.tickets = data
        self._layout()
        if not self._warm:
            self._warm = True
            self.run_worker(_warm_up, thread=True, name="warm-up", group="warm-up", exit_on_error=False)

    @property
    def waiting(self) -> list[Ticket]:
        """Open tickets minus those bumped here a moment ago."""
        return [t for t in self.tickets if t.id not in self._hidden]

    @property
    def cards(self) -> list[TicketCard]:
        """The cards on the rail, slot 1 first."""
        return sorted((c for c in self._cards.values() if c.display and c.slot), key=lambda c: c.slot)

    @property
    def shown_ids(self) -> list[str]:
        """Ticket ids in slot order, as drawn now (what a test or benchmark reads)."""
        return [c.ticket.id for c in self.cards]

    def _layout(self) -> None:
        waiting = self.waiting
        self.selected = max(0, min(self.selected, len(waiting) - 1))
        if self.selected < self.first:
            self.first = self.selected
        elif self.selected >= self.first + self.per_page:
            self.first = self.selected - self.per_page + 1
        self.first = max(0, min(self.first, max(0, len(waiting) - self.per_page)))
        page = waiting[self.first : self.first + self.per_page]
        self._place_cards(page)
        after = len(waiting) - self.first - len(page)
        info = f"{len(waiting)} open"
        if self.first:
            info += f" · {self.first} earlier ◂ PgUp"
        if after > 0:
            info += f" · {after} more ▸ PgDn"
        if not waiting:
            info = "No tickets. The next order shows here the moment it is placed."
        self.query_one(InfoLine).count(info)

    def _place_cards(self, page: list[Ticket]) -> None:
        """Show `page` on the rail, reusing each ticket's card so a shift redraws no ticket."""
        rail = self.query_one("#rail", Horizontal)
        store, now = self.makeline.store, self.makeline.now()
        wanted = {t.id: t for t in page}
        still_open = {t.id for t in self.tickets}
        for ticket_id, card in list(self._cards.items()):
            fresh = wanted.get(ticket_id)
            if fresh is not None and fresh.recalls == card.ticket.recalls:
                continue
            card.display, card.slot = False, 0
            # Keep a few cards off the rail for paging back; drop the rest, and every closed one.
            if fresh is not None or ticket_id not in still_open or len(self._cards) > 3 * SLOTS:
                del self._cards[ticket_id]
                card.remove()
        placed: list[TicketCard] = []
        for slot, ticket in enumerate(page, start=1):
            found = self._cards.get(ticket.id)
            if found is None:
                found = self._cards[ticket.id] = TicketCard(ticket)
                found.styles.width = self.card_width
                rail.mount(found)
            card = found
            card.display = True
            card.place(
                slot, self.first + slot - 1 == self.selected, now, store.make_target_s, store.make_late_s
            )
            placed.append(card)
        order = rail.children
        for before, card in itertools.pairwise(placed):
            if order.index(card) < order.index(before):
                rail.move_child(card, after=before)
                order = rail.children

    def _tick(self) -> None:
        store, now = self.makeline.store, self.makeline.now()
        for card in self.cards:
            card.tick(now, store.make_target_s, store.make_late_s)

    def on_resize(self, event: Resize) -> None:
        self.per_page = max(1, min(SLOTS, event.size.width // CARD_WIDTH))
        self.card_width = event.size.width // self.per_page
        for card in self._cards.values():
            card.styles.width = self.card_width
        self._layout()

    # -- actions ----------------------------------------------------------------------------
    def action_select(self, step: int) -> None:
        if self.waiting:
            self.selected = max(0, min(len(self.waiting) - 1, self.selected + step))
            self._layout()

    def action_page(self, step: int) -> None:
        if self.waiting:
            self.selected = max(0, min(len(self.waiting) - 1, self.first + step * self.per_page))
            self.first = max(0, self.first + step * self.per_page)
            self._layout()

    def action_bump(self, slot: int) -> None:
        index = self.first + slot - 1
        if slot <= self.per_page and index < len(self.waiting):
            self._bump(self.waiting[index])

    def action_bump_selected(self) -> None:
        if self.waiting:
            self._bump(self.waiting[self.selected])

    def _bump(self, ticket: Ticket) -> None:
        self._hidden.add(ticket.id)
        self._layout()
        at = self.makeline.now()

        def job(db: StoreDB) -> tuple[str, bool]:
            from store_db.services import kitchen

            with db.write() as session:
                bumped = kitchen.bump(session, ticket.id, at)
                return ticket.label, bumped.suspicious

        def refused(text: str) -> None:
            self._hidden.discard(ticket.id)
            self._layout()
            self.show_refusal(text)
            self.reload()

        self.run_job(job, self._bumped, refused, name="bump")

    def _bumped(self, result: tuple[str, bool]) -> None:
        label, suspicious = result
        note = " — bumped within seconds of arriving; recorded as an early bump" if suspicious else ""
        self.query_one(InfoLine).say(f"Bumped {label}{note}. r recalls it.")

    def action_recall(self) -> None:
        def job(db: StoreDB) -> BumpedTicket | None:
            from store_db.services import kitchen

            with db.write() as session:
                last = last_bumped(session, self.STATION)
                if last is not None:
                    kitchen.recall(session, last.id)
                return last

        def done(last: BumpedTicket | None) -> None:
            self.query_one(InfoLine).say(
                f"Recalled {last.label}." if last else "Nothing to recall: no ticket was bumped here."
            )

        self.run_job(job, done, name="recall")

    def action_portion_guide(self) -> None:
        visible = self.waiting
        if not visible or not visible[self.selected].pizzas:
            self.notify("Select a ticket with a pizza to see its portions.", timeout=3)
            return
        from terminal.dialogs.portion_guide import PortionGuide

        self.app.push_screen(PortionGuide(visible[self.selected]))


class SidesScreen(MakeLineScreen):
    """The same rail for wings, bread and desserts."""

    STATION = "sides"
    TITLE = "Sides"
