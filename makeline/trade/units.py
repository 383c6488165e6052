"""Units of stock: how many base units a case, bag or tray holds, and mixed-unit entries.

An item is used in its base unit (oz, fl_oz, each), counted in its counting
unit (bag, tray) and bought in its purchase unit (case). A count line may mix
units: "2 case + 3 bag + 1.5 lb". Plurals are understood ("2 cases", "3 lbs");
a lone bare number is in the counting unit; in a mix every part names its
unit, so "1 tray + 4" is refused rather than guessed. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from makeline.trade.errors import InvalidQuantity, UnknownUnit

_PART = re.compile(r"^\s*(?P<qty>-?(?:\d+(?:\.\d*)?|\.\d+))\s*(?P<unit>[A-Za-z_][A-Za-z_ ]*)?\s*$")
PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class ItemUnits:
    """One item's units; `per_unit` maps each unit (the base unit included) to base units."""

    code: str
    name: str
    base_unit: str
    count_unit: str
    purchase_unit: str
    per_unit: Mapping[str, Decimal]

    def unit(self, text: str) -> str:
        """The item's own spelling of `text`, or `UnknownUnit` listing the units it has."""
        word = "_".join(text.strip().lower().split())
        for candidate in (word, word.removesuffix("s"), word.removesuffix("es")):
            if candidate in self.per_unit:
                return candidate
        if word in ("fl_ozs", "fl_oz", "floz") and "fl_oz" in self.per_unit:
            return "fl_oz"
        raise UnknownUnit(
            f"{self.name} ({self.code}) is not counted in '{text.strip()}'; "
            f"use {', '.join(self.units_largest_first())}."
        )

    def base_qty(self, unit: str) -> Decimal:
        return self.per_unit[self.unit(unit)]

    def to_base(self, quantity: Decimal, unit: str | None = None) -> Decimal:
        if quantity < 0:
            raise InvalidQuantity(
                f"{self.name}: {quantity} is negative; enter what is there (0 when there is none)."
            )
        return quantity * self.base_qty(unit or self.count_unit)

    def to_count(self, base: Decimal) -> Decimal:
        return base / self.per_unit[self.count_unit]

    def to_purchase(self, base: Decimal) -> Decimal:
        return base / self.per_unit[self.purchase_unit]

    def units_largest_first(self) -> list[str]:
        return [u for u, _ in sorted(self.per_unit.items(), key=lambda kv: (-kv[1], kv[0]))]

    def parse(self, entry: str, unit: str | None = None) -> Decimal:
        """Base units of an entry like "2 case + 3 bag + 1.5 lb"; a lone bare number takes `unit`.

        Refuses a negative part, a part that is not a number, and a unit the item lacks.
        """
        parts = entry.split("+") if entry.strip() else []
        if not parts:
            raise InvalidQuantity(f"{self.name}: enter a quantity (0 when there is none).")
        total = Decimal(0)
        for part in parts:
            match = _PART.match(part)
            if match is None:
                raise InvalidQuantity(
                    f"{self.name}: '{part.strip()}' is not a quantity; "
                    "write it like '2 case + 3 bag + 1.5 lb'."
                )
            if match["unit"] is None and len(parts) > 1:
                raise InvalidQuantity(
                    f"{self.name}: '{part.strip()}' has no unit; in a mixed entry give every part "
                    f"its unit, e.g. '2 {self.count_unit} + 3 {self.base_unit}'."
                )
            total += self.to_base(Decimal(match["qty"]), match["unit"] or unit or self.count_unit)
        return total

    def describe(self, base: Decimal) -> str:
        """Base units as people count them: whole cases and bags, then the rest in the base unit."""
        if base < 0:
            return f"-{self.describe(-base)}"
        parts: list[str] = []
        rest = base
        for unit in self.units_largest_first():
            size = self.per_unit[unit]
            if unit == self.base_unit or size <= 1:
                continue
            whole = int(rest // size)
            if whole:
                parts.append(f"{whole} {unit}")
                rest -= whole * size
        if rest or not parts:
            parts.append(f"{fmt_qty(rest)} {self.base_unit}")
        return " + ".join(parts)


def fmt_qty(value: Decimal, places: Decimal = PLACES) -> str:
    """A quantity for people and files: at most four decimals, no trailing zeros, no exponent."""
    text = format(value.quantize(places, rounding=ROUND_HALF_UP), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def parse_decimal(text: str, what: str) -> Decimal:
    """A plain number from a file or a flag, or `InvalidQuantity` naming `what`."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation as exc:
        raise InvalidQuantity(f"{what}: '{text.strip()}' is not a number.") from exc
    if not value.is_finite():
        raise InvalidQuantity(f"{what}: '{text.strip()}' is not a number.")
    return value
