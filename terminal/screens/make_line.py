"""The make line (and the sides station): every open ticket that fits, oldest first.

The tickets fill the screen in columns (`terminal.data.ticket_flow`): twelve or
more on a 1080p kitchen monitor, four or more on 80×24. Each ticket shows its
bump key — 1–9, 0, then letters — and keeps it for as long as it is on screen
(`terminal.data.bump_keys`), so paging or another ticket's bump never changes
what to press. Arrows move the selection and Enter bumps it, `r` recalls the
last bumped ticket, `p` shows the portion guide, PgUp/PgDn page. Tickets that
do not fit are never silent: a red bar says how many and how long the oldest
of them has waited. A ticket bumped here leaves at once and comes back only if
the bump fails.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer

from store_db.db import StoreDB
from store_db.queries.kitchen import (
    BumpedTicket,
    Ticket,
    open_tickets,
    sides_station_on,
)
from terminal.data.bump_keys import KEYS, BumpKeys
from terminal.data.formatting import age
from terminal.data.ticket_flow import columns_for, flow_page, page_starts
from terminal.screens.base import LiveScreen
from terminal.widgets.info_line import InfoLine
from terminal.widgets.literal import Static
from terminal.widgets.status_line import StatusLine
from terminal.widgets.ticket_grid import GridCard, TicketGrid


def _bump_bindings() -> list[Binding]:
    return [
        Binding(
            key,
            f"bump_key('{key}')",
            "Bump",
            show=n == 0,
            key_display="1-9 0 a-z" if n == 0 else None,
            id=f"make_line.bump_{key}",
            tooltip=f"Bump the ticket showing {key.upper()}.",
        )
        for n, key in enumerate(KEYS)
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
        Binding(
            "f2",
            "production",
            "Needs",
            id="make_line.production",
            tooltip="Dough, cheese and toppings to pull for the tickets on the line.",
        ),
        Binding("pagedown", "page(1)", "More", id="make_line.page_down"),
        Binding("pageup", "page(-1)", "Back", show=False, id="make_line.page_up"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.tickets: list[Ticket] = []
        self.page = 0
        self.selected_id: str | None = None
        self.keys = BumpKeys()
        self._cards: list[GridCard] = []
        self._first = 0
        self._hidden: set[str] = set()  # bumped here, waiting for the store to agree
        self._sighted: set[str] = set()  # online orders this screen told the store it drew
        self._warm = False

    def compose(self) -> ComposeResult:
        yield StatusLine(self.TITLE)
        yield TicketGrid()
        yield Static(id="rail-overflow")
        yield InfoLine("rail-info")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#rail-overflow", Static).display = False
        self.query_one(TicketGrid).care = not self.makeline.config.bare
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
    def cards(self) -> list[GridCard]:
        """The tickets on screen, oldest first."""
        return list(self._cards)

    @property
    def shown_ids(self) -> list[str]:
        """Ticket ids as drawn now (what a test or benchmark reads)."""
        return [c.ticket.id for c in self._cards]

    def key_of(self, number: int) -> str | None:
        """The bump key shown on order `number`'s ticket, if it is on screen."""
        return next((c.key for c in self._cards if c.ticket.number == number), None)

    # -- layout -----------------------------------------------------------------------------
    def _layout(self) -> None:
        grid = self.query_one(TicketGrid)
        waiting = self.waiting
        self.keys.forget_closed(t.id for t in waiting)
        width, rows = max(1, grid.size.width), max(1, grid.size.height)
        columns = columns_for(width)
        narrowest = width // columns

        def height_of(index: int) -> int:
            return grid.card_height(waiting[index], narrowest)

        limit = rows * columns  # every ticket that fits; those past the keys wait for one
        starts = page_starts(self.page, len(waiting), height_of, columns, rows, limit)
        self.page = min(self.page, len(starts) - 1)
        self._first = starts[self.page]
        placed = flow_page(self._first, len(waiting), height_of, columns, rows, limit)
        keys = self.keys.assign([waiting[p.index].id for p in placed])
        on_page = [waiting[p.index].id for p in placed]
        if self.selected_id not in on_page:
            self.selected_id = on_page[0] if on_page else None
        self._cards = [
            GridCard(
                ticket=waiting[p.index],
                key=keys.get(waiting[p.index].id, ""),
                column=p.column,
                top=p.top,
                height=p.height,
                cut=p.cut,
                selected=waiting[p.index].id == self.selected_id,
            )
            for p in placed
        ]
        store = self.makeline.store
        grid.show(self._cards, columns, self.makeline.now(), (store.make_target_s, store.make_late_s))
        self._say_counts(len(waiting), len(starts))
        self._overflow(self.makeline.now())
        self._record_sightings()

    def _record_sightings(self) -> None:
        """Online orders drawn on the make line for the first time are seen: no alarm for them
        (`makeline.trade.unseen`). Recorded once per order by this screen."""
        if self.STATION != "makeline":
            return
        self._sighted &= {t.order_id for t in self.tickets}  # only those still open
        new = {c.ticket.order_id for c in self._cards if c.ticket.channel == "online"} - self._sighted
        if not new:
            return
        self._sighted |= new
        at = self.makeline.now()

        def job(db: StoreDB) -> int:
            from store_db.services import sightings

            return db.run(sightings.mark_seen, sorted(new), at)

        def refused(text: str) -> None:
            self._sighted -= new  # tried again on the next draw
            self.show_refusal(text)

        self.run_job(job, lambda _count: None, refused, name="sighting")

    def _say_counts(self, total: int, pages: int) -> None:
        info = f"{total} open"
        if self.page or len(self._cards) < total:
            info += f" · page {self.page + 1}"
        if not total:
            info = "No tickets. The next order shows here the moment it is placed."
        self.query_one(InfoLine).count(info)

    def _overflow(self, now: datetime) -> None:
        """The loud bar: tickets that are not on screen, and how long the oldest has waited."""
        waiting = self.waiting
        before = waiting[: self._first]
        after = waiting[self._first + len(self._cards) :]
        bar = self.query_one("#rail-overflow", Static)
        bar.display = bool(before or after)
        if not bar.display:
            return
        line = Text(no_wrap=True, overflow="ellipsis")
        if before:
            oldest = (now - before[0].placed_at).total_seconds()
            line.append(
                f" ◂ PgUp: {len(before)} OLDER not shown, oldest waiting {age(oldest)} ",
                style="bold",
            )
        if after:
            oldest = (now - after[0].placed_at).total_seconds()
            line.append(
                f" +{len(after)} more ▸ PgDn, oldest waiting {age(oldest)} ",
                style="bold",
            )
        bar.set_class(bool(before), "-older")
        bar.update(line)

    def _tick(self) -> None:
        now = self.makeline.now()
        self.query_one(TicketGrid).tick(now)
        self._overflow(now)

    def on_ticket_grid_resized(self, message: TicketGrid.Resized) -> None:
        message.stop()
        self._layout()

    # -- actions ----------------------------------------------------------------------------
    def _on_page(self) -> list[str]:
        return [c.ticket.id for c in self._cards]

    def action_select(self, step: int) -> None:
        on_page = self._on_page()
        if not on_page:
            return
        at = on_page.index(self.selected_id) if self.selected_id in on_page else 0
        wanted = at + step
        if wanted >= len(on_page):
            if self._first + len(on_page) < len(self.waiting):
                self.page += 1
                self.selected_id = None
        elif wanted < 0:
            if self.page:
                self.page -= 1
                self._layout()
                self.selected_id = self._on_page()[-1] if self._cards else None
        else:
            self.selected_id = on_page[wanted]
        self._layout()

    def action_page(self, step: int) -> None:
        if step > 0 and self._first + len(self._cards) >= len(self.waiting):
            return
        self.page = max(0, self.page + step)
        self.selected_id = None
        self._layout()

    def action_bump_key(self, key: str) -> None:
        card = next((c for c in self._cards if c.key == key), None)
        if card is not None:
            self._bump(card.ticket)
        elif self.keys.ticket_of(key) is not None:
            self.query_one(InfoLine).say(f"{key.upper()} is on another page: PgUp/PgDn to see it.")

    def action_bump_selected(self) -> None:
        card = next((c for c in self._cards if c.ticket.id == self.selected_id), None)
        if card is not None:
            self._bump(card.ticket)

    def _bump(self, ticket: Ticket) -> None:
        if ticket.care:
            self._ask_care(ticket)
            return
        self._send_bump(ticket, None)

    def _ask_care(self, ticket: Ticket) -> None:
        """A flagged ticket: its flags read and a name given first (`CareAckDialog`)."""
        from terminal.dialogs.care_ack import CareAckDialog

        def answered(name: str | None) -> None:
            if name is None:
                self.query_one(InfoLine).say(
                    f"{ticket.label} stays on the screen: its flags were not checked."
                )
                return
            self._send_bump(ticket, name)

        on_duty = self.makeline.staff
        self.app.push_screen(CareAckDialog(ticket, on_duty.name if on_duty else ""), answered)

    def _send_bump(self, ticket: Ticket, ack_by: str | None) -> None:
        self._hidden.add(ticket.id)
        if self.selected_id == ticket.id:
            on_page = self._on_page()
            where = on_page.index(ticket.id)
            rest = on_page[where + 1 :] or on_page[:where]
            self.selected_id = rest[0] if rest else None
        self._layout()
        at = self.makeline.now()

        def job(db: StoreDB) -> tuple[str, bool]:
            from store_db.services import kitchen

            bumped = db.run(kitchen.bump, ticket.id, at, ack_by=ack_by)
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
        at = self.makeline.now()

        def job(db: StoreDB) -> BumpedTicket | None:
            from store_db.services import kitchen

            return db.run(kitchen.recall_last, self.STATION, at)

        def done(last: BumpedTicket | None) -> None:
            self.query_one(InfoLine).say(
                f"Recalled {last.label}." if last else "Nothing to recall: no ticket was bumped here."
            )

        self.run_job(job, done, name="recall")

    def action_portion_guide(self) -> None:
        card = next((c for c in self._cards if c.ticket.id == self.selected_id), None)
        if card is None or not card.ticket.pizzas:
            self.notify("Select a ticket with a pizza to see its portions.", timeout=3)
            return
        from terminal.dialogs.portion_guide import PortionGuide

        self.app.push_screen(PortionGuide(card.ticket))

    def action_production(self) -> None:
        from terminal.dialogs.production import ProductionCounts

        self.app.push_screen(ProductionCounts(self.STATION))


class SidesScreen(MakeLineScreen):
    """The same grid for wings, bread and desserts, when the store has a sides screen."""

    STATION = "sides"
    TITLE = "Sides"

    def __init__(self) -> None:
        super().__init__()
        self.station_on = True

    def load(self, db: StoreDB) -> list[Ticket]:
        with db.read() as session:
            on = sides_station_on(session)
        self.station_on = on  # a plain flag, read by the UI thread after this result arrives
        return super().load(db)

    def _say_counts(self, total: int, pages: int) -> None:
        super()._say_counts(total, pages)
        if not self.station_on and not total:
            self.query_one(InfoLine).count(
                "This store has no sides screen: sides are bagged at the cut table with the boxes. "
                "Turn it on in the store settings to make them here."
            )
