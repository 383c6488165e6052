"""The lobby board: a screen for the customers waiting at the counter.

Carryout orders by number and first name, in three columns: being made, in the
oven, ready for pick-up. No prices, no phone numbers, no keys to press: it only
shows. Open it on a screen facing the lobby (`--screen board`, or in a browser
through `makeline serve --screen board`).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical

from makeline.trade.business_day import business_date
from store_db.db import StoreDB
from store_db.queries.lobby import READY, STEPS, LobbyOrder, lobby_board
from terminal.screens.base import LiveScreen
from terminal.widgets.literal import Static, literal


def _line(order: LobbyOrder, ready: bool) -> Text:
    line = Text(f"#{order.number}", style="bold green" if ready else "bold")
    if order.first_name:
        line.append("  ")
        line.append(literal(order.first_name))  # a customer's own text: shown as typed
    return line


class LobbyScreen(LiveScreen[list[LobbyOrder]]):
    TITLE = "Your order"
    CSS_PATH = "../styles/lobby.tcss"

    def compose(self) -> ComposeResult:
        with Horizontal(id="lobby-columns"):
            for n, step in enumerate(STEPS):
                with Vertical(classes="lobby-column"):
                    yield Static(step.upper(), classes="lobby-title")
                    yield Static("", id=f"lobby-{n}", classes="lobby-orders")

    def on_mount(self) -> None:
        self.reload()

    def load(self, db: StoreDB) -> list[LobbyOrder]:
        store = self.makeline.store
        day = business_date(self.makeline.now(), store.timezone, store.day_starts_hour)
        with db.read() as session:
            return lobby_board(session, day)

    def show(self, data: list[LobbyOrder]) -> None:
        for n, step in enumerate(STEPS):
            lines = [_line(o, step == READY) for o in data if o.step == step]
            self.query_one(f"#lobby-{n}", Static).update(Text("\n").join(lines) if lines else Text(""))
