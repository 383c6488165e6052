"""Log-in by name and PIN for the counter and manager screens.

Five wrong PINs lock that staff member out for five minutes (the store's rule,
counted in the database so every terminal agrees); every log-in is audited.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input

from store_db.db import StoreDB
from store_db.queries.store import staff_names
from store_db.services import access
from terminal.data.roles import OnDuty
from terminal.screens.base import StoreJobs
from terminal.widgets.fields import Field
from terminal.widgets.literal import Static, suggest_from
from terminal.widgets.status_line import StatusLine


class LoginScreen(StoreJobs, Screen[None]):
    CSS_PATH = "../styles/login.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "clear", "Clear", id="login.clear")]

    def compose(self) -> ComposeResult:
        yield StatusLine("Log in")
        with Center(), Vertical(id="login-box", classes="dialog"):
            yield Static("Log in", classes="dialog-title")
            yield Static("", id="login-reason")
            yield Field(placeholder="Your name", id="login-name")
            yield Field(placeholder="PIN", password=True, id="login-pin", restrict=r"\d{0,8}")
            yield Static("", id="login-message")
        yield Footer()

    def on_mount(self) -> None:
        def job(db: StoreDB) -> list[str]:
            with db.read() as session:
                return staff_names(session)

        self.run_job(job, self._names, name="staff-names")

    def _names(self, names: list[str]) -> None:
        self.query_one("#login-name", Input).suggester = suggest_from(names)

    def on_screen_resume(self) -> None:
        self.query_one("#login-reason", Static).update(self.makeline.login_reason)
        self.action_clear()

    def action_clear(self) -> None:
        self.query_one("#login-name", Input).value = ""
        self.query_one("#login-pin", Input).value = ""
        self.query_one("#login-name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = self.query_one("#login-name", Input)
        pin = self.query_one("#login-pin", Input)
        if event.input is name:
            if name.value.strip():
                pin.focus()
            return
        if not name.value.strip():
            name.focus()
            return
        who, typed = name.value.strip(), pin.value
        pin.value = ""
        at, screen = self.makeline.now(), self.makeline.pending_mode or "counter"

        def job(db: StoreDB) -> access.PinOutcome:
            return db.run(access.login, who, typed, at, screen)

        self.run_job(job, self._checked, self._refused, name="login")

    def _checked(self, outcome: access.PinOutcome) -> None:
        if not outcome.ok:
            self._refused(outcome.message)
            return
        self.query_one("#login-message", Static).update("")
        self.makeline.logged_in(OnDuty(outcome.staff_id, outcome.name, outcome.role))

    def _refused(self, text: str) -> None:
        self.query_one("#login-message", Static).update(text)
        self.query_one("#login-pin", Input).focus()
