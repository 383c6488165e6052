"""The dispatch board under Pilot: drivers, orders by stage, suggested runs; moving an order,
accepting a run, dispatching by hand, and the store's refusals, each writing nothing."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, Static

from makeline.trade.lifecycle import Stage
from store_db.db import StoreDB
from store_db.services import lifecycle
from store_db.services import runs as run_service
from store_db.services.dispatch import send
from terminal.app import MakelineApp
from terminal.dialogs.hand_run import HandRunDialog
from terminal.dialogs.move_order import MoveOrderDialog
from terminal.screens.dispatch import DispatchScreen
from terminal.widgets.dispatch_lists import OrdersList, RunsList
from terminal.widgets.info_line import InfoLine
from tests.dispatch.store_orders import set_capacity
from tests.store.helpers import fingerprint
from tests.terminal.conftest import FRIDAY, Clock, fill, log_in, make_app, screen_text, wait_for
from tests.terminal.delivery_store import friday_board, label, stage


async def at_board(pilot: Pilot[None], app: MakelineApp) -> DispatchScreen:
    await log_in(pilot, "dana", "1234")
    await wait_for(pilot, lambda: isinstance(app.screen, DispatchScreen), what="the dispatch board")
    screen = app.screen
    assert isinstance(screen, DispatchScreen)
    await wait_for(pilot, lambda: screen.suggestion is not None, timeout=10, what="the first plan")
    return screen


def runs_of(screen: DispatchScreen) -> dict[str, list[str]]:
    """Driver → order ids in stop order, as the board shows them."""
    plan = screen.plan
    assert plan is not None
    return {run.driver: [s.order_id for s in run.stops] for run in plan.runs}


async def select_stop(pilot: Pilot[None], screen: DispatchScreen, order_id: str) -> None:
    table = screen.query_one(RunsList)
    table.focus()
    row = next(n for n, (_, stop) in enumerate(table.stops) if stop.order_id == order_id)
    table.move_cursor(row=row)
    await pilot.pause()


def said(screen: DispatchScreen) -> str:
    return screen.query_one(InfoLine).said


async def test_a_moved_order_stays_moved_and_an_accepted_run_leaves(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    orders = friday_board(db)
    app = make_app(store_path, "dispatch", clock, db)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_board(pilot, app)
        text = screen_text(app)
        assert "Luis" in text and "OUT" in text  # out on a run, with the expected return
        assert "boxing" in text and "make line" in text  # orders still in the kitchen
        runs = runs_of(screen)
        assert sorted(runs) == ["Priya", "Sam"] and all(len(stops) == 2 for stops in runs.values())
        # the north pair rides together, the south pair together
        (north_driver,) = [d for d, ids in runs.items() if orders["north"] in ids]
        (south_driver,) = [d for d, ids in runs.items() if orders["south"] in ids]
        assert orders["far_north"] in runs[north_driver] and orders["far_south"] in runs[south_driver]

        await select_stop(pilot, screen, orders["south"])
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, MoveOrderDialog))
        digit = str([d.name for d in screen.board.drivers_in].index(north_driver) + 1)  # type: ignore[union-attr]
        await pilot.press(digit)
        await wait_for(pilot, lambda: screen.edited is not None, what="the move")
        moved = runs_of(screen)
        assert orders["south"] in moved[north_driver] and len(moved[north_driver]) == 3
        assert "EDITED" in str(screen.query_one("#runs-title", Static).render())

        # another terminal boxes the order on the cut table: the board shows it, the edit stands
        with db.write() as session:
            lifecycle.advance(session, orders["baked"], Stage.READY, FRIDAY)
        await wait_for(
            pilot,
            lambda: any(
                o.order_id == orders["baked"] and o.ready for o in screen.query_one(OrdersList).orders
            ),
        )
        assert runs_of(screen) == moved

        await select_stop(pilot, screen, orders["south"])
        await pilot.press("a")
        await wait_for(pilot, lambda: stage(db, orders["south"]) == "out_the_door", what="the run to leave")
        await wait_for(pilot, lambda: f"{north_driver} left with" in said(screen))
        assert all(stage(db, orders[k]) == "out_the_door" for k in ("north", "far_north", "south"))
        assert f"Run 2: {north_driver} left with" in said(screen)
        # planned again: the driver is out with the expected return, the rest go to the other driver
        await wait_for(pilot, lambda: screen.edited is None and north_driver not in runs_of(screen))
        await wait_for(pilot, lambda: any(d.name == north_driver for d in screen.board.drivers_out))  # type: ignore[union-attr]

        # Luis checks his run in on another terminal: the board plans again with him in the store
        with db.write() as session:
            (luis_run,) = [r for r in screen.board.drivers_out if r.name == "Luis"]  # type: ignore[union-attr]
            run_service.mark_stop(session, luis_run.run_id, orders["luis"], True, FRIDAY, collected=2000)
            run_service.checkout(session, luis_run.run_id, 2000, FRIDAY)
        await wait_for(
            pilot,
            lambda: screen.plan is not None and "Luis" in [d.name for d in screen.plan.board.drivers_in],
            what="a plan with Luis back",
        )


async def test_refusals_are_clear_and_write_nothing(store_path: Path, db: StoreDB, clock: Clock) -> None:
    set_capacity(db, 2)
    orders = friday_board(db)
    app = make_app(store_path, "dispatch", clock, db)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await at_board(pilot, app)
        runs = runs_of(screen)
        assert sorted(len(ids) for ids in runs.values()) == [2, 2]
        before = fingerprint(db)

        # bag full: both runs hold two orders
        sam_order = runs["Sam"][0]
        await select_stop(pilot, screen, sam_order)
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, MoveOrderDialog))
        await pilot.press(str([d.name for d in screen.board.drivers_in].index("Priya") + 1))  # type: ignore[union-attr]
        await wait_for(pilot, lambda: "already holds 2 orders, the hot-bag capacity" in said(screen))
        assert screen.edited is None

        async def by_hand(driver: str, refs: str, refusal: str) -> None:
            await pilot.press("h")
            await wait_for(pilot, lambda: isinstance(app.screen, HandRunDialog))
            dialog = app.screen
            dialog.query_one("#hand-driver", Input).value = driver
            await fill(pilot, "hand-orders", refs)
            message = dialog.query_one("#hand-message", Static)
            await wait_for(pilot, lambda: refusal in str(message.render()), what=refusal)
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is screen)

        ready = " ".join(label(db, orders[k]) for k in ("north", "far_north", "south"))
        await by_hand("Luis", label(db, orders["north"]), "Luis is already out on a run")
        await by_hand(
            "Sam", label(db, orders["baked"]), f"Order {label(db, orders['baked'])} is baked, not ready"
        )
        await by_hand("Sam", ready, "A run takes at most 2 orders (the hot-bag capacity)")
        assert fingerprint(db) == before

        # a stale plan: Sam's edited run, but another terminal has sent Sam meanwhile
        await select_stop(pilot, screen, runs["Priya"][0])
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, MoveOrderDialog))
        await pilot.press("0")
        await wait_for(pilot, lambda: screen.edited is not None)
        with db.write() as session:
            send(session, "Sam", [runs["Priya"][0]], FRIDAY)
        await wait_for(pilot, lambda: any(d.name == "Sam" for d in screen.board.drivers_out))  # type: ignore[union-attr]
        sent = fingerprint(db)
        await select_stop(pilot, screen, runs["Sam"][0])
        await pilot.press("a")
        await wait_for(pilot, lambda: "Sam is already out on a run" in said(screen))
        assert screen.query_one(InfoLine).refused
        assert fingerprint(db) == sent
        assert stage(db, runs["Sam"][0]) == "ready"
