"""The connection pool and sessions, and what a committed transaction announces.

Services never commit. A request (or a worker's unit of work) opens one session
through `Database.transaction()`, which commits at the end or rolls back on any
error. What a transaction asks to announce (tracker updates, feed nudges, new
texts to send) is handed to the process's `Announcer` only after it committed,
so nobody is told about a change that was rolled back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from cloud_api.errors import CloudError
from cloud_api.settings import sqlalchemy_url

_ANNOUNCE_KEY = "makeline.announce"


class AnnouncementSink(Protocol):
    def post(self, announcement: Announcement) -> None: ...


class Announcement:
    """What one transaction wants other workers (and itself) to hear about once committed."""

    __slots__ = ("feed_stores", "inbound", "jobs", "tracker")

    def __init__(self) -> None:
        self.tracker: list[dict[str, Any]] = []
        self.feed_stores: set[str] = set()
        self.jobs = False
        self.inbound = False  # a store's events were stored for the appliers

    def is_empty(self) -> bool:
        return not (self.tracker or self.feed_stores or self.jobs or self.inbound)


def announcement(session: Session) -> Announcement:
    """The pending announcement of the session's current transaction."""
    found = session.info.get(_ANNOUNCE_KEY)
    if found is None:
        found = session.info[_ANNOUNCE_KEY] = Announcement()
    assert isinstance(found, Announcement)
    return found


class Database:
    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 10,
        max_overflow: int = 30,
        sink: AnnouncementSink | None = None,
    ) -> None:
        self.url = url
        self.engine: Engine = create_engine(
            sqlalchemy_url(url),
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_pre_ping=False,
            pool_recycle=1800,
        )
        self.sessions: sessionmaker[Session] = sessionmaker(self.engine, expire_on_commit=False)
        self.sink = sink

    def finish(self, session: Session, error: BaseException | None) -> None:
        """End a unit of work: commit (and pass on what it announced) unless it failed,
        roll back if it did; close the session either way."""
        try:
            if error is None or (isinstance(error, CloudError) and error.keep_writes):
                session.commit()
                pending = session.info.pop(_ANNOUNCE_KEY, None)
                if isinstance(pending, Announcement) and not pending.is_empty() and self.sink is not None:
                    self.sink.post(pending)
            else:
                session.rollback()
        finally:
            session.info.pop(_ANNOUNCE_KEY, None)
            session.close()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back if it raises.
        What it announced is passed on only once it committed."""
        session = self.sessions()
        try:
            yield session
        except BaseException as exc:
            self.finish(session, exc)
            raise
        self.finish(session, None)

    def dispose(self) -> None:
        self.engine.dispose()
