"""When a status text is still news: the rule the queue and the sender share (pure).

A status text tells the customer what is happening now. One about a moment more than
`TEXT_FRESH` ago (a store's backlog synced after a night offline, a text that waited out a
long outage at the provider), or about an order that has reached its end since (a delivered
order's "on the way"), is not sent.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from makeline.trade.lifecycle import FINAL

TEXT_FRESH = timedelta(minutes=30)  # "on the way" an hour after the driver left is no news
_ENDS = frozenset(stage.value for stage in FINAL)


def still_news(stage: str, order_stage: str, at: datetime, now: datetime) -> bool:
    """Whether a status text about `stage`, which happened `at`, is worth sending `now` to
    the customer of an order that stands at `order_stage`: its moment is recent, and the
    order has not reached an end since."""
    if now - at > TEXT_FRESH:
        return False
    return stage == order_stage or order_stage not in _ENDS
