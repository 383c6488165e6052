"""How the dispatch board judges what it shows: rack time and promises at risk, and where each
waiting order stands in the suggested runs. Pure; the screen only colours what this says."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from store_db.dispatch.planning import SuggestedRun, SuggestedStop, Suggestion
from store_db.queries.dispatch_board import WaitingOrder

Risk = Literal["ok", "watch", "late"]
STYLE: dict[Risk, str] = {"ok": "", "watch": "bold yellow", "late": "bold red"}

# An ETA this close to the promise is one slow light from late.
ETA_MARGIN_S = 180
# With no run planned yet, this little time to the promise leaves no room for the drive.
NO_RUN_MARGIN_S = 15 * 60


def rack_risk(rack_s: int | None, target_s: int) -> Risk:
    """Amber at the store's rack target, red at twice it (the rack screen's colours)."""
    if rack_s is None:
        return "ok"
    if rack_s >= 2 * target_s:
        return "late"
    return "watch" if rack_s >= target_s else "ok"


def over_cap_word(cap_s: int) -> str:
    """What the rack cell says of an order over the rack-time cap."""
    return f"OVER {cap_s // 60} MIN CAP"


def over_cap_sentence(orders: list[tuple[str, str]], cap_s: int) -> str:
    """The info line's warning: (label, wait) of each order over the cap, longest first."""
    if not orders:
        return ""
    listed = ", ".join(f"{label} {wait}" for label, wait in orders)
    return f"On the rack over {cap_s // 60} min, goes first: {listed}"


def promise_risk(promise_at: datetime, at: datetime, eta_at: datetime | None) -> Risk:
    """Late when the promise has passed or the planned ETA misses it; amber when it is close."""
    if at >= promise_at or (eta_at is not None and eta_at > promise_at):
        return "late"
    if eta_at is not None:
        return "watch" if (promise_at - eta_at).total_seconds() < ETA_MARGIN_S else "ok"
    return "watch" if (promise_at - at).total_seconds() < NO_RUN_MARGIN_S else "ok"


@dataclass(frozen=True)
class Placed:
    """Where an order stands in a suggestion."""

    run: SuggestedRun
    stop: SuggestedStop
    position: int  # from 1


def placements(suggestion: Suggestion | None) -> dict[str, Placed]:
    """Order id → its run and stop in the suggestion (orders left for later are absent)."""
    if suggestion is None:
        return {}
    return {
        stop.order_id: Placed(run, stop, n)
        for run in suggestion.runs
        for n, stop in enumerate(run.stops, start=1)
    }


def stage_word(order: WaitingOrder) -> str:
    return {"placed": "make line", "made": "oven", "baked": "boxing", "ready": "ready"}.get(
        order.stage, order.stage
    )
