"""What every store screen shares: running store jobs in threads, and reloading on change.

`StoreJobs.run_job` runs a function of the `StoreDB` in a thread worker; the
worker only posts `JobDone` / `JobRefused`, and the callback runs on the screen.
`LiveScreen` re-runs its own targeted query whenever the app says the database
changed, at most one query at a time: changes that arrive while a query runs
are folded into one more query afterwards, and a result older than the newest
request is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from textual.screen import Screen
from textual.worker import Worker, WorkerState

from store_db.db import StoreDB
from store_db.errors import StoreError
from terminal.errors import TerminalError
from terminal.messages import JobDone, JobRefused, Loaded

if TYPE_CHECKING:
    from terminal.app import MakelineApp

R = TypeVar("R")
T = TypeVar("T")


class StoreJobs:
    """Mixin for screens and dialogs that run store work off the UI thread."""

    @property
    def makeline(self) -> MakelineApp:
        return cast("MakelineApp", cast(Screen[Any], self).app)

    def run_job(
        self,
        job: Callable[[StoreDB], R],
        done: Callable[[R], None],
        refused: Callable[[str], None] | None = None,
        name: str = "job",
    ) -> Worker[None]:
        db = self.makeline.db
        screen = cast(Screen[Any], self)
        on_refused = refused or self.show_refusal

        def work() -> None:
            try:
                result = job(db)
            except (StoreError, TerminalError) as exc:
                screen.post_message(JobRefused(on_refused, str(exc)))
                return
            screen.post_message(JobDone(done, result))

        return screen.run_worker(work, thread=True, group=name, name=name, exit_on_error=False)

    def show_refusal(self, text: str) -> None:
        cast(Screen[Any], self).notify(text, severity="error", timeout=8)

    def on_job_done(self, message: JobDone) -> None:
        message.stop()
        message.callback(message.result)

    def on_job_refused(self, message: JobRefused) -> None:
        message.stop()
        message.callback(message.text)


class LiveScreen(StoreJobs, Screen[None], Generic[T]):
    """A screen that shows the result of one query and keeps it current."""

    def __init__(self) -> None:
        super().__init__()
        self._generation = 0
        self._loading = False
        self._dirty = False

    def load(self, db: StoreDB) -> T:
        """Run the screen's query. Called in a worker thread: no widgets here."""
        raise NotImplementedError

    def show(self, data: T) -> None:
        """Put a loaded result on screen. Called on the UI thread."""
        raise NotImplementedError

    def reload(self) -> None:
        if self._loading:
            self._dirty = True
            return
        self._loading = True
        self._generation += 1
        generation, db = self._generation, self.makeline.db

        def work() -> None:
            self.post_message(Loaded(generation, self.load(db)))

        self.run_worker(work, thread=True, group="load", name="load", exit_on_error=False)

    def on_loaded(self, message: Loaded) -> None:
        message.stop()
        self._loading = False
        if message.generation == self._generation:
            self.show(cast(T, message.data))
        if self._dirty:
            self._dirty = False
            self.reload()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A failed query must not leave the screen waiting forever; the app shows the error.
        if event.worker.group == "load" and event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self._loading = False

    def on_screen_resume(self) -> None:
        self.reload()
