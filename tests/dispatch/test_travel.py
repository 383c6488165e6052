"""The offline travel estimate and the road-network adapter."""

from __future__ import annotations

import json

import httpx
import pytest

from makeline.dispatch import PlanError, TravelTimesUnavailable
from makeline.dispatch.osrm import OsrmTravel
from makeline.dispatch.travel import GreatCircleTravel, LatLon, great_circle_m, road_distance_m

LOOP = LatLon(41.8781, -87.6298)
NORTH = LatLon(41.9781, -87.6298)  # 0.1 degree of latitude due north


def test_a_tenth_of_a_degree_of_latitude_is_about_eleven_km() -> None:
    assert great_circle_m(LOOP, NORTH) == pytest.approx(11_119, abs=5)
    assert road_distance_m(LOOP, NORTH, road_factor=1.35) == pytest.approx(15_011, abs=10)


def test_the_matrix_is_road_distance_at_the_average_speed() -> None:
    travel = GreatCircleTravel(speed_kmh=30, road_factor=1.35)
    seconds = travel.matrix([LOOP, NORTH])
    # 15.0 km at 30 km/h is 30 minutes
    assert seconds == [[0, pytest.approx(1801, abs=2)], [pytest.approx(1801, abs=2), 0]]
    assert GreatCircleTravel(speed_kmh=60).matrix([LOOP, NORTH])[0][1] == pytest.approx(900, abs=2)
    assert travel.distances([LOOP, NORTH])[1][0] == road_distance_m(NORTH, LOOP, 1.35)


def test_a_nonsense_speed_is_refused_with_the_setting_named() -> None:
    with pytest.raises(PlanError, match="average driving speed"):
        GreatCircleTravel(speed_kmh=0)


def _server(answer: dict[str, object] | None, status: int = 200) -> tuple[httpx.Client, list[str]]:
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(status, text=json.dumps(answer))

    return httpx.Client(transport=httpx.MockTransport(handle)), seen


def test_osrm_table_gives_both_matrices_from_one_request() -> None:
    client, seen = _server(
        {"code": "Ok", "durations": [[0, 612.4], [598.6, 0]], "distances": [[0, 5010.2], [4990, 0]]}
    )
    travel = OsrmTravel("http://osrm.local:5000/", client)
    assert travel.matrix([LOOP, NORTH]) == [[0, 612], [599, 0]]
    assert travel.distances([LOOP, NORTH]) == [[0, 5010], [4990, 0]]
    assert len(seen) == 1
    assert seen[0].startswith(
        "http://osrm.local:5000/table/v1/driving/-87.629800,41.878100;-87.629800,41.978100?"
    )
    assert "annotations=duration%2Cdistance" in seen[0]


def test_osrm_down_is_a_clear_message() -> None:
    client, _ = _server({"message": "overloaded"}, status=503)
    with pytest.raises(
        TravelTimesUnavailable, match=r"answered HTTP 503 without a travel table.*offline estimate"
    ):
        OsrmTravel("http://osrm.local:5000", client).matrix([LOOP, NORTH])


def test_osrm_with_no_road_to_a_door_says_so() -> None:
    client, _ = _server({"code": "Ok", "durations": [[0, None], [None, 0]], "distances": [[0, 1], [1, 0]]})
    with pytest.raises(TravelTimesUnavailable, match="no road to one of the doors"):
        OsrmTravel("http://osrm.local:5000", client).matrix([LOOP, NORTH])


def test_osrm_refusal_carries_its_reason() -> None:
    client, _ = _server({"code": "InvalidQuery", "message": "Query string malformed"}, status=400)
    with pytest.raises(TravelTimesUnavailable, match="InvalidQuery: Query string malformed"):
        OsrmTravel("http://osrm.local:5000", client).distances([LOOP, NORTH])


def test_osrm_unreachable_is_a_clear_message() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = httpx.Client(transport=httpx.MockTransport(refuse))
    with pytest.raises(TravelTimesUnavailable, match=r"did not answer \(ConnectError\)"):
        OsrmTravel("http://osrm.local:5000", client).matrix([LOOP, NORTH])
