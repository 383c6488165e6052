"""Two processes on one store file: what one writes shows on the other's make line, with
no key pressed on it.

The other process is a real Python process using the store's services (as another
terminal would); the screen runs under Pilot here. How fast it shows (from the other
process's commit to this screen) is measured by `benchmarks/bench_terminal.py`, not here:
a loaded machine would fail a timed test.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from store_db.db import StoreDB
from terminal.screens.make_line import MakeLineScreen
from tests.terminal.conftest import FRIDAY, Clock, make_app, wait_for

OTHER_TERMINAL = """
import sys
from datetime import datetime
from store_db.db import StoreDB
from store_db.queries.kitchen import open_tickets
from makeline.trade.lifecycle import Channel, Service
from makeline.trade.pricing import ItemRequest
from store_db.services import kitchen
from store_db.services.orders import OrderRequest, place_order

db = StoreDB(sys.argv[1])
at = datetime.fromisoformat(sys.argv[2])
print("ready", flush=True)
for command in sys.stdin:
    with db.write() as session:
        if command.strip() == "place":
            place_order(session, OrderRequest(channel=Channel.WALK_IN, service=Service.CARRYOUT,
                        items=[ItemRequest(product="pepperoni", size="lg")]), at)
        else:
            (ticket,) = open_tickets(session, "makeline")
            kitchen.bump(session, ticket.id, at)
    print("committed", flush=True)
"""


def shown(screen: MakeLineScreen) -> list[int]:
    return [c.ticket.number for c in screen.cards]


async def test_a_ticket_placed_by_another_process_appears_and_its_bump_clears_it(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    other = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        OTHER_TERMINAL,
        str(store_path),
        FRIDAY.isoformat(),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert other.stdin is not None and other.stdout is not None
    app = make_app(store_path, "makeline", clock, db, poll_s=0.05)  # the shipped default
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = app.screen
            assert isinstance(screen, MakeLineScreen)
            assert (await other.stdout.readline()).strip() == b"ready"
            await pilot.pause(0.2)
            assert shown(screen) == []
            for command, expected in (("place", [1001]), ("bump", [])):
                other.stdin.write(f"{command}\n".encode())
                await other.stdin.drain()
                await other.stdout.readline()  # the other process committed
                await wait_for(pilot, lambda e=expected: shown(screen) == e, what=f"the {command}")
    finally:
        other.stdin.close()
        await other.wait()
