"""`makeline dispatch …` and `makeline driver …` on a real store file."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from makeline.cli import main
from makeline.cli.dispatch import cents
from makeline.demo.simulate import clock_in_drivers, simulate
from store_db.db import StoreDB
from store_db.errors import BadInput
from store_db.models import CashOut, Order, Staff, utcnow
from tests.dispatch.store_orders import order_at


def makeline(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "makeline", *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_dispatch_plan_prints_the_issue_json_shape(store_path: Path) -> None:
    with StoreDB(store_path) as db:
        simulate(db, 7, io.StringIO(), service="delivery", through="ready", seed=11)
        drivers = clock_in_drivers(db, 2)
        with db.read() as session:
            # A list: run within an hour after the business day's start, the seven span two days
            # and two orders share a number (the plan names them as the rack does).
            ready = sorted(o.label for o in session.scalars(select(Order).where(Order.stage == "ready")))
    assert len(ready) == 7
    done = makeline("dispatch", "plan", "--db", str(store_path), "--json")
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout)
    assert list(plan) == ["capacity", "runs", "unassigned"] and plan["capacity"] == 3
    assert sorted(run["driver"] for run in plan["runs"]) == sorted(drivers)
    for run in plan["runs"]:
        assert list(run) == ["driver", "stops"] and 1 <= len(run["stops"]) <= 3
        for stop in run["stops"]:
            assert list(stop) == ["order", "eta", "late"]
            assert re.fullmatch(r"#\d+", stop["order"]) and isinstance(stop["late"], bool)
            assert datetime.fromisoformat(stop["eta"]).utcoffset() is not None
    planned = [stop["order"] for run in plan["runs"] for stop in run["stops"]]
    # two bags of three, seven orders on the rack: six go, one waits
    assert len(planned) == 6 and sorted(planned + plan["unassigned"]) == sorted(ready)

    table = makeline("dispatch", "plan", "--db", str(store_path))
    assert table.returncode == 0, table.stderr
    assert "hot bag 3 orders" in table.stdout and all(name in table.stdout for name in drivers)
    assert f"Left for a later run: {plan['unassigned'][0]}" in table.stdout


def test_dispatch_send_refuses_an_unknown_driver_in_one_sentence(store_path: Path) -> None:
    with StoreDB(store_path) as db:
        order = order_at(db, 1.0, placed=utcnow() - timedelta(minutes=15), stage_at=utcnow())
    done = makeline("dispatch", "send", "--db", str(store_path), "--driver", "Bob", order)
    assert done.returncode == 2
    assert done.stderr.strip() == "makeline: There is no active staff member 'Bob'."


def test_a_drivers_night_from_the_command_line(store_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db_flag = ["--db", str(store_path)]
    with StoreDB(store_path) as db:
        now = utcnow()
        first = order_at(db, 1.0, placed=now - timedelta(minutes=15), stage_at=now - timedelta(minutes=1))
        second = order_at(db, 1.5, placed=now - timedelta(minutes=15), stage_at=now - timedelta(minutes=1))
        with db.read() as session:
            due = {o.id: o.total for o in session.scalars(select(Order))}

    assert main(["driver", "clock-in", "Sam", "--pin", "0000", *db_flag]) == 2
    assert "Wrong PIN for Sam; 4 more" in capsys.readouterr().err  # the failure counted
    assert main(["driver", "clock-in", "Sam", "--pin", "5101", "--bank", "20", *db_flag]) == 0
    assert "Sam is clocked in with a $20.00 starting bank." in capsys.readouterr().out

    assert main(["dispatch", "send", "--driver", "Sam", first, second, *db_flag]) == 0
    sent = capsys.readouterr().out
    assert sent.startswith("Run 1: Sam takes #") and "Cash to collect $" in sent
    assert main(["dispatch", "send", "--driver", "Sam", first, *db_flag]) == 2
    assert "Sam is already out on a run" in capsys.readouterr().err

    assert main(["driver", "run", "Sam", *db_flag]) == 0
    shown = capsys.readouterr().out
    assert shown.count("COLLECT $") == 2 and "Cash due $" in shown

    assert main(["driver", "checkout", "Sam", "--cash", "0", *db_flag]) == 2
    assert "before checking the run in" in capsys.readouterr().err
    cash = due[first] + 300
    assert main(["driver", "deliver", first, "--cash", f"{cash / 100:.2f}", *db_flag]) == 0
    assert main(["driver", "deliver", second, "--not-delivered", "nobody home", *db_flag]) == 0
    capsys.readouterr()
    assert main(["driver", "checkout", "Sam", "--cash", "1.00", *db_flag]) == 2
    assert "recount" in capsys.readouterr().err
    assert main(["driver", "checkout", "Sam", "--cash", f"{cash / 100:.2f}", *db_flag]) == 0
    assert "$3.00 tips" in capsys.readouterr().out

    assert main(["driver", "cash-out", "Sam", "--manager", "Alex", "--pin", "3333", *db_flag]) == 2
    assert "a manager or shift lead must approve" in capsys.readouterr().err
    assert main(["driver", "cash-out", "Sam", "--manager", "Dana", "--pin", "1234", *db_flag]) == 0
    assert "Sam owes the store $" in capsys.readouterr().out
    with StoreDB(store_path) as db, db.read() as session:
        sam = session.scalars(select(Staff).where(Staff.name == "Sam")).one()
        record = session.scalars(select(CashOut).where(CashOut.driver_id == sam.id)).one()
        assert record.starting_bank == 2000 and record.cash_collected == cash and record.cash_tips == 300


@pytest.mark.parametrize(
    ("text", "amount"), [("20", 2000), ("$20.5", 2050), ("1,234.56", 123_456), ("0.07", 7)]
)
def test_money_on_the_command_line(text: str, amount: int) -> None:
    assert cents(text, "--cash") == amount


def test_money_that_is_not_money_is_refused() -> None:
    with pytest.raises(BadInput, match=re.escape("--cash '12.345' is not an amount of money")):
        cents("12.345", "--cash")
