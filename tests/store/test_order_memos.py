"""What the order path keeps between calls gives what working it out afresh gives: the last
timestamp's text (`rows.utc_text`) and each waiting door's drive (`promise._drive_s`)."""

from __future__ import annotations

import random
from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite

from makeline.trade.geo import distance_km
from store_db.models.base import UTCDateTime
from store_db.services import promise, rows

_DIALECT = sqlite.dialect()
_STORED = UTCDateTime().dialect_impl(_DIALECT).bind_processor(_DIALECT)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.datetimes(timezones=st.timezones()), min_size=1, max_size=6), st.randoms())
def test_timestamps_written_again_in_any_order_keep_the_dialects_text(
    moments: list[datetime], chance: random.Random
) -> None:
    """The same moments, each written several times in a shuffled order (the one kept and
    others between): every text is the dialect's own."""
    assert _STORED is not None
    written = moments * 3
    chance.shuffle(written)
    for moment in written:
        assert rows.utc_text(moment) == _STORED(moment)


class _Store:
    """The settings a door's drive reads."""

    def __init__(
        self, lat: float, lon: float, radius_km: float, road_factor: float, speed_kmh: float
    ) -> None:
        self.lat, self.lon, self.delivery_radius_km = lat, lon, radius_km
        self.road_factor, self.avg_speed_kmh = road_factor, speed_kmh


_coordinate = st.floats(min_value=-60, max_value=60, allow_nan=False)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([(41.9, -87.8, 5.0, 1.35, 30.0), (41.9, -87.8, 8.0, 1.2, 25.0)]),
            st.one_of(st.none(), st.tuples(_coordinate, _coordinate)),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_a_doors_drive_is_the_one_worked_out_afresh_whatever_the_settings_between(
    asked: list[tuple[tuple[float, float, float, float, float], tuple[float, float] | None]],
) -> None:
    for settings_, door in asked:
        store = _Store(*settings_)
        lat, lon = door if door is not None else (None, None)
        km = (
            distance_km(store.lat, store.lon, lat, lon)
            if lat is not None and lon is not None
            else store.delivery_radius_km / 2
        )
        expected = round(km * store.road_factor / store.avg_speed_kmh * 3600)
        assert promise._drive_s(store, lat, lon) == expected  # type: ignore[arg-type]
