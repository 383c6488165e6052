"""The driver's screen: clock in with a starting bank, the current run door by door, checking
the run in on return, and the cash-out at the end of the shift.

A driver logs in with a PIN. Not clocked in, the screen asks for the starting bank
(the change taken out) and Enter clocks in. In the store between runs it shows the
shift so far. Out on a run it lists the stops in order with address, phone, what to
collect and the outcome: `d` (or Enter) marks the selected stop delivered (the cash
taken, a tip), `n` not delivered with a reason, `c` checks the run in with the cash
in hand. `F10` cashes out with a manager's name and PIN; the slip prints and the driver is
logged out. Every
rule — cash short, a stop not marked, cash that does not match, a driver still out —
is the store's, and its sentence is shown; nothing is written then.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import ContentSwitcher, Footer, Input

from store_db.db import StoreDB
from store_db.dispatch.driver import DoorStop, DriverRun, current_run
from store_db.queries.driver_shift import DriverShift, driver_shift
from store_db.services import drivers, runs
from terminal.data.delivery_entry import read_cents
from terminal.data.formatting import clock, money, phone
from terminal.dialogs.cash_out import CashOutDialog
from terminal.dialogs.checkout import CheckoutDialog
from terminal.dialogs.stop_outcome import MONEY_KEYS, StopOutcomeDialog
from terminal.screens.base import LiveScreen
from terminal.widgets.fields import Field
from terminal.widgets.info_line import InfoLine
from terminal.widgets.literal import DataTable, Static, literal
from terminal.widgets.status_line import StatusLine


@dataclass(frozen=True)
class DriverData:
    driver_id: str
    name: str
    shift: DriverShift | None  # None: not clocked in
    run: DriverRun | None  # None: in the store


def collect_cell(stop: DoorStop) -> Text:
    if stop.collect == "paid":
        return Text("PAID", style="green")
    return Text(f"CASH {money(stop.amount_due)}", style="bold yellow")


def outcome_cell(stop: DoorStop) -> Text:
    if stop.outcome == "delivered":
        if stop.collect == "paid":
            return Text("✓ paid", style="green")
        tip = f" tip {money(stop.tip)}" if stop.tip else ""
        return Text(f"✓ {money(stop.collected)}{tip}", style="green")
    if stop.outcome == "not_delivered":
        return literal(f"✗ {stop.reason}", "bold red")
    return Text("")


class DriverScreen(LiveScreen[DriverData]):
    TITLE = "Driver"
    CSS_PATH = "../styles/driver.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "mark(True)", "Delivered", id="driver.delivered", tooltip="The selected stop."),
        Binding("n", "mark(False)", "Not delivered", id="driver.not_delivered"),
        Binding("c", "checkout", "Check in run", id="driver.checkout", tooltip="Back: count the cash."),
        Binding("f10", "cash_out", "Cash out", id="driver.cash_out", tooltip="End of shift."),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data: DriverData | None = None

    def compose(self) -> ComposeResult:
        yield StatusLine(self.TITLE)
        yield Static("", id="driver-head")
        with ContentSwitcher(initial="clock-in", id="driver-views"):
            with Vertical(id="clock-in"):
                yield Static("", id="clock-in-text")
                yield Field(placeholder="Starting bank, e.g. 20", id="bank", restrict=MONEY_KEYS)
            yield Static("", id="in-store")
            with Vertical(id="on-run"):
                yield Static("", id="run-head", classes="list-title")
                yield DataTable(
                    id="stops", cursor_type="row", zebra_stripes=True, cursor_foreground_priority="renderable"
                )
                yield Static("", id="stop-detail")
        yield InfoLine()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#stops", DataTable)
        for label in ("", "Order", "Customer", "Address", "Phone", "Collect", "ETA", "Done"):
            table.add_column(label, key=label.lower() or "n")

    def load(self, db: StoreDB) -> DriverData:
        who = self.makeline.staff
        if who is None:
            return DriverData("", "", None, None)
        with db.read() as session:
            shift = driver_shift(session, who.id)
            run = current_run(session, who.id) if shift else None
        return DriverData(who.id, who.name, shift, run)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys for the run show only on a run; the cash-out only on the clock."""
        data = self.data
        if action in ("mark", "checkout"):
            return data is not None and data.run is not None
        if action == "cash_out":
            return data is not None and data.shift is not None
        return True

    def show(self, data: DriverData) -> None:
        self.data = data
        self.refresh_bindings()
        switcher = self.query_one(ContentSwitcher)
        self.query_one("#driver-head", Static).update(self._head(data))
        if data.shift is None:
            self.query_one("#clock-in-text", Static).update(
                f"{data.name}, you are not clocked in. Type the starting bank you take out "
                "(the change for the night; 0 for none) and press Enter to clock in."
            )
            if switcher.current != "clock-in":
                switcher.current = "clock-in"
            self.query_one("#bank", Input).focus()
            self.query_one(InfoLine).count("")
            return
        if data.run is None:
            switcher.current = "in-store"
            self.query_one("#in-store", Static).update(
                "In the store. Wait at the rack for dispatch: your next run shows here when it leaves.\n"
                "At the end of the shift, F10 cashes you out (a manager confirms with a PIN)."
            )
            self.query_one(InfoLine).count("in the store")
            return
        switcher.current = "on-run"
        self._show_run(data.run)

    def _head(self, data: DriverData) -> Text:
        shift = data.shift
        if shift is None:
            return literal(f" {data.name} — not clocked in", "bold")
        zone = self.makeline.store.timezone
        return Text.assemble(
            literal(f" {data.name}", "bold"),
            f" · on since {clock(shift.clock_in_at, zone)} · bank {money(shift.starting_bank)} · "
            f"runs {shift.runs} · delivered {shift.deliveries} · cash {money(shift.cash_collected)} · "
            f"{shift.distance_m / 1000:.1f} km",
        )

    def _show_run(self, run: DriverRun) -> None:
        zone = run.zone
        self.query_one("#run-head", Static).update(
            f"RUN {run.number} · out {clock(run.dispatched_at, zone)} · back about "
            f"{clock(run.expected_return_at, zone)} · {run.distance_m / 1000:.1f} km · "
            f"cash to collect {money(run.cash_due)}"
        )
        table = self.query_one("#stops", DataTable)
        table.clear()
        for n, stop in enumerate(run.stops, start=1):
            table.add_row(
                str(n),
                Text(stop.label, style="bold"),
                stop.customer,
                stop.address,
                phone(stop.phone),
                collect_cell(stop),
                clock(stop.eta_at, zone) if stop.eta_at else "",
                outcome_cell(stop),
                key=stop.order_id,
            )
        following = run.next_stop
        if following is not None:
            table.move_cursor(row=run.stops.index(following))
        table.focus()
        self._detail()
        left = len(run.pending)
        self.query_one(InfoLine).count(
            f"{left} stop(s) to go · collected {money(run.cash_collected)}"
            if left
            else "Every stop is marked: back at the store, c checks the run in."
        )

    # -- clocking in --------------------------------------------------------------------------
    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "bank":
            return
        event.stop()
        data, typed, at = self.data, event.value, self.makeline.now()
        if data is None or not data.driver_id:
            return

        def job(db: StoreDB) -> str:
            bank = read_cents(typed, "Starting bank", blank=0)
            staff = db.run(drivers.clock_in_by_id, data.driver_id, at, starting_bank=bank)
            return f"{staff.name} is clocked in with a {money(bank)} starting bank."

        def done(text: str) -> None:
            self.query_one("#bank", Input).value = ""
            self._said(text)
            self.reload()

        self.run_job(job, done, self._refused, name="clock-in")

    # -- the run ------------------------------------------------------------------------------
    def _selected_stop(self) -> DoorStop | None:
        data = self.data
        if data is None or data.run is None:
            self._refused("You are not out on a run.")
            return None
        row = self.query_one("#stops", DataTable).cursor_row
        if not 0 <= row < len(data.run.stops):
            return None
        return data.run.stops[row]

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._detail()

    def _detail(self) -> None:
        """The selected door: the note for the door and what goes in the bag."""
        data = self.data
        detail = self.query_one("#stop-detail", Static)
        row = self.query_one("#stops", DataTable).cursor_row
        if data is None or data.run is None or not 0 <= row < len(data.run.stops):
            detail.update("")
            return
        stop = data.run.stops[row]
        text = Text()
        text.append(f"{stop.label} ", style="bold")
        if stop.address_note:
            text.append("AT THE DOOR: ", style="bold reverse")
            text.append(f" {stop.address_note}", style="bold")
            text.append("\n")
        text.append("IN THE BAG: ", style="bold")
        text.append(" · ".join(stop.bag) or "nothing listed")
        if stop.notes:
            text.append("\nNOTE: ", style="bold")
            text.append(stop.notes)
        detail.update(text)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_mark(True)

    def action_mark(self, delivered: bool) -> None:
        stop = self._selected_stop()
        if stop is None or self.data is None or self.data.run is None:
            return
        if not stop.pending:
            self._refused(f"{stop.label} is already marked {stop.outcome.replace('_', ' ')}.")
            return
        run_id = self.data.run.run_id
        if delivered and stop.collect == "paid":
            at = self.makeline.now()

            def job(db: StoreDB) -> str:  # paid already: nothing to count at the door
                db.run(runs.mark_stop, run_id, stop.order_id, True, at)
                return f"{stop.label} delivered (paid already)."

            self.run_job(job, self._marked, self._refused, name="mark-stop")
            return
        self.app.push_screen(StopOutcomeDialog(run_id, stop, delivered), self._marked)

    def _marked(self, result: str | None) -> None:
        if result:
            self._said(result)
            self.reload()

    def action_checkout(self) -> None:
        data = self.data
        if data is None or data.run is None:
            self._refused("You are not out on a run; there is nothing to check in.")
            return
        bank = data.shift.starting_bank if data.shift is not None else 0
        self.app.push_screen(CheckoutDialog(data.run, bank), self._marked)

    def action_cash_out(self) -> None:
        data = self.data
        if data is None or data.shift is None:
            self._refused("You are not clocked in; there is nothing to cash out.")
            return
        self.app.push_screen(CashOutDialog(data.driver_id, data.name, data.shift), self._cashed_out)

    def _cashed_out(self, result: str | None) -> None:
        """The shift is over: the sentence stays up a while, and the driver is logged out so the
        next person at this terminal is not working as them."""
        if result:
            self.app.notify(result, title="Shift over", timeout=20)
            self.makeline.action_log_out()

    def _said(self, text: str) -> None:
        self.query_one(InfoLine).say(text)

    def _refused(self, text: str) -> None:
        self.query_one(InfoLine).say(text, refused=True)
