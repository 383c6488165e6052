"""Store → cloud: what the kitchen adds to an order's stage events: who read a flagged
ticket before bumping it (`CareAck`, carried by `order.stage`), and the store's honest-timer
flags raised between stage events (`order.flagged`), and the cut table's quality check
(`order.checked`). `sync.contract.events` lists them with the other event kinds."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from makeline.trade.integrity import IntegrityFlag
from makeline.trade.lifecycle import CheckResult
from sync.contract.base import Body, Count, Id, Text, UTCTime, Wire


class CareAck(Wire):
    """Who read a flagged ticket's allergy and care flags before bumping it, and when."""

    by: Annotated[str, Field(min_length=1, max_length=40)]
    at: UTCTime
    flags: list[Text] = Field(default_factory=list, max_length=50)  # the labels they saw


class OrderFlagged(Body):
    """`order.flagged`: the store flagged an order's times between its stage events (a ticket
    bumped and recalled again and again); the cloud counts it beside the speed of service."""

    kind: Literal["order.flagged"] = "order.flagged"
    order_id: Id
    number: Count
    flag: IntegrityFlag
    at: UTCTime


class OrderChecked(Body):
    """`order.checked`: the cut table's quality check of an order, in a store that checks:
    boxed and `waiting` for it (again, when a pass or a send-back was taken back), `passed` by
    `by`, or `sent_back` to the make line to be made again for `reason`. The customer's
    tracker shows it."""

    kind: Literal["order.checked"] = "order.checked"
    order_id: Id
    number: Count
    result: CheckResult
    reason: Text = ""
    by: Annotated[str, Field(max_length=40)] | None = None
    at: UTCTime
