"""The store terminal app: modes for the role screens, the live-update watcher, who is logged in.

The app owns the store database handle and a watcher thread that notices commits
from any process (`terminal.data.watcher`). On each change it refreshes the
status line's counts and asks every live screen on the stack to re-run its
query. Screens that need a PIN (counter, manager, stock, dispatch, driver) go through the log-in
screen first; kitchen screens open for anyone, like a kitchen display. Printer
health is read in a worker on the same changes (and every few seconds, since a
waiting ticket grows old without any commit); the status line of every screen
shows a banner while a printer needs someone.
"""

from __future__ import annotations

import gc
import importlib
from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy.exc import DBAPIError
from textual.app import App
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from makeline.trade.unseen import alarm_text
from store_db.db import StoreDB
from store_db.errors import StoreError
from store_db.queries.store import StatusCounts, StoreInfo, status_counts, store_info, sync_status
from store_db.queries.unseen import unseen_orders
from terminal.config import TerminalConfig
from terminal.data.formatting import sync_line
from terminal.data.printer_health import banner_lines, printer_health
from terminal.data.roles import OnDuty, may_open, needs_pin, spec
from terminal.data.watcher import DataVersionWatcher
from terminal.dialogs.screen_picker import ScreenPicker
from terminal.messages import Counted, PrintersChecked, Stop, StoreChanged
from terminal.screens.base import LiveScreen
from terminal.widgets.literal import clean

# The schema check waits until the first screen is drawn: it would compete for the interpreter.
SCHEMA_CHECK_AFTER_S = 1.0
# So does the first look at the printers (importing the print queue costs ~0.3 s).
PRINTERS_FIRST_CHECK_S = 0.5
PRINTERS_CHECK_EVERY_S = 10.0
# An order becomes unseen by the clock, not by a change in the file: look again this often.
UNSEEN_CHECK_EVERY_S = 5.0

# Screen classes by mode, imported when first opened: a kitchen display never loads the counter.
_SCREENS = {
    "login": ("terminal.screens.login", "LoginScreen"),
    "counter": ("terminal.screens.counter", "CounterScreen"),
    "makeline": ("terminal.screens.make_line", "MakeLineScreen"),
    "sides": ("terminal.screens.make_line", "SidesScreen"),
    "oven": ("terminal.screens.oven", "OvenScreen"),
    "rack": ("terminal.screens.rack", "RackScreen"),
    "manager": ("terminal.screens.manager", "ManagerScreen"),
    "stock": ("terminal.screens.stock", "StockScreen"),
    "dispatch": ("terminal.screens.dispatch", "DispatchScreen"),
    "driver": ("terminal.screens.driver", "DriverScreen"),
    "board": ("terminal.screens.lobby", "LobbyScreen"),
}


def _screen_factory(mode: str) -> Callable[[], Screen[Any]]:
    module_name, class_name = _SCREENS[mode]

    def make() -> Screen[Any]:
        screen_class: type[Screen[Any]] = getattr(importlib.import_module(module_name), class_name)
        return screen_class()

    return make


class MakelineApp(App[None]):
    TITLE = "makeline"
    CSS_PATH = "styles/app.tcss"
    ENABLE_COMMAND_PALETTE = False
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = {
        mode: _screen_factory(mode) for mode in _SCREENS
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+t",
            "pick_screen",
            "Screens",
            id="app.pick_screen",
            tooltip="Switch to another screen (PIN screens ask for a log-in).",
        ),
        Binding("ctrl+l", "log_out", "Log out", id="app.log_out"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True, show=False),
    ]

    counts: reactive[StatusCounts] = reactive(StatusCounts())
    staff: reactive[OnDuty | None] = reactive(None)
    sync_text: reactive[str] = reactive("sync: —")
    printer_banner: reactive[tuple[str, ...]] = reactive(())
    unseen_alarm: reactive[str] = reactive("")  # online orders nobody saw ("" when none)

    def __init__(self, config: TerminalConfig, db: StoreDB | None = None) -> None:
        super().__init__()
        self.config = config
        # The schema check (alembic) costs ~0.2 s; it runs in a worker once the screen is up.
        self.db = db or StoreDB(config.db_path, check_schema=False)
        self._schema_checked = db is not None
        self.fatal: StoreError | None = None  # why the app had to stop, for the command line
        try:
            with self.db.read() as session:
                self.store: StoreInfo = store_info(session)
        except DBAPIError:
            from store_db.migrate import check_schema

            check_schema(self.db)  # says what is wrong with the file in a sentence
            raise
        self.watcher = DataVersionWatcher(config.db_path, config.poll_s)
        self.pending_mode: str | None = None
        self.login_reason = ""
        self._counting = False
        self._count_again = False
        self._printers_on = False  # after the first screen is drawn
        self._checking_printers = False
        self._check_printers_again = False

    def now(self) -> datetime:
        return self.config.now()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notice on every screen: its words shown as written, never read as markup (they
        often quote a name or an address someone typed)."""
        super().notify(
            clean(message, keep_newlines=True),
            title=clean(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def on_mount(self) -> None:
        # What exists by now (modules, styles, mappings) lives as long as the process: keep it
        # out of the collector so a full collection stays a few ms instead of ~80 ms mid-frame.
        self.call_after_refresh(gc.freeze)
        if not self._schema_checked:
            self.set_timer(SCHEMA_CHECK_AFTER_S, self._check_schema)
        self.run_worker(self._watch, thread=True, name="watcher", group="watcher", exit_on_error=False)
        self.refresh_counts()
        self.set_interval(UNSEEN_CHECK_EVERY_S, self.refresh_counts)
        self.set_timer(PRINTERS_FIRST_CHECK_S, self._start_printer_checks)
        self.go(self.config.screen)

    def _check_schema(self) -> None:
        db = self.db

        def work() -> None:
            from store_db.migrate import check_schema  # alembic: imported off the start-up path

            try:
                check_schema(db)
            except StoreError as exc:
                self.post_message(Stop(exc))

        self.run_worker(work, thread=True, name="schema", group="schema", exit_on_error=False)

    def on_stop(self, message: Stop) -> None:
        self.fatal = message.error
        self.exit(return_code=2)

    def on_unmount(self) -> None:
        self.watcher.stop()

    def _watch(self) -> None:
        def changed(version: int) -> None:
            self.post_message(StoreChanged(version))

        self.watcher.run(changed)

    # -- live updates -----------------------------------------------------------------------
    def on_store_changed(self, message: StoreChanged) -> None:
        self.refresh_counts()
        self.check_printers()
        for screen in self.screen_stack:
            if isinstance(screen, LiveScreen):
                screen.reload()

    def refresh_counts(self) -> None:
        if self._counting:
            self._count_again = True
            return
        self._counting = True
        db, now, bare = self.db, self.now(), self.config.bare

        def work() -> None:
            with db.read() as session:
                alarm = "" if bare else alarm_text(unseen_orders(session, now))
                self.post_message(Counted(status_counts(session), sync_status(session), alarm))

        self.run_worker(work, thread=True, name="counts", group="counts", exit_on_error=False)

    def on_counted(self, message: Counted) -> None:
        self._counting = False
        self.counts = message.counts
        self.sync_text = sync_line(message.sync, self.store.timezone)
        self.unseen_alarm = message.unseen
        if self._count_again:
            self._count_again = False
            self.refresh_counts()

    def _start_printer_checks(self) -> None:
        self._printers_on = True
        self.check_printers()
        self.set_interval(PRINTERS_CHECK_EVERY_S, self.check_printers)

    def check_printers(self) -> None:
        if not self._printers_on:
            return
        if self._checking_printers:
            self._check_printers_again = True
            return
        self._checking_printers = True
        db, now = self.db, self.now()

        def work() -> None:
            self.post_message(PrintersChecked(printer_health(db, now)))

        self.run_worker(work, thread=True, name="printers", group="printers", exit_on_error=False)

    def on_printers_checked(self, message: PrintersChecked) -> None:
        self._checking_printers = False
        self.printer_banner = banner_lines(message.printers)
        if self._check_printers_again:
            self._check_printers_again = False
            self.check_printers()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place an unexpected worker failure becomes a notice."""
        if event.state is not WorkerState.ERROR:
            return
        if event.worker.group == "counts":
            self._counting = False
        if event.worker.group == "printers":
            self._checking_printers = False
        error = event.worker.error
        what = "Live updates stopped" if event.worker.group == "watcher" else "That did not work"
        self.notify(f"{what}: {error}", severity="error", timeout=10)

    # -- screens and log-in -----------------------------------------------------------------
    def go(self, mode: str) -> None:
        role = self.staff.role if self.staff else None
        if may_open(mode, role):
            self.switch_mode(mode)
            return
        wanted = spec(mode)
        self.pending_mode = mode
        self.login_reason = f"The {wanted.title} screen needs a log-in" + (
            f" by a {' or '.join(sorted(r.replace('_', ' ') for r in wanted.roles))}."
            if self.staff is not None
            else "."
        )
        self.switch_mode("login")

    def logged_in(self, who: OnDuty) -> None:
        self.staff = who
        mode, self.pending_mode = self.pending_mode or "counter", None
        if may_open(mode, who.role):
            self.switch_mode(mode)
        else:
            self.notify(f"{who.name} may not open that screen.", severity="warning")
            self.switch_mode("makeline")

    def action_pick_screen(self) -> None:
        def picked(mode: str | None) -> None:
            if mode:
                self.go(mode)

        self.push_screen(ScreenPicker(), picked)

    def action_log_out(self) -> None:
        who = self.staff
        if who is None:
            return
        self.staff = None
        at, db, screen = self.now(), self.db, self.current_mode

        def work() -> None:
            from store_db.services import access

            db.run(access.logout, who.id, who.name, at, screen)

        self.run_worker(work, thread=True, name="logout", group="logout", exit_on_error=False)
        if needs_pin(self.current_mode):
            self.go(self.current_mode)
