"""The store side of `makeline restore` on real files, without a cloud: it never writes over a
store file (nor what is left of one), and a snapshot that cannot be written leaves nothing."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from makeline.demo.menu import demo_menu
from makeline.trade.lifecycle import Channel, Service, Stage
from makeline.trade.pricing import ItemRequest, price_order
from store_db.errors import StoreDatabaseError, StoreFileExists
from store_db.models import utcnow
from store_db.restore import restore_store
from sync.contract.snapshot import SnapshotOrder, SnapshotStore, StoreSnapshot

NOW = utcnow()


def _snapshot(*numbers: int) -> StoreSnapshot:
    menu = demo_menu()
    quote = price_order(menu, [ItemRequest(product="pepperoni", size="lg")], 1025)
    orders = [
        SnapshotOrder(
            id=f"order-{n}-{i}",
            number=n,
            business_date=date(2026, 12, 4),
            channel=Channel.WALK_IN,
            service=Service.CARRYOUT,
            stage=Stage.MADE,
            menu_version=menu.version,
            subtotal=quote.subtotal,
            discount=quote.discount,
            tax=quote.tax,
            tip=0,
            total=quote.total,
            payment="paid",
            placed_at=NOW - timedelta(minutes=5),
            made_at=NOW - timedelta(minutes=4),
            items=quote.items,
        )
        for i, n in enumerate(numbers)
    ]
    store = SnapshotStore(
        code="OP-009", name="Oak Park", timezone="America/Chicago", tax_rate_bp=1025, lat=41.88, lon=-87.78
    )
    return StoreSnapshot(
        store_id="store-9",
        taken_at=NOW,
        store=store,
        menu=menu,
        orders=orders,
        events_high_water=41,
        feed_high_water=17,
    )


@pytest.mark.parametrize("leftover", ["", "-wal", "-journal"])
def test_a_restore_never_writes_over_a_store_file(tmp_path: Path, leftover: str) -> None:
    path = tmp_path / "store.db"
    there = Path(f"{path}{leftover}")
    there.write_bytes(b"what was here stays here")
    with pytest.raises(StoreFileExists, match=r"never writes over one\. Move it aside"):
        restore_store(path, _snapshot(1001), "http://cloud.test", "mld_token")
    assert there.read_bytes() == b"what was here stays here"
    assert sorted(p.name for p in tmp_path.iterdir()) == [there.name]


def test_a_snapshot_that_cannot_be_written_leaves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    with pytest.raises(StoreDatabaseError, match="nothing was written"):
        restore_store(path, _snapshot(1001, 1001), "http://cloud.test", "mld_token")  # #1001 twice
    assert list(tmp_path.iterdir()) == []


def test_a_manager_gives_a_restored_person_a_pin_from_the_command_line(
    store_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy import select

    from makeline.cli.main import main
    from store_db.db import StoreDB
    from store_db.models import AuditEntry
    from store_db.services.staff import check_pin

    assert main(["staff-pin", "--db", str(store_path), "sam", "--pin", "9876"]) == 0
    assert "Sam (driver) signs in with the new PIN" in capsys.readouterr().out
    assert main(["staff-pin", "--db", str(store_path), "Nobody", "--pin", "9876"]) == 2
    assert "no active staff member 'Nobody'" in capsys.readouterr().err
    assert main(["staff-pin", "--db", str(store_path), "Sam", "--pin", "12"]) == 2
    assert "A PIN is 4 to 8 digits" in capsys.readouterr().err
    with StoreDB(store_path) as db, db.write() as session:
        assert check_pin(session, "Sam", "9876", utcnow())[1]
        assert session.scalars(select(AuditEntry.action).order_by(AuditEntry.id.desc())).first() == "pin_set"
