"""Statements a chunk sends ahead (`store_events.ahead.Ahead`, psycopg's pipeline mode on the
session's own connection): the session's next statement reads what they wrote, their rows
come back in order, and an error of theirs is SQLAlchemy's, raised where the caller waits,
leaving the transaction to roll back to its savepoint like any failed statement."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.exc import DataError

from cloud_api.store_events.ahead import Ahead

from .helpers import ctx

_TABLE = "CREATE TEMPORARY TABLE ahead_probe (n int PRIMARY KEY, label varchar(5)) ON COMMIT DROP"
_INSERT = text("INSERT INTO ahead_probe VALUES (:n, :label) RETURNING n * 10")


def test_the_next_statement_reads_what_was_sent_ahead(app: FastAPI) -> None:
    with ctx(app).db.transaction() as session:
        session.execute(text(_TABLE))
        with Ahead(session) as ahead:
            first = ahead.send(_INSERT, {"n": 1, "label": "one"})
            ahead.send(_INSERT, {"n": 2, "label": "two"})
            # Not waited for: the session's own statement waits for them first.
            assert session.scalar(text("SELECT count(*) FROM ahead_probe")) == 2
            assert ahead.rows(first) == [(10,)]
            ahead.send(_INSERT, {"n": 3, "label": "three"})
        assert session.scalars(text("SELECT n FROM ahead_probe ORDER BY n")).all() == [1, 2, 3]


def test_an_error_sent_ahead_is_raised_where_the_caller_waits_and_rolls_back_alone(app: FastAPI) -> None:
    with ctx(app).db.transaction() as session:
        session.execute(text(_TABLE))
        session.execute(_INSERT, {"n": 1, "label": "kept"})
        with pytest.raises(DataError, match="too long"), session.begin_nested(), Ahead(session) as ahead:
            ahead.send(_INSERT, {"n": 2, "label": "fine"})
            ahead.send(_INSERT, {"n": 3, "label": "far too long"})
            ahead.send(_INSERT, {"n": 4, "label": "after"})
        # The savepoint took back what the block sent; the transaction goes on.
        session.execute(_INSERT, {"n": 5, "label": "later"})
        assert session.scalars(text("SELECT n FROM ahead_probe ORDER BY n")).all() == [1, 5]


def test_an_error_sent_ahead_is_raised_by_the_sessions_next_statement(app: FastAPI) -> None:
    with ctx(app).db.transaction() as session:
        session.execute(text(_TABLE))
        with pytest.raises(DataError, match="too long"), session.begin_nested(), Ahead(session) as ahead:
            ahead.send(_INSERT, {"n": 1, "label": "far too long"})
            session.execute(text("SELECT 1"))
        assert session.scalar(text("SELECT count(*) FROM ahead_probe")) == 0
