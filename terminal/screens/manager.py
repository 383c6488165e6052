"""The manager's screen: today's KPIs, today's orders (void, reprint), staff lock-outs, the audit
log, the printers with the jobs waiting to print, the delivery KPIs per driver, and the
driver-hours needed (on runs) against worked (on the clock) per shift of the day.

F2 orders, F3 staff, F4 audit log, F5 printers, F6 drivers, F7 driver hours, F8 feed entries set aside
(`t` tries a held one again, after the fix); `o` holds online delivery open, busy or paused (or
hands it back to the kitchen's load). On the orders list `v` voids the selected order (reason +
a manager's or shift lead's PIN); `p` reprints its kitchen ticket and `r` its receipt (new jobs marked
REPRINT), from the orders list or from a waiting job on the printers view. On the staff list `u` unlocks
a locked-out member (an audited override). The KPIs are read off today's stage timestamps; the drivers'
(runs, deliveries, average delivery time, on-time %, runs per driver-hour) off the
stage timestamps of the orders on each driver's runs and the drivers' shifts.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import ContentSwitcher, Footer

from makeline.dispatch.staffing import ShiftHours
from makeline.trade.throttle import Throttle
from store_db.db import StoreDB
from store_db.queries.delivery_kpis import DriverKpis, driver_kpis
from store_db.queries.kitchen import sides_station_on
from store_db.queries.kpis import Kpis, todays_kpis
from store_db.queries.manager import AuditRow, OrderRow, StaffRow, recent_audit, staff_list, todays_orders
from store_db.queries.online import online_ordering
from store_db.queries.quarantine import SetAside, set_aside
from store_db.queries.staffing import todays_driver_hours
from store_db.services import access
from terminal.data.feed_retry import retry_job
from terminal.data.formatting import clock, minutes, money
from terminal.data.order_time import stage_words
from terminal.data.printer_health import PrintQueueView, print_queue
from terminal.dialogs.confirm import ConfirmDialog
from terminal.dialogs.online_ordering import LEFT_AS_IS, OnlineOrderingDialog, hold_job, throttle_line
from terminal.dialogs.void import VoidDialog
from terminal.screens.base import LiveScreen
from terminal.widgets.held_feed import HeldFeedTable
from terminal.widgets.info_line import InfoLine
from terminal.widgets.kpi_panel import ON_TIME_GOOD, kpi_panel, kpi_targets
from terminal.widgets.literal import DataTable, Static, literal
from terminal.widgets.printer_panel import PrinterPanel
from terminal.widgets.status_line import StatusLine


@dataclass(frozen=True)
class ManagerData:
    kpis: Kpis
    orders: list[OrderRow]
    staff: list[StaffRow]
    audit: list[AuditRow]
    drivers: list[DriverKpis]
    online: Throttle
    queue: PrintQueueView | None = None  # read only while the printers view is up
    driver_hours: list[ShiftHours] = field(default_factory=list)  # per shift of the day
    held: list[SetAside] = field(default_factory=list)  # feed entries set aside here


DRIVER_COLUMNS = ("Driver", "Runs", "Delivered", "Avg delivery", "On time", "Runs/h", "Hours", "Status")
HOURS_COLUMNS = ("Shift", "Needed h", "Worked h", "Idle h")


class ManagerScreen(LiveScreen[ManagerData]):
    TITLE = "Manager"
    CSS_PATH = "../styles/lists.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "view('orders')", "Orders", id="manager.orders"),
        Binding("f3", "view('staff')", "Staff", id="manager.staff"),
        Binding("f4", "view('audit')", "Audit log", id="manager.audit"),
        Binding("f5", "view('printers')", "Printers", id="manager.printers"),
        Binding(
            "f6", "view('drivers')", "Drivers", id="manager.drivers", tooltip="Delivery KPIs per driver."
        ),
        Binding(
            "f7",
            "view('driver-hours')",
            "Driver hours",
            id="manager.driver_hours",
            tooltip="Driver-hours needed (on runs) against worked (on the clock), per shift.",
        ),
        Binding("f8", "view('held')", "Held feed", id="manager.held"),
        Binding("v", "void", "Void", id="manager.void", tooltip="Void the selected order."),
        Binding("p", "reprint('kitchen')", "Reprint ticket", id="manager.reprint"),
        Binding("r", "reprint('receipt')", "Reprint receipt", id="manager.reprint_receipt"),
        Binding("u", "unlock", "Unlock", id="manager.unlock"),
        Binding("t", "retry_held", "Try again", id="manager.retry_held"),
        Binding(
            "o", "online", "Online ordering", id="manager.online", tooltip="Hold or release online delivery."
        ),
        Binding(
            "s",
            "sides_screen",
            "Sides screen",
            id="manager.sides_screen",
            tooltip="Turn the sides screen on or off (off: the cut table bags wings and bread).",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data: ManagerData | None = None
        self.view = "orders"  # which list is up; read by the loading worker, so not a widget

    def compose(self) -> ComposeResult:
        yield StatusLine(self.TITLE)
        yield Static("Loading today's figures…", id="kpis")
        yield Static("", id="online")
        with ContentSwitcher(initial="orders", id="manager-views"):
            yield DataTable(id="orders", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="staff", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="audit", cursor_type="row", zebra_stripes=True)
            yield PrinterPanel("printers")
            yield DataTable(id="drivers", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="driver-hours", cursor_type="row", zebra_stripes=True)
            yield HeldFeedTable("held")
        yield InfoLine()
        yield Footer()

    def on_mount(self) -> None:
        for table_id, columns in (
            ("orders", ("Order", "Stage", "Service", "Customer", "Total", "Placed", "Promise")),
            ("staff", ("Name", "Role", "Status")),
            ("audit", ("When", "Who", "What", "Detail")),
            ("drivers", DRIVER_COLUMNS),
            ("driver-hours", HOURS_COLUMNS),
        ):
            table = self.query_one(f"#{table_id}", DataTable)
            for column in columns:
                table.add_column(column, key=column.lower())
        self.query_one("#orders", DataTable).focus()

    def load(self, db: StoreDB) -> ManagerData:
        at = self.makeline.now()
        printers = self.view == "printers"
        with db.read() as session:
            data = ManagerData(
                todays_kpis(session, at),
                todays_orders(session, at),
                staff_list(session),
                recent_audit(session),
                driver_kpis(session, at),
                online_ordering(session),
                driver_hours=todays_driver_hours(session, at),
                held=set_aside(session, include_resolved=True),
            )
        return replace(data, queue=print_queue(db, at)) if printers else data

    def show(self, data: ManagerData) -> None:
        self.data = data
        zone, now = self.makeline.store.timezone, self.makeline.now()
        self.query_one("#kpis", Static).update(kpi_panel(data.kpis, kpi_targets(self.makeline.store)))
        self.query_one("#online", Static).update(throttle_line(data.online, zone))
        orders = self.query_one("#orders", DataTable)
        keep = orders.cursor_row
        orders.clear()
        for o in data.orders:
            stage = Text(stage_words(o, zone, now), style="red" if o.stage == "voided" else "")
            orders.add_row(
                Text(o.label, style="bold"),
                stage,
                o.service,
                o.customer_name,
                money(o.total),
                clock(o.placed_at, zone),
                clock(o.promise_at, zone),
                key=o.id,
            )
        if data.orders:
            orders.move_cursor(row=min(keep, len(data.orders) - 1))
        staff = self.query_one("#staff", DataTable)
        staff.clear()
        for s in data.staff:
            status = (
                Text(f"locked until {clock(s.locked_until, zone)}", style="bold red")
                if s.locked(now) and s.locked_until
                else Text("ok" if s.active else "inactive")
            )
            staff.add_row(s.name, s.role.replace("_", " "), status, key=s.id)
        audit = self.query_one("#audit", DataTable)
        audit.clear()
        for a in data.audit:
            audit.add_row(clock(a.at, zone), a.staff_name, a.action, a.detail)
        self._show_drivers(data.drivers)
        self._show_driver_hours(data.driver_hours)
        self.query_one(HeldFeedTable).show(data.held, zone)
        if data.queue is not None:
            self.query_one(PrinterPanel).show_queue(data.queue, zone, now)
            stuck = len(data.queue.waiting)
            self.query_one(InfoLine).count(
                f"{stuck} job(s) waiting to print" if stuck else "Nothing waiting."
            )

    def _show_drivers(self, rows: list[DriverKpis]) -> None:
        table = self.query_one("#drivers", DataTable)
        table.clear()
        for row in rows:
            on_time = row.on_time_pct
            table.add_row(
                literal(row.driver, "bold"),
                str(row.runs),
                str(row.deliveries),
                minutes(row.avg_delivery_s),
                Text(
                    f"{on_time:.0f}%" if on_time is not None else "—",
                    style="" if on_time is None or on_time >= ON_TIME_GOOD else "bold yellow",
                ),
                f"{row.runs_per_hour:.1f}" if row.runs_per_hour is not None else "—",
                f"{row.hours:.1f}",
                "on the clock" if row.on_clock else "cashed out",
                key=row.driver_id,
            )

    def _show_driver_hours(self, rows: list[ShiftHours]) -> None:
        table = self.query_one("#driver-hours", DataTable)
        table.clear()
        for row in rows:
            short = row.idle_h < 0
            table.add_row(
                Text(row.name, style="bold"),
                f"{row.needed_h:.1f}",
                f"{row.worked_h:.1f}",
                Text(f"{row.idle_h:+.1f}", style="bold red" if short else ""),
                key=row.name,
            )

    def action_view(self, name: str) -> None:
        self.view = name
        self.query_one(ContentSwitcher).current = name
        self.query_one("#print-jobs" if name == "printers" else f"#{name}", DataTable).focus()
        if name == "printers":
            self.reload()

    def _selected_order(self) -> OrderRow | None:
        table = self.query_one("#orders", DataTable)
        if self.data is None or not 0 <= table.cursor_row < len(self.data.orders):
            return None
        return self.data.orders[table.cursor_row]

    def action_void(self) -> None:
        order = self._selected_order()
        if order is None:
            return
        if not order.voidable:
            self._said(f"{order.label} is {order.stage.replace('_', ' ')}; it can no longer be voided.")
            return
        staff = self.makeline.staff
        approver = staff.name if staff and staff.role in ("manager", "shift_lead") else ""

        def closed(result: str | None) -> None:
            self._said(result or "Void cancelled; nothing changed.")

        self.app.push_screen(VoidDialog(order, approver), closed)

    def action_reprint(self, document: str) -> None:
        """Reprint for the selected order, or for the selected waiting job's order."""
        if self.view == "printers":
            found = self.query_one(PrinterPanel).selected_order()
            if found is None:
                self._said("Select a waiting job of an order (↑ / ↓) to reprint it.")
                return
            order_id, label = found
        else:
            order = self._selected_order()
            if order is None:
                return
            order_id, label = order.id, order.label
        at, staff = self.makeline.now(), self.makeline.staff
        what = "Kitchen ticket" if document == "kitchen" else "Receipt"

        def job(db: StoreDB) -> int:
            return db.run(access.reprint, order_id, document, staff.id if staff else None, at)

        def done(printers: int) -> None:
            self._said(
                f"{what} for {label} queued to {printers} printer(s), marked REPRINT."
                if printers
                else f"No printer is set up to print {what.lower()}s; nothing was queued."
            )

        self.run_job(job, done, name="reprint")

    def action_unlock(self) -> None:
        table = self.query_one("#staff", DataTable)
        staff = self.makeline.staff
        if self.data is None or staff is None or self.query_one(ContentSwitcher).current != "staff":
            self._said("Open the staff list (F3) and select who to unlock.")
            return
        if not 0 <= table.cursor_row < len(self.data.staff):
            return
        who, at = self.data.staff[table.cursor_row], self.makeline.now()

        def job(db: StoreDB) -> str:
            return db.run(access.unlock, staff.id, who.id, at)

        self.run_job(job, self._said, name="unlock")

    def action_retry_held(self) -> None:  # the list follows when the store file changes
        entry = self.query_one(HeldFeedTable).selected() if self.view == "held" else None
        self.run_job(retry_job(entry, self.makeline.now()), self._said, name="retry-held")

    def action_online(self) -> None:
        """Hold online delivery at a level, or hand it back to the load; recorded with who."""
        staff = self.makeline.staff
        if self.data is None or staff is None:
            return

        def chosen(choice: str | None) -> None:
            job = hold_job(staff.id, choice, self.makeline.now())
            if job is None:
                self._said(LEFT_AS_IS)
            else:
                self.run_job(job, self._said, name="online-ordering")

        self.app.push_screen(OnlineOrderingDialog(self.data.online), chosen)

    def action_sides_screen(self) -> None:
        """Flip the store setting; asks once, saying what changes for the kitchen."""
        staff = self.makeline.staff
        if staff is None:
            return

        def ask(db: StoreDB) -> bool:
            with db.read() as session:
                return sides_station_on(session)

        def asked(on: bool) -> None:
            question = (
                "The sides screen is ON. Turn it off? Wings and bread will be bagged at the cut table."
                if on
                else "The sides screen is OFF (the cut table bags sides). Turn it on? Sides will wait "
                "for the sides screen's bump."
            )

            def answered(yes: bool | None) -> None:
                if yes:
                    self._set_sides_screen(not on, staff.id)

            self.app.push_screen(ConfirmDialog(question), answered)

        self.run_job(ask, asked, name="sides-screen")

    def _set_sides_screen(self, on: bool, staff_id: str) -> None:
        at = self.makeline.now()

        def job(db: StoreDB) -> str:
            from store_db.services import kitchen

            db.run(kitchen.set_sides_station_by, on, at, staff_id)
            if on:
                return "Sides screen on: new orders' sides go to the sides screen."
            return "Sides screen off: new orders' sides are bagged at the cut table."

        self.run_job(job, self._said, name="sides-screen")

    def _said(self, text: str) -> None:
        self.query_one(InfoLine).say(text)
