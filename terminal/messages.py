"""Messages that worker threads post to screens. Workers never touch widgets."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.message import Message

from store_db.errors import StoreError
from store_db.queries.store import StatusCounts, SyncStatus

if TYPE_CHECKING:
    from printers.store_jobs import PrinterHealth


class StoreChanged(Message):
    """Another connection committed to the store database (from the watcher thread)."""

    def __init__(self, version: int) -> None:
        super().__init__()
        self.version = version


class Loaded(Message):
    """A screen's query finished. `generation` lets the screen drop a stale result."""

    def __init__(self, generation: int, data: Any) -> None:
        super().__init__()
        self.generation = generation
        self.data = data


class JobDone(Message):
    """A store job finished in a worker; `callback` runs on the screen with its result."""

    def __init__(self, callback: Callable[[Any], None], result: Any) -> None:
        super().__init__()
        self.callback = callback
        self.result = result


class JobRefused(Message):
    """The store refused a job (a `StoreError` or `TerminalError`); `text` says why."""

    def __init__(self, callback: Callable[[str], None], text: str) -> None:
        super().__init__()
        self.callback = callback
        self.text = text


class Counted(Message):
    """Fresh open-order counts, sync state and the unseen-order alarm for the status line."""

    def __init__(self, counts: StatusCounts, sync: SyncStatus, unseen: str = "") -> None:
        super().__init__()
        self.counts = counts
        self.sync = sync
        self.unseen = unseen


class PrintersChecked(Message):
    """Fresh health of every configured printer, for the banner on every screen."""

    def __init__(self, printers: list[PrinterHealth]) -> None:
        super().__init__()
        self.printers = printers


class Stop(Message):
    """The store file cannot be used (wrong schema); the app stops and says why."""

    def __init__(self, error: StoreError) -> None:
        super().__init__()
        self.error = error
