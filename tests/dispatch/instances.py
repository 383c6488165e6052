"""Small seeded dispatch instances around one store, for the planner tests."""

from __future__ import annotations

import random

from makeline.dispatch.runs import Driver, PlanRequest, Stop

STORE = (41.8781, -87.6298)


def instance(
    seed: int,
    stops: int,
    drivers: int,
    capacity: int = 3,
    time_limit_ms: int = 250,
    tight: bool = True,
) -> PlanRequest:
    """Doors within ~4 km; some orders still in the oven, some drivers still out."""
    rng = random.Random(seed)
    made = tuple(
        Stop(
            order_id=f"o{i}",
            label=f"#{1001 + i}",
            lat=STORE[0] + rng.uniform(-0.03, 0.03),
            lon=STORE[1] + rng.uniform(-0.04, 0.04),
            deadline_s=rng.randint(300, 1800) if tight else 7200,
            release_s=rng.choice([0, 0, 0, 60, 180, 300]),
        )
        for i in range(stops)
    )
    crew = tuple(Driver(f"d{j}", f"Driver {j}", rng.choice([0, 0, 300, 600])) for j in range(drivers))
    return PlanRequest(STORE[0], STORE[1], made, crew, capacity, time_limit_ms)
