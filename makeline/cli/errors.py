"""The base errors of every package: what the command line prints as one sentence."""

from __future__ import annotations

import importlib

BASES = (
    ("store_db.errors", "StoreError"),
    ("printers.errors", "PrinterError"),
    ("sync.errors", "SyncError"),
    ("cloud_api.errors", "CloudError"),
    ("terminal.errors", "TerminalError"),
)


def known_errors() -> tuple[type[Exception], ...]:
    found: list[type[Exception]] = []
    for module_name, attr in BASES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        base = getattr(module, attr, None)
        if isinstance(base, type) and issubclass(base, Exception):
            found.append(base)
    return tuple(found)
