"""The dispatch board's three lists: drivers in and out, delivery orders by stage, and the
suggested runs stop by stop. Each draws what it is given; colours follow
`terminal.data.dispatch_view` (amber at risk, red late; an order over the rack-time cap
red, with its wait and "OVER CAP")."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from makeline.dispatch.runs import RACK_CAP_S
from store_db.dispatch.planning import SuggestedRun, SuggestedStop, Suggestion
from store_db.queries.dispatch_board import Board, WaitingOrder
from terminal.data.dispatch_view import STYLE, over_cap_word, placements, promise_risk, rack_risk, stage_word
from terminal.data.formatting import age, clock
from terminal.widgets.literal import DataTable, literal


def rack_cell(order: WaitingOrder, now: datetime, target_s: int, cap_s: int) -> Text:
    rack_s = order.rack_s(now)
    if rack_s is None:
        return Text("")
    if order.over_cap(now, cap_s):
        return Text(f"{age(rack_s)} {over_cap_word(cap_s)}", style=STYLE["late"])
    return Text(age(rack_s), style=STYLE[rack_risk(rack_s, target_s)])


def order_cell(order: WaitingOrder, now: datetime, cap_s: int) -> Text:
    return Text(order.label, style=STYLE["late"] if order.over_cap(now, cap_s) else "bold")


def promise_cell(promise_at: datetime, now: datetime, eta_at: datetime | None, zone: str) -> Text:
    risk = promise_risk(promise_at, now, eta_at)
    return Text(clock(promise_at, zone) + (" LATE" if risk == "late" else ""), style=STYLE[risk])


def leaves_cell(run: SuggestedRun, at: datetime, zone: str) -> Text:
    if run.waits_for:
        return literal(f"{clock(run.leave_at, zone)} waits {' '.join(run.waits_for)}", "yellow")
    return Text("now" if run.leaves_by(at) else clock(run.leave_at, zone), style="bold green")


class DriversList(DataTable[str | Text]):
    def __init__(self) -> None:
        super().__init__(id="drivers", show_cursor=False, zebra_stripes=True)

    def on_mount(self) -> None:
        for label, key in (("Driver", "driver"), ("", "where"), ("Since/back", "time")):
            self.add_column(label, key=key)

    def show(self, board: Board, now: datetime) -> None:
        self.clear()
        zone = board.zone
        for d in board.drivers_in:
            self.add_row(literal(d.name, "bold"), "in", clock(d.since, zone), key=d.driver_id)
        for o in board.drivers_out:
            overdue = now > o.expected_return_at
            back = Text(f"~{clock(o.expected_return_at, zone)}", style="bold yellow" if overdue else "")
            self.add_row(o.name, Text("OUT", style="dim"), back, key=o.driver_id)


class OrdersList(DataTable[str | Text]):
    """Delivery orders not yet out, soonest ready first, with the run each is on."""

    def __init__(self, rack_target_s: int) -> None:
        super().__init__(
            id="orders", cursor_type="row", zebra_stripes=True, cursor_foreground_priority="renderable"
        )
        self.rack_target_s = rack_target_s
        self.rack_cap_s = RACK_CAP_S
        self.orders: list[WaitingOrder] = []
        self.plan: Suggestion | None = None
        self.zone = "UTC"

    def on_mount(self) -> None:
        for label in ("Order", "Stage", "Rack", "Promise", "Run", "Address"):
            self.add_column(label, key=label.lower())

    def show(self, board: Board, plan: Suggestion | None, now: datetime) -> None:
        keep = self.cursor_row
        self.clear()
        self.orders, self.plan, self.zone = list(board.orders), plan, board.zone
        self.rack_cap_s = board.rack_cap_s
        placed = placements(plan)
        for order in self.orders:
            where = placed.get(order.order_id)
            stage = stage_word(order)
            if not order.ready and order.expected_ready_at is not None:
                stage += f" {clock(order.expected_ready_at, self.zone)}"
            run = f"{where.run.driver} {where.position}" if where else ""
            self.add_row(
                order_cell(order, now, self.rack_cap_s),
                stage,
                rack_cell(order, now, self.rack_target_s, self.rack_cap_s),
                promise_cell(order.promise_at, now, where.stop.eta_at if where else None, self.zone),
                run or ("later" if order.expected_ready_at else ""),
                order.address,
                key=order.order_id,
            )
        if self.orders:
            self.move_cursor(row=min(max(keep, 0), len(self.orders) - 1))

    def tick(self, now: datetime) -> None:
        """Rack times grow and promises pass between plans."""
        placed = placements(self.plan)
        for order in self.orders:
            if order.order_id in self.rows:
                where = placed.get(order.order_id)
                eta = where.stop.eta_at if where else None
                self.update_cell(order.order_id, "order", order_cell(order, now, self.rack_cap_s))
                self.update_cell(
                    order.order_id,
                    "rack",
                    rack_cell(order, now, self.rack_target_s, self.rack_cap_s),
                    update_width=True,
                )
                self.update_cell(
                    order.order_id, "promise", promise_cell(order.promise_at, now, eta, self.zone)
                )

    def selected(self) -> WaitingOrder | None:
        return self.orders[self.cursor_row] if 0 <= self.cursor_row < len(self.orders) else None


class RunsList(DataTable[str | Text]):
    """One row per stop: the driver, departure, return and km on each run's first row."""

    def __init__(self) -> None:
        super().__init__(
            id="runs", cursor_type="row", zebra_stripes=True, cursor_foreground_priority="renderable"
        )
        self.stops: list[tuple[SuggestedRun, SuggestedStop]] = []

    def on_mount(self) -> None:
        for label in ("Driver", "Leaves", "", "Order", "ETA", "Promise", "Back", "km", "Address"):
            self.add_column(label, key=label.lower() or "n")

    def show(self, board: Board, plan: Suggestion | None, now: datetime) -> None:
        keep = self.cursor_row
        self.clear()
        self.stops = []
        if plan is None:
            return
        zone = board.zone
        addresses = {o.order_id: o.address for o in board.orders}
        for run in plan.runs:
            for n, stop in enumerate(run.stops, start=1):
                first = n == 1
                eta = clock(stop.eta_at, zone) if stop.eta_at else "—"
                self.add_row(
                    literal(run.driver, "bold") if first else "",
                    leaves_cell(run, plan.at, zone) if first else "",
                    f"{n}.",
                    Text(stop.label, style="bold"),
                    Text(eta, style=STYLE["late"] if stop.late else ""),
                    promise_cell(stop.promise_at, now, stop.eta_at, zone),
                    clock(run.return_at, zone) if first else "",
                    f"{run.distance_m / 1000:.1f}" if first else "",
                    addresses.get(stop.order_id, ""),
                    key=f"{run.driver_id}:{stop.order_id}",
                )
                self.stops.append((run, stop))
        if self.stops:
            self.move_cursor(row=min(max(keep, 0), len(self.stops) - 1))

    def selected(self) -> tuple[SuggestedRun, SuggestedStop] | None:
        return self.stops[self.cursor_row] if 0 <= self.cursor_row < len(self.stops) else None
