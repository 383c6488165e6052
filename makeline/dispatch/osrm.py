"""Road-network travel times from an OSRM server's table service.

A store that runs (or rents) an OSRM server plugs it in as its `TravelTimes`;
nothing else changes. The HTTP client is passed in, so tests hand it a mock
transport and the store decides timeouts and retries.
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from makeline.dispatch import TravelTimesUnavailable
from makeline.dispatch.travel import LatLon


class OsrmTravel:
    """`TravelTimes` from `GET {base_url}/table/v1/{profile}/{lon,lat;...}`."""

    def __init__(self, base_url: str, client: httpx.Client, profile: str = "driving") -> None:
        self.base_url = base_url.rstrip("/")
        self.client = client
        self.profile = profile
        # the planner asks for seconds and metres of the same points: one request serves both
        self._last: tuple[tuple[LatLon, ...], list[list[int]], list[list[int]]] | None = None

    def matrix(self, points: Sequence[LatLon]) -> list[list[int]]:
        return self._table(points)[0]

    def distances(self, points: Sequence[LatLon]) -> list[list[int]]:
        return self._table(points)[1]

    def _table(self, points: Sequence[LatLon]) -> tuple[list[list[int]], list[list[int]]]:
        key = tuple(points)
        if self._last is not None and self._last[0] == key:
            return self._last[1], self._last[2]
        coordinates = ";".join(f"{p.lon:.6f},{p.lat:.6f}" for p in points)
        url = f"{self.base_url}/table/v1/{self.profile}/{coordinates}"
        try:
            response = self.client.get(url, params={"annotations": "duration,distance"})
        except httpx.HTTPError as exc:
            raise TravelTimesUnavailable(
                f"The road-network server at {self.base_url} did not answer "
                f"({type(exc).__name__}); plan with the offline estimate until it is back."
            ) from exc
        try:
            body = response.json()
        except ValueError as exc:
            body = None
            cause: Exception | None = exc
        else:
            cause = None
        if isinstance(body, dict) and body.get("code", "Ok") != "Ok":
            raise TravelTimesUnavailable(
                f"The road-network server at {self.base_url} refused the request "
                f"({body.get('code')}: {body.get('message', 'no reason given')})."
            )
        if response.status_code != 200 or not isinstance(body, dict):
            raise TravelTimesUnavailable(
                f"The road-network server at {self.base_url} answered HTTP {response.status_code} "
                f"without a travel table; plan with the offline estimate until it is back."
            ) from cause
        seconds = _whole(body.get("durations"), len(points), self.base_url)
        metres = _whole(body.get("distances"), len(points), self.base_url)
        self._last = (key, seconds, metres)
        return seconds, metres


def _whole(rows: object, size: int, server: str) -> list[list[int]]:
    if not isinstance(rows, list) or len(rows) != size:
        raise TravelTimesUnavailable(f"The road-network server at {server} sent no full matrix.")
    table: list[list[int]] = []
    for row in rows:
        if not isinstance(row, list) or len(row) != size or any(v is None for v in row):
            raise TravelTimesUnavailable(
                f"The road-network server at {server} found no road to one of the doors; "
                f"check the address or plan with the offline estimate."
            )
        table.append([round(float(v)) for v in row])
    return table
