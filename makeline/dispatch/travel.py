"""Travel times and distances between the store and its customers' doors.

`TravelTimes` is the seam a store can plug a road-network matrix into (see
`makeline.dispatch.osrm`). The default, `GreatCircleTravel`, works offline:
great-circle distance times a road factor (streets are longer than the crow
flies) at the store's average speed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from makeline.dispatch import PlanError

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)


class LatLon(NamedTuple):
    lat: float
    lon: float


class TravelTimes(Protocol):
    """Where the planner gets its matrices. Both are square, indexed like `points`."""

    def matrix(self, points: Sequence[LatLon]) -> list[list[int]]:
        """Driving seconds from `points[i]` to `points[j]`; 0 on the diagonal.

        Raises `TravelTimesUnavailable` when the source cannot answer.
        """
        ...

    def distances(self, points: Sequence[LatLon]) -> list[list[int]]:
        """Driving metres from `points[i]` to `points[j]` (for mileage); 0 on the diagonal.

        Raises `TravelTimesUnavailable` when the source cannot answer.
        """
        ...


def great_circle_m(a: LatLon, b: LatLon) -> float:
    """Haversine distance in metres."""
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    dphi = phi2 - phi1
    dlmb = math.radians(b.lon - a.lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def road_distance_m(a: LatLon, b: LatLon, road_factor: float = 1.35) -> int:
    """Estimated driving metres between two points, rounded to the metre."""
    return round(great_circle_m(a, b) * road_factor)


@dataclass(frozen=True)
class GreatCircleTravel:
    """Offline estimate: the store's settings `avg_speed_kmh` and `road_factor`."""

    speed_kmh: float = 30.0
    road_factor: float = 1.35

    def __post_init__(self) -> None:
        if self.speed_kmh <= 0 or self.road_factor < 1:
            raise PlanError(
                f"The store's average driving speed must be above 0 km/h and its road factor "
                f"at least 1 (they are {self.speed_kmh} km/h and {self.road_factor})."
            )

    def distances(self, points: Sequence[LatLon]) -> list[list[int]]:
        return [[road_distance_m(a, b, self.road_factor) for b in points] for a in points]

    def matrix(self, points: Sequence[LatLon]) -> list[list[int]]:
        metres_per_s = self.speed_kmh / 3.6
        return [
            [round(great_circle_m(a, b) * self.road_factor / metres_per_s) for b in points] for a in points
        ]
