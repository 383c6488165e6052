"""The dispatcher editing a suggestion: an order moved onto another run, or off every run.

Nothing is written: the edited suggestion is laid out again with the matrices the plan
was made with, and a run is sent with `store_db.services.dispatch.accept`.
"""

from __future__ import annotations

from makeline.dispatch import PlanError
from makeline.dispatch.runs import lay_out
from store_db.dispatch.planning import Suggestion, suggestion_from


def move_order(
    suggestion: Suggestion, order: str, to_driver: str | None, position: int | None = None
) -> Suggestion:
    """`order` (label, number or id) moved onto `to_driver`'s run, or off every run (None).

    It goes where it makes the run least late, then shortest, then soonest at the doors,
    unless `position` (from 0) says where. The other runs keep their stops; every ETA is laid out again.
    """
    request = suggestion.request
    index = {s.order_id: k for k, s in enumerate(request.stops)}
    wanted = suggestion.board.order(order)
    if wanted.order_id not in index:
        raise PlanError(
            f"Order {wanted.label} is not ready or soon ready (it is {wanted.stage}); "
            "it can go on a run once it is made."
        )
    k = index[wanted.order_id]
    routes: list[list[int]] = []
    for driver in request.drivers:
        run = suggestion.run_for(driver.driver_id)
        routes.append([index[s.order_id] for s in run.stops] if run else [])
    for route in routes:
        if k in route:
            route.remove(k)
    if to_driver is not None:
        v = next(
            (
                v
                for v, d in enumerate(request.drivers)
                if to_driver in (d.driver_id,) or d.name.lower() == to_driver.strip().lower()
            ),
            None,
        )
        if v is None:
            raise PlanError(
                f"{to_driver} is not a driver in the store; runs are suggested for "
                f"{', '.join(d.name for d in request.drivers) or 'nobody (no driver is in)'}."
            )
        if len(routes[v]) >= request.capacity:
            raise PlanError(
                f"{request.drivers[v].name}'s run already holds {request.capacity} orders, the "
                "hot-bag capacity; move one off it first."
            )
        routes[v] = _placed(suggestion, routes, v, k, position)
    plan = lay_out(request, routes, suggestion.seconds, suggestion.metres)
    return suggestion_from(suggestion.board, request, suggestion.seconds, suggestion.metres, plan)


def _placed(
    suggestion: Suggestion, routes: list[list[int]], v: int, k: int, position: int | None
) -> list[int]:
    route = routes[v]
    if position is not None:
        return [*route[: max(0, position)], k, *route[max(0, position) :]]
    best: tuple[tuple[int, int, int], list[int]] | None = None
    for at in range(len(route) + 1):
        candidate = [*route[:at], k, *route[at:]]
        trial = [candidate if u == v else [] for u in range(len(routes))]
        (run,) = lay_out(suggestion.request, trial, suggestion.seconds, suggestion.metres).runs
        # a run's driving is the same either way round; then the nearer door first
        score = (sum(s.lateness_s for s in run.stops), run.drive_s, sum(s.eta_s for s in run.stops))
        if best is None or score < best[0]:
            best = (score, candidate)
    assert best is not None
    return best[1]
