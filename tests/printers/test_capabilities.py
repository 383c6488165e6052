"""python-escpos's capabilities: read as JSON into the user's cache once, read from there by
every process after, and no folder left behind in the temporary directory."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
import yaml

from printers.capabilities import cache_folder, pickle_path, write_pickle

# A process that imports the printers package and says whether python-escpos read its file
# itself (`full_load`) and how many printer profiles it knows.
PROBE = (
    "import printers.profiles, escpos.capabilities as c; print(c.full_load, len(c.CAPABILITIES['profiles']))"
)


def _probe(home: Path, temporary: Path) -> tuple[str, list[str]]:
    temporary.mkdir(exist_ok=True)
    env = {**os.environ, "XDG_CACHE_HOME": str(home), "TMPDIR": str(temporary)}
    env.pop("ESCPOS_CAPABILITIES_PICKLE_DIR", None)
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip(), sorted(p.name for p in temporary.iterdir())


def test_the_json_read_is_what_python_escpos_reads_with_yaml() -> None:
    text = (resources.files("escpos") / "capabilities.json").read_text(encoding="utf-8")
    assert json.loads(text) == yaml.safe_load(text)


def test_processes_read_the_users_pickle_and_leave_no_folder(tmp_path: Path) -> None:
    home = tmp_path / "cache"
    first, left = _probe(home, tmp_path / "tmp")
    folder = home / "makeline" / "escpos"
    assert pickle_path(folder).exists(), "the first process wrote the pickle"
    assert first.split()[0] == "False", "python-escpos read the pickle, not its file"
    assert int(first.split()[1]) > 10
    assert left == [], f"nothing left in the temporary directory: {left}"
    assert folder.stat().st_mode & 0o777 == 0o700
    second, left = _probe(home, tmp_path / "tmp")
    assert second == first and left == []


def test_a_cache_folder_others_can_write_is_not_trusted_with_a_pickle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "cache"
    folder = home / "makeline" / "escpos"
    folder.mkdir(parents=True)
    folder.chmod(0o777)
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    assert cache_folder() is None
    said, left = _probe(home, tmp_path / "tmp")
    assert not pickle_path(folder).exists(), "no pickle where others could have put one"
    assert said.split()[0] == "True", "python-escpos read its own file"
    assert left == [], "its own folder was made in a scratch folder and removed"


def test_a_stale_pickle_is_written_again(tmp_path: Path) -> None:
    folder = tmp_path / "escpos"
    folder.mkdir(mode=0o700)
    target = pickle_path(folder)
    target.write_bytes(pickle.dumps({"profiles": {}}))
    os.utime(target, (0, 0))  # older than the file it was made from
    assert write_pickle(folder) == target
    assert len(pickle.loads(target.read_bytes())["profiles"]) > 10
    assert [p.name for p in folder.iterdir()] == [target.name], "no part file left"
