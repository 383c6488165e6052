"""Statements of a chunk sent ahead: on the session's own connection, in its transaction, in
psycopg's pipeline mode, so PostgreSQL works on them while Python goes on with the chunk.

Whatever the session runs next waits for their answers first (a listener on the connection
while statements are out), so nothing is read before what was sent ahead is written, and the savepoints and the commit
come after it; an error of theirs is raised there, as SQLAlchemy's (`DataError`,
`IntegrityError`, …), as the statement's own would have been.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from types import TracebackType
from typing import Any

import psycopg
from sqlalchemy import TextClause, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session


class Ahead:
    """`with Ahead(session) as ahead:` statements sent by `ahead.send` are all answered when
    the block ends (or when the session runs its next statement, whichever comes first)."""

    def __init__(self, session: Session) -> None:
        self._connection = session.connection()
        driver = self._connection.connection.driver_connection
        assert isinstance(driver, psycopg.Connection)
        self._driver: psycopg.Connection[Any] = driver
        self._pipeline: AbstractContextManager[psycopg.Pipeline] | None = None
        self._listening = False  # the listener stays until the block ends (not removed from inside it)

    def __enter__(self) -> Ahead:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        try:
            self.wait()
        except DBAPIError:
            if error is None:  # else the block's own error is the one to tell
                raise
        finally:
            if self._listening:
                event.remove(self._connection, "before_cursor_execute", self._answers_first)
                self._listening = False

    def send(self, statement: TextClause, params: Mapping[str, Any]) -> psycopg.Cursor[Any]:
        """Send a statement without waiting for it; fetching the returned cursor's rows waits
        for them (and for what was sent before)."""
        compiled = statement.compile(dialect=self._connection.dialect)
        if self._pipeline is None:
            self._pipeline = self._driver.pipeline()
            self._pipeline.__enter__()
            if not self._listening:
                event.listen(self._connection, "before_cursor_execute", self._answers_first)
                self._listening = True
        with self._told():
            return self._driver.cursor().execute(compiled.string, compiled.construct_params(dict(params)))

    def rows(self, cursor: psycopg.Cursor[Any]) -> list[Any]:
        """The rows of a statement sent ahead (waiting for them); its error, as SQLAlchemy's."""
        with self._told():
            return cursor.fetchall()

    def wait(self) -> None:
        """Every statement sent is answered; the first one's error raised, as SQLAlchemy's."""
        pipeline, self._pipeline = self._pipeline, None
        if pipeline is None:
            return
        with self._told():
            pipeline.__exit__(None, None, None)

    @contextmanager
    def _told(self) -> Iterator[None]:
        try:
            yield
        except psycopg.Error as exc:
            raise DBAPIError.instance(
                "(statements sent ahead)", None, exc, psycopg.Error, dialect=self._connection.dialect
            ) from exc

    def _answers_first(self, *_: Any) -> None:
        """Before the session's next statement: what was sent ahead is answered."""
        self.wait()
