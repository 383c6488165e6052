"""Rows sent to PostgreSQL as one JSON document (`cloud_api.db.records.document`): decimals
as their exact text, times in ISO 8601 with their zone, text as sent; a float NaN is not
JSON, so PostgreSQL refuses the document rather than storing something else."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.exc import DataError

from cloud_api.db.records import document

from .helpers import ctx


def test_a_document_keeps_every_value_as_postgresql_reads_it() -> None:
    at = datetime(2026, 12, 5, 7, 35, 28, 371579, tzinfo=UTC)
    rows = [
        {
            "quantity": Decimal("-1.250"),
            "big": Decimal("1E+2"),
            "at": at,
            "day": date(2026, 12, 4),
            "name": 'O\'Brien "½" 🍕 \\N',
            "lat": 41.86026978417266,
            "none": None,
            "flag": False,
        }
    ]
    (read,) = json.loads(document(rows))
    assert read["quantity"] == "-1.250" and read["big"] == "1E+2"
    assert datetime.fromisoformat(read["at"]) == at and read["day"] == "2026-12-04"
    assert read["name"] == rows[0]["name"] and read["lat"] == 41.86026978417266
    assert read["none"] is None and read["flag"] is False


def test_postgresql_refuses_a_document_holding_a_nan(app: FastAPI) -> None:
    with ctx(app).db.transaction() as session:
        kept = session.scalar(text("SELECT CAST(:d AS jsonb)"), {"d": document([{"lat": 41.5}])})
        assert kept == [{"lat": 41.5}]
    with pytest.raises(DataError), ctx(app).db.transaction() as session:
        session.execute(text("SELECT CAST(:d AS jsonb)"), {"d": document([{"lat": float("nan")}])})
