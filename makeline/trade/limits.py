"""Per-store limits on one order, and which of them an order goes over.

A store caps what a single order may be: its value, its value when nobody has
paid yet (cash at the counter or at the door: a prank order costs the store the
food), how many of one thing on a line, how many pizzas and how many lines. Online,
an order over a limit is refused; at the counter a manager may approve it. Pure:
the cloud and the store call the same code with the store's own settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, model_validator

from makeline.trade.menu import Frozen, ProductKind
from makeline.trade.pricing import MAX_QUANTITY, PricedItem

Cents = Annotated[int, Field(ge=100, le=10_000_000)]


def dollars(cents: int) -> str:
    return f"${cents // 100:,}.{cents % 100:02d}"


class OrderLimits(Frozen):
    """A store's limits; every field has a default a typical store can live with."""

    max_order_cents: Cents = 50_000
    max_cash_order_cents: Cents = 15_000
    max_line_quantity: Annotated[int, Field(ge=1, le=MAX_QUANTITY)] = 10
    max_pizzas: Annotated[int, Field(ge=1, le=1_000)] = 20
    max_lines: Annotated[int, Field(ge=1, le=100)] = 20

    @model_validator(mode="after")
    def _cash_within_order(self) -> Self:
        if self.max_cash_order_cents > self.max_order_cents:
            raise ValueError(
                f"the cash order limit ({dollars(self.max_cash_order_cents)}) cannot be above "
                f"the order limit ({dollars(self.max_order_cents)})"
            )
        return self


DEFAULT_LIMITS = OrderLimits()


class Limit(StrEnum):
    """Each limit by the name of its setting."""

    ORDER_VALUE = "max_order_cents"
    CASH_ORDER_VALUE = "max_cash_order_cents"
    LINE_QUANTITY = "max_line_quantity"
    PIZZAS = "max_pizzas"
    LINES = "max_lines"


class Breach(Frozen):
    """One limit an order goes over: which, what it allows, what was asked, in words."""

    limit: Limit
    allowed: int
    asked: int
    line: int | None = None  # 0-based, for a line's quantity
    message: str


def line_breach(
    limits: OrderLimits, quantity: int, name: str, pizza: bool, line: int | None = None
) -> Breach | None:
    """The line-quantity breach of `quantity` of one thing, or None when within the limit."""
    if quantity <= limits.max_line_quantity:
        return None
    what = "pizzas" if pizza else f"x {name}"
    return Breach(
        limit=Limit.LINE_QUANTITY,
        allowed=limits.max_line_quantity,
        asked=quantity,
        line=line,
        message=f"{quantity} {what}: above this store's limit of {limits.max_line_quantity} per line",
    )


def order_breaches(limits: OrderLimits, items: Sequence[PricedItem], total: int, cash: bool) -> list[Breach]:
    """Every limit the order goes over, in the order of the settings; empty when it is within all.

    `cash` is True when nobody has paid yet (cash at the counter or at the door).
    """
    found: list[Breach] = []
    if total > limits.max_order_cents:
        found.append(
            Breach(
                limit=Limit.ORDER_VALUE,
                allowed=limits.max_order_cents,
                asked=total,
                message=f"{dollars(total)}: above this store's limit of "
                f"{dollars(limits.max_order_cents)} per order",
            )
        )
    if cash and total > limits.max_cash_order_cents:
        found.append(
            Breach(
                limit=Limit.CASH_ORDER_VALUE,
                allowed=limits.max_cash_order_cents,
                asked=total,
                message=f"{dollars(total)} in cash: above this store's limit of "
                f"{dollars(limits.max_cash_order_cents)} for an order paid in cash",
            )
        )
    for index, item in enumerate(items):
        breach = line_breach(limits, item.quantity, item.name, item.kind is ProductKind.PIZZA, index)
        if breach is not None:
            found.append(breach)
    pizzas = sum(i.quantity for i in items if i.kind is ProductKind.PIZZA)
    if pizzas > limits.max_pizzas:
        found.append(
            Breach(
                limit=Limit.PIZZAS,
                allowed=limits.max_pizzas,
                asked=pizzas,
                message=f"{pizzas} pizzas: above this store's limit of {limits.max_pizzas} per order",
            )
        )
    if len(items) > limits.max_lines:
        found.append(
            Breach(
                limit=Limit.LINES,
                allowed=limits.max_lines,
                asked=len(items),
                message=f"{len(items)} lines: above this store's limit of {limits.max_lines} per order",
            )
        )
    return found


def describe(breaches: Sequence[Breach]) -> str:
    """The breaches as one sentence, each naming its limit."""
    return "; ".join(b.message for b in breaches) + "."
