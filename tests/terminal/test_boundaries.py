"""What the terminal's headless parts may load, and the command line it adds."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from makeline.cli import build_parser, main
from terminal.serve import terminal_command

HEADLESS = [
    "terminal.data.item_line",
    "terminal.data.cart",
    "terminal.data.watcher",
    "terminal.data.roles",
    "terminal.data.count_entry",
    "terminal.data.printer_health",
    "terminal.data.delivery_entry",
    "terminal.data.dispatch_view",
    "terminal.data.bump_keys",
    "terminal.data.ticket_flow",
    "terminal.config",
    "store_db.queries.kitchen",
    "store_db.queries.counter",
    "store_db.queries.kpis",
    "store_db.queries.stock",
    "store_db.queries.delivery_kpis",
    "store_db.queries.driver_shift",
    "store_db.services.access",
]


def test_the_terminals_data_layer_and_the_queries_do_not_load_textual() -> None:
    code = f"import sys; import {', '.join(HEADLESS)}; print('textual' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.stdout.strip() == "False"


def test_terminal_and_serve_commands_are_registered() -> None:
    parser = build_parser()
    args = parser.parse_args(["terminal", "--db", "x.db", "--screen", "oven", "--poll-ms", "100"])
    assert (args.screen, args.poll_ms, args.db) == ("oven", 100.0, Path("x.db"))
    served = parser.parse_args(["serve", "--db", "x.db", "--screen", "makeline", "--port", "8080"])
    assert isinstance(served, argparse.Namespace) and served.port == 8080
    for screen in ("dispatch", "driver"):
        assert parser.parse_args(["terminal", "--screen", screen]).screen == screen
    with pytest.raises(SystemExit):
        parser.parse_args(["terminal", "--screen", "nowhere"])


def test_a_missing_store_file_is_one_sentence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["terminal", "--db", str(tmp_path / "nope.db")]) == 2
    err = capsys.readouterr().err
    assert "There is no store database" in err and "init-store" in err


def test_a_bad_poll_interval_is_refused(store_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["terminal", "--db", str(store_path), "--poll-ms", "0"]) == 2
    assert "out of range" in capsys.readouterr().err


def test_each_browser_session_runs_the_terminal_on_the_same_file(tmp_path: Path) -> None:
    command = terminal_command(tmp_path / "store.db", "makeline")
    assert command.endswith(f"-m makeline terminal --db {tmp_path / 'store.db'} --screen makeline")
