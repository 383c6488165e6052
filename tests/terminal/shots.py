"""The screenshots in docs/screens, drawn by the real app under Pilot on demo store files:

    python -m tests.terminal.shots

the make line grid at a 1080p kitchen monitor's 240x67 and at 80x24, the lobby board, a ticket
flagged with an allergy (make line, and the cut table's red band), and the cut table's quality
check. Run it after a change to what those screens show, and look at the pictures.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from makeline.demo.seed import init_demo_store
from makeline.trade.care import parse_care
from makeline.trade.lifecycle import Stage
from makeline.trade.pricing import ItemRequest
from store_db.db import StoreDB
from store_db.queries.kitchen import open_tickets
from store_db.services import cut_table, kitchen, lifecycle, quality_check
from terminal.app import MakelineApp
from tests.terminal.conftest import FRIDAY, Clock, make_app, place, wait_for
from tests.terminal.test_make_line_grid import a_friday_rush

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screens"
PEPPERONI = ItemRequest(product="pepperoni", size="lg")
ALLERGY = ItemRequest(product="pepperoni", size="lg", care=parse_care("allergy milk, cut in squares"))


async def shoot(
    path: Path,
    db: StoreDB,
    screen: str,
    size: tuple[int, int],
    name: str,
    ready: Callable[[MakelineApp], bool],
) -> None:
    app = make_app(path, screen, Clock(), db)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: ready(app), timeout=20, what=f"{name} to be drawn")
        await pilot.pause(0.3)
        app.save_screenshot(name, str(DOCS))
    print(f"docs/screens/{name}")


def shown(text: str) -> Callable[[MakelineApp], bool]:
    return lambda app: text in "\n".join(s.text for s in app.screen._compositor.render_strips())


def bump_all(db: StoreDB, orders: list[str], minutes_ago: float) -> None:
    with db.write() as session:
        for ticket in open_tickets(session, "makeline"):
            if ticket.order_id in orders:
                kitchen.bump(session, ticket.id, FRIDAY - timedelta(minutes=minutes_ago), ack_by="AR")


async def make_line(folder: Path) -> None:
    path = folder / "rush.db"
    init_demo_store(path)
    with StoreDB(path) as db:
        a_friday_rush(db, 40)
        flagged = place(db, [ALLERGY], FRIDAY - timedelta(seconds=500), name="Ana")
        await shoot(path, db, "makeline", (240, 67), "make_line.svg", shown(f"#{flagged.number}"))
        await shoot(path, db, "makeline", (80, 24), "make_line_80x24.svg", shown("more"))


async def flagged_ticket(folder: Path) -> None:
    path = folder / "flagged.db"
    init_demo_store(path)
    with StoreDB(path) as db:
        place(db, [ItemRequest(product="cheese", size="md")], FRIDAY - timedelta(seconds=150))
        flagged = place(
            db, [ALLERGY], FRIDAY - timedelta(seconds=100), notes="Birthday, write 'Happy 9th' on the box"
        )
        place(db, [PEPPERONI], FRIDAY - timedelta(seconds=40))
        await shoot(path, db, "makeline", (100, 30), "flagged_ticket.svg", shown("ALLERGY: MILK"))
        bump_all(db, [flagged.id], 7)
        await shoot(path, db, "oven", (100, 30), "flagged_cut_table.svg", shown("ALLERGY"))


async def board(folder: Path) -> None:
    path = folder / "board.db"
    init_demo_store(path)
    with StoreDB(path) as db:
        names = ["Ana Lopez", "Ben Stone", "Chloe Park", "Dev Patel", "Eva Novak", "Farid Haddad"]
        orders = [
            place(db, [PEPPERONI], FRIDAY - timedelta(minutes=14 - 2 * n), phone=f"708555010{n}", name=name)
            for n, name in enumerate(names)
        ]
        bump_all(db, [o.id for o in orders[:4]], 9)
        with db.write() as session:
            for order in orders[:2]:
                cut_table.box(session, order.id, FRIDAY - timedelta(minutes=1))
        await shoot(path, db, "board", (100, 30), "board.svg", shown("Ana"))


async def check(folder: Path) -> None:
    path = folder / "check.db"
    init_demo_store(path)
    with StoreDB(path) as db:
        with db.write() as session:
            quality_check.set_quality_check(session, True, FRIDAY)
        orders = [place(db, [PEPPERONI], FRIDAY - timedelta(minutes=12 - n)) for n in range(5)]
        bump_all(db, [o.id for o in orders[:3]], 7)
        bump_all(db, [o.id for o in orders[3:]], 3)
        with db.write() as session:
            cut_table.box(session, orders[0].id, FRIDAY - timedelta(seconds=40))
            cut_table.box(session, orders[1].id, FRIDAY - timedelta(seconds=20))
            quality_check.send_back(session, orders[1].id, "cheese slid off", FRIDAY - timedelta(seconds=10))
            lifecycle.advance(session, orders[2].id, Stage.BAKED, FRIDAY - timedelta(seconds=30))
        await shoot(path, db, "oven", (100, 24), "quality_check.svg", shown("CHECK"))


async def main() -> None:
    DOCS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        for pictures in (make_line, flagged_ticket, board, check):
            await pictures(Path(folder))


if __name__ == "__main__":
    asyncio.run(main())
