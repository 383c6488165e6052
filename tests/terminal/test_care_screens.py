"""Allergy and special-care flags on the kitchen screens under Pilot: a loud band on the make
line card, the oven/cut table and the rack; the make line's bump asks who read it first."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from textual.widgets import Input

from makeline.trade.care import CareFlag, CareKind
from makeline.trade.pricing import ItemRequest
from store_db.db import StoreDB
from store_db.models import KitchenTicket, Order
from store_db.services import cut_table, kitchen
from terminal.dialogs.care_ack import CareAckDialog
from terminal.screens.make_line import MakeLineScreen
from terminal.widgets.care_band import CareBand
from tests.terminal.conftest import FRIDAY, Clock, make_app, place, screen_text, wait_for

HOSTILE = "[b]nuts[/b] [@click=app.quit]"
FLAGGED = ItemRequest(
    product="pepperoni",
    size="lg",
    care=[CareFlag(kind=CareKind.ALLERGY, text=HOSTILE), CareFlag(kind=CareKind.CUT_SQUARES)],
)


def _ticket(db: StoreDB, order: Order) -> KitchenTicket:
    with db.read() as session:
        return session.scalars(
            select(KitchenTicket).where(
                KitchenTicket.order_id == order.id, KitchenTicket.station == "makeline"
            )
        ).one()


async def test_a_flagged_ticket_is_loud_and_its_bump_asks_who_read_it(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    plain = place(db, [ItemRequest(product="cheese", size="md")], FRIDAY - timedelta(seconds=120))
    flagged = place(db, [FLAGGED], FRIDAY - timedelta(seconds=90))
    app = make_app(store_path, "makeline", clock, db)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, MakeLineScreen)
        await wait_for(pilot, lambda: len(screen.cards) == 2)
        text = screen_text(app)
        # The hostile allergy text shows as typed (upper case), never as markup or a command.
        assert "⚠ ALLERGY: [B]NUTS[/B]" in text and "[@CLICK=APP.QUIT] · CUT IN" in text
        await pilot.press(screen.key_of(flagged.number) or "?")
        await wait_for(pilot, lambda: isinstance(app.screen, CareAckDialog), what="the acknowledgement")
        assert "CUT IN SQUARES" in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        assert _ticket(db, flagged).bumped_at is None and len(screen.cards) == 2
        await pilot.press(screen.key_of(plain.number) or "?")  # an unflagged ticket: one key, as before
        await wait_for(pilot, lambda: _ticket(db, plain).bumped_at is not None, what="the plain bump")
        await pilot.press(screen.key_of(flagged.number) or "?")
        await wait_for(pilot, lambda: isinstance(app.screen, CareAckDialog))
        await pilot.press("enter")  # nobody named: refused, the dialog stays
        assert isinstance(app.screen, CareAckDialog) and "who checked" in screen_text(app)
        app.screen.query_one(Input).value = "AR"
        await pilot.press("enter")
        await wait_for(pilot, lambda: _ticket(db, flagged).bumped_at is not None, what="the flagged bump")
    ticket = _ticket(db, flagged)
    assert (ticket.care_ack_by, ticket.care_ack_at) == ("AR", ticket.bumped_at)


async def test_oven_and_rack_name_the_flagged_order_in_a_red_band(
    store_path: Path, db: StoreDB, clock: Clock
) -> None:
    flagged = place(db, [FLAGGED], FRIDAY - timedelta(minutes=8))
    db.run(kitchen.bump, _ticket(db, flagged).id, FRIDAY - timedelta(minutes=7), ack_by="AR")
    app = make_app(store_path, "oven", clock, db)
    async with app.run_test(size=(80, 24)) as pilot:
        band = app.screen.query_one(CareBand)
        await wait_for(pilot, lambda: band.display)
        assert f"⚠ #{flagged.number}: ALLERGY: [B]NUTS[/B]" in screen_text(app)
    db.run(cut_table.box, flagged.id, FRIDAY)
    app = make_app(store_path, "rack", clock, db)
    async with app.run_test(size=(80, 24)) as pilot:
        band = app.screen.query_one(CareBand)
        await wait_for(pilot, lambda: band.display)
        text = screen_text(app)
        assert f"⚠ #{flagged.number}: ALLERGY" in text and f"#{flagged.number} ⚠" in text
