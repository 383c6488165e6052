"""The dispatch board: drivers in and out, delivery orders by stage, and the runs to send next.

The suggestion comes from the store's planner (`store_db.dispatch.planning.suggest`,
up to its 250 ms time limit), always in a thread worker. It is planned again when
the database changes — an order out of the oven, a driver back — debounced so a
burst of commits costs one plan; an older plan is dropped. `a` accepts the selected
run (its orders go out the door, the run sheet prints), `m` moves the selected
order to another driver's run or off every run, `h` dispatches by hand, `r` plans
again. A moved plan is the dispatcher's: it stays as edited (the board around it
keeps updating) until a run is accepted or `r` is pressed.

Above the runs: orders over the rack-time cap in red with their wait, and the drivers the
next hour needs against those in and on their way, amber when one must be called in
(`makeline.dispatch.staffing`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Footer

from makeline.dispatch import PlanError
from makeline.dispatch.staffing import Outlook
from store_db.db import StoreDB
from store_db.dispatch.driver import DriverRun, run_view
from store_db.dispatch.editing import move_order
from store_db.dispatch.planning import SuggestedRun, SuggestedStop, Suggestion, suggest
from store_db.queries.dispatch_board import Board, read_board
from store_db.queries.staffing import read_outlook
from store_db.services.dispatch import accept
from terminal.data.dispatch_view import STYLE, over_cap_sentence, placements
from terminal.data.formatting import age, clock
from terminal.dialogs.hand_run import HandRunDialog, sent_sentence
from terminal.dialogs.move_order import MoveOrderDialog
from terminal.screens.base import LiveScreen
from terminal.widgets.dispatch_lists import DriversList, OrdersList, RunsList
from terminal.widgets.info_line import InfoLine
from terminal.widgets.literal import Static
from terminal.widgets.status_line import StatusLine

# A burst of commits (three boxes in a row) becomes one plan this long after the first.
REPLAN_AFTER_S = 0.2
# Release times and ETAs drift with the clock even when nothing is committed.
REPLAN_EVERY_S = 30.0


@dataclass(frozen=True)
class DispatchData:
    board: Board
    suggestion: Suggestion | None  # None while the dispatcher's edited plan is kept
    problem: str = ""  # why there is no plan (the travel times could not be had, …)
    staffing: Outlook | None = None  # the next hour's drivers


class DispatchScreen(LiveScreen[DispatchData]):
    TITLE = "Dispatch"
    CSS_PATH = "../styles/dispatch.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "accept", "Accept run", id="dispatch.accept", tooltip="Send the selected run now."),
        Binding("m", "move", "Move order", id="dispatch.move", tooltip="Move the selected order."),
        Binding("h", "by_hand", "By hand", id="dispatch.by_hand", tooltip="Send a driver by hand."),
        Binding("r", "replan", "Re-plan", id="dispatch.replan", tooltip="Drop edits and plan again."),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.board: Board | None = None
        self.suggestion: Suggestion | None = None  # the planner's latest
        self.edited: Suggestion | None = None  # the dispatcher's, kept until accepted or re-planned
        self._replan_timer: Timer | None = None

    @property
    def plan(self) -> Suggestion | None:
        return self.edited or self.suggestion

    def compose(self) -> ComposeResult:
        yield StatusLine(self.TITLE)
        with Horizontal(id="dispatch-top"):
            with Vertical(id="drivers-column"):
                yield Static("DRIVERS", classes="list-title")
                yield DriversList()
            with Vertical(id="orders-column"):
                yield Static("DELIVERY ORDERS", id="orders-title", classes="list-title")
                yield OrdersList(self.makeline.store.rack_target_s)
        alerts = Static("", id="dispatch-alerts")
        alerts.display = False
        yield alerts
        staffing = Static("", id="staffing")
        staffing.display = False
        yield staffing
        yield Static("SUGGESTED RUNS", id="runs-title", classes="list-title")
        yield RunsList()
        yield InfoLine()
        yield Footer()

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)
        self.set_interval(REPLAN_EVERY_S, self.reload)
        self.query_one(RunsList).focus()

    def _tick(self) -> None:
        now = self.makeline.now()
        self.query_one(OrdersList).tick(now)
        if self.board is not None:
            self._alert(self.board, now)

    # -- loading ------------------------------------------------------------------------------
    def reload(self) -> None:
        """Debounced: the first change starts a short timer; later ones fold into it."""
        if self._replan_timer is None:
            self._replan_timer = self.set_timer(REPLAN_AFTER_S, self._replan_now)

    def _replan_now(self) -> None:
        self._replan_timer = None
        super().reload()

    def load(self, db: StoreDB) -> DispatchData:
        at = self.makeline.now()
        if self.edited is not None:  # the dispatcher's plan stands; only the board is read
            return self._with_staffing(db, DispatchData(self._board(db, at), None))
        try:
            suggestion = suggest(db, at)
        except PlanError as exc:
            return self._with_staffing(db, DispatchData(self._board(db, at), None, str(exc)))
        return self._with_staffing(db, DispatchData(suggestion.board, suggestion))

    @staticmethod
    def _board(db: StoreDB, at: datetime) -> Board:
        with db.read() as session:
            return read_board(session, at)

    @staticmethod
    def _with_staffing(db: StoreDB, data: DispatchData) -> DispatchData:
        try:
            with db.read() as session:
                return replace(data, staffing=read_outlook(session, data.board))
        except PlanError:  # no travel times: the runs' problem already says so
            return data

    def show(self, data: DispatchData) -> None:
        self.board = data.board
        if data.suggestion is not None and self.edited is None:
            self.suggestion = data.suggestion
        self.query_one(DriversList).show(data.board, self.makeline.now())
        self._show_staffing(data.staffing)
        self._show_plan()
        if data.problem:
            self._refused(data.problem)

    def _show_plan(self) -> None:
        board, now = self.board, self.makeline.now()
        if board is None:
            return
        self.query_one(RunsList).show(board, self.plan, now)
        self.query_one(OrdersList).show(board, self.plan, now)
        title = "SUGGESTED RUNS" + (" — EDITED (r plans again)" if self.edited else "")
        self.query_one("#runs-title", Static).update(title)
        # the store's rack-time cap (a setting head office or the manager changes)
        cap = f"DELIVERY ORDERS — first out after {board.rack_cap_s // 60} min on the rack"
        self.query_one("#orders-title", Static).update(cap)
        self._alert(board, now)
        self._count()

    def _show_staffing(self, staffing: Outlook | None) -> None:
        """The next hour's drivers; amber when one must be called in."""
        line = self.query_one("#staffing", Static)
        line.display = staffing is not None
        if staffing is not None:
            line.update(Text(staffing.sentence(), style="bold yellow" if staffing.call_in else "dim"))

    def _alert(self, board: Board, now: datetime) -> None:
        """Orders over the rack-time cap, in red with their wait."""
        over = [(o.label, age(o.rack_s(now) or 0)) for o in board.orders if o.over_cap(now, board.rack_cap_s)]
        alerts = self.query_one("#dispatch-alerts", Static)
        alerts.update(Text(over_cap_sentence(over, board.rack_cap_s), style=STYLE["late"]))
        alerts.display = bool(over)

    def _count(self) -> None:
        board = self.board
        if board is None:
            return
        ready = sum(1 for o in board.orders if o.ready)
        runs = len(self.plan.runs) if self.plan else 0
        self.query_one(InfoLine).count(
            f"{ready} ready · {len(board.orders) - ready} in the kitchen · {len(board.drivers_in)} in · "
            f"{len(board.drivers_out)} out · {runs} run(s) suggested"
        )

    # -- what the dispatcher does -------------------------------------------------------------
    def _selected_stop(self) -> tuple[SuggestedRun, SuggestedStop] | None:
        runs = self.query_one(RunsList)
        return runs.selected() if self.focused is runs else None

    def _selected_order(self) -> tuple[str, str] | None:
        """(order id, label) of the selected row of either list."""
        picked = self._selected_stop()
        if picked is not None:
            return picked[1].order_id, picked[1].label
        orders = self.query_one(OrdersList)
        order = orders.selected() if self.focused is orders else None
        return (order.order_id, order.label) if order else None

    def action_accept(self) -> None:
        run = self._run_to_accept()
        if run is None:
            return
        if run.waits_for:
            zone = self.makeline.store.timezone
            self._refused(
                f"{run.driver}'s run waits for {', '.join(run.waits_for)}, not on the rack yet (about "
                f"{clock(run.leave_at, zone)}); accept it once it is boxed, or move it off. Nothing was sent."
            )
            return
        staff, at = self.makeline.staff, self.makeline.now()

        def job(db: StoreDB) -> DriverRun:
            sent = db.run(accept, run, at, dispatched_by=staff.id if staff else None)
            with db.read() as session:
                return run_view(session, sent.id)

        self.run_job(job, self._sent, self._refused, name="accept")

    def _run_to_accept(self) -> SuggestedRun | None:
        picked = self._selected_stop()
        if picked is not None:
            return picked[0]
        chosen = self._selected_order()
        where = placements(self.plan).get(chosen[0]) if chosen else None
        if where is not None:
            return where.run
        self._said(
            "Select a suggested run (Tab to the runs, ↑ / ↓) to accept it."
            if self.plan and self.plan.runs
            else "No run is suggested: no driver is in, or no order is ready."
        )
        return None

    def _sent(self, run: DriverRun) -> None:
        self._said(sent_sentence(run))
        self.edited = None
        super().reload()

    def action_move(self) -> None:
        chosen, plan = self._selected_order(), self.plan
        if chosen is None:
            self._said("Select an order (in the orders or the runs, ↑ / ↓) to move it.")
            return
        if plan is None:
            self._said("The plan is still being worked out; try again in a moment.")
            return
        if not plan.board.drivers_in:
            self._said("No driver is in the store; there is no run to move it to.")
            return
        order_id, label = chosen

        def moved(to: str | None) -> None:
            if to is None:
                return

            def job(_db: StoreDB) -> Suggestion:
                return move_order(plan, order_id, to or None)

            def done(new: Suggestion) -> None:
                self.edited = new
                where = placements(new).get(order_id)
                self._said(
                    f"{label} moved to {where.run.driver}'s run, stop {where.position}."
                    if where
                    else f"{label} is off every run; it waits for a later one."
                )
                self._show_plan()

            self.run_job(job, done, self._refused, name="move")

        self.app.push_screen(MoveOrderDialog(label, plan), moved)

    def action_by_hand(self) -> None:
        board = self.board
        drivers = [d.name for d in board.drivers_in] if board else []
        chosen = self._selected_order()

        def closed(result: str | None) -> None:
            if result:
                self._said(result)
                self.edited = None
                super(DispatchScreen, self).reload()

        self.app.push_screen(HandRunDialog(drivers, chosen[1] if chosen else ""), closed)

    def action_replan(self) -> None:
        self.edited = None
        self._said("Planning again with the latest board…")
        super().reload()

    def _said(self, text: str) -> None:
        self.query_one(InfoLine).say(text)

    def _refused(self, text: str) -> None:
        self.query_one(InfoLine).say(text, refused=True)
