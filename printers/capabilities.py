"""python-escpos's printer capabilities, read once per user and machine, leaving nothing behind.

On import `escpos.capabilities` reads its 96 KB `capabilities.json` with a pure-Python YAML
parser (~0.3 s of every process's start) and pickles the result into a temporary folder it
makes for the purpose (`mkdtemp`, made even when told another) and nothing ever removes: every
command, terminal and agent paid the 0.3 s and left a folder of 70 KB in the temporary
directory. `load()` imports it once per process the cheap way:

- its pickle lives in the user's cache folder (`ESCPOS_CAPABILITIES_PICKLE_DIR`, the knob
  python-escpos gives), a folder of the user's own that no one else can write (a pickle
  is code);
- the pickle is written from the file read as JSON (which it is: ~20 ms), to a temporary
  name put in place at once, so two processes starting together never read half a file;
- the folder python-escpos makes on import is made inside a scratch folder removed after.

A user who set `ESCPOS_CAPABILITIES_PICKLE_DIR` or `ESCPOS_CAPABILITIES_FILE` is left to
python-escpos's own ways.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import pickle
import platform
import shutil
import stat
import tempfile
from importlib import resources
from pathlib import Path

PICKLE_DIR = "ESCPOS_CAPABILITIES_PICKLE_DIR"
CAPABILITIES_FILE = "ESCPOS_CAPABILITIES_FILE"


def cache_folder() -> Path | None:
    """The user's own folder for the pickle, made if need be; None when there is none that
    only the user can write."""
    try:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        folder = base / "makeline" / "escpos"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        found = folder.lstat()
    except (OSError, RuntimeError):  # no home, or a folder we may not make
        return None
    mine = found.st_uid == os.geteuid() and stat.S_ISDIR(found.st_mode)
    return folder if mine and not found.st_mode & 0o022 else None


def pickle_path(folder: Path) -> Path:
    """Where python-escpos looks for its pickle in `folder` (its own naming)."""
    return folder / f"{platform.python_version()}.capabilities.pickle"


def write_pickle(folder: Path) -> Path:
    """The capabilities pickled in `folder` if they are not already, newer than the file;
    the pickle's path."""
    source = resources.files("escpos") / "capabilities.json"
    target = pickle_path(folder)
    with resources.as_file(source) as path:
        if target.exists() and target.stat().st_mtime >= path.stat().st_mtime:
            return target
        capabilities = json.loads(path.read_text(encoding="utf-8"))
    handle, name = tempfile.mkstemp(dir=folder, prefix=".capabilities-", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as part:
            pickle.dump(capabilities, part, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(name, target)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return target


def _point_at_cache() -> None:
    """python-escpos told where the user's pickle is, once it is there; left to read its file
    itself (as it always did) when the user chose otherwise or the cache cannot be written."""
    if PICKLE_DIR in os.environ or CAPABILITIES_FILE in os.environ:
        return
    folder = cache_folder()
    if folder is None:
        return
    with contextlib.suppress(OSError):
        write_pickle(folder)
        os.environ[PICKLE_DIR] = str(folder)


def load() -> None:
    """Import `escpos.capabilities` from the user's pickle, leaving no folder behind."""
    _point_at_cache()
    scratch = tempfile.mkdtemp(prefix="makeline-escpos-")
    kept, tempfile.tempdir = tempfile.tempdir, scratch
    try:
        importlib.import_module("escpos.capabilities")
    finally:
        tempfile.tempdir = kept
        shutil.rmtree(scratch, ignore_errors=True)
