"""Special care on an order line: an allergy, "well done", "cut in squares".

A flag is one of a small closed set of kinds, with a few words of free text
(what the allergy is to; what the care is). The counter types them after `@`
on an item line (`lg pep @ allergy peanuts, well done`) and `POST /orders`
sends them as `{"kind": "allergy", "text": "peanuts"}`; both read them with
these rules. A flagged line makes its ticket loud on every kitchen screen and
on the printed ticket, and the make line's bump of it needs a person's
acknowledgement. What an item contains (`allergens`) comes from the menu: the
product, its crust, sauce, cheese and toppings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, StringConstraints, model_validator

from makeline.trade.errors import BadCareFlag
from makeline.trade.menu import Frozen, Menu, Product, ToppingChoice

MAX_FLAGS = 5  # per line
MAX_TEXT = 60  # characters of free text per flag
MAX_ACK_BY = 40  # characters of the name that acknowledged it


class CareKind(StrEnum):
    ALLERGY = "allergy"
    WELL_DONE = "well_done"
    LIGHT_BAKE = "light_bake"
    CUT_SQUARES = "cut_squares"
    NO_CUT = "no_cut"
    OTHER = "other"  # free text: "no oregano on top, sensitive"


LABEL: dict[CareKind, str] = {
    CareKind.ALLERGY: "ALLERGY",
    CareKind.WELL_DONE: "WELL DONE",
    CareKind.LIGHT_BAKE: "LIGHT BAKE",
    CareKind.CUT_SQUARES: "CUT IN SQUARES",
    CareKind.NO_CUT: "DO NOT CUT",
    CareKind.OTHER: "CARE",
}
_NEEDS_TEXT = frozenset({CareKind.ALLERGY, CareKind.OTHER})

# The words a person types for each kind (the start of a flag, case and spaces ignored).
_WORDS: tuple[tuple[str, CareKind], ...] = (
    ("allergy", CareKind.ALLERGY),
    ("allergic", CareKind.ALLERGY),
    ("wellbaked", CareKind.WELL_DONE),
    ("welldone", CareKind.WELL_DONE),
    ("crispy", CareKind.WELL_DONE),
    ("lightbake", CareKind.LIGHT_BAKE),
    ("lightlybaked", CareKind.LIGHT_BAKE),
    ("cutinsquares", CareKind.CUT_SQUARES),
    ("squarecut", CareKind.CUT_SQUARES),
    ("squares", CareKind.CUT_SQUARES),
    ("nocut", CareKind.NO_CUT),
    ("uncut", CareKind.NO_CUT),
    ("dontcut", CareKind.NO_CUT),
    ("donotcut", CareKind.NO_CUT),
)
_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

CareText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_TEXT)]


class CareFlag(Frozen):
    """One flag on a line: its kind and, for an allergy or other care, what it is about."""

    kind: CareKind
    text: CareText = ""

    @model_validator(mode="after")
    def _text_fits(self) -> Self:
        if self.kind in _NEEDS_TEXT and not self.text:
            raise ValueError(f"a {self.kind.value.replace('_', ' ')} flag needs a few words saying what")
        if _ONE_LINE.search(self.text):
            raise ValueError("a care flag is one line of text, without control characters")
        return self

    @property
    def label(self) -> str:
        """What the kitchen reads: `ALLERGY: PEANUTS`, `WELL DONE`."""
        head = LABEL[self.kind]
        return f"{head}: {self.text.upper()}" if self.text else head


CareFlags = Annotated[list[CareFlag], Field(max_length=MAX_FLAGS)]


def _kind_of(words: str) -> tuple[CareKind, str]:
    squeezed = re.sub(r"[^a-z]", "", words.lower())
    for start, kind in _WORDS:
        if squeezed.startswith(start):
            # The rest after the kind's own words: "allergy peanuts" → "peanuts".
            rest = words
            for char in start:
                rest = rest[rest.lower().index(char) + 1 :]
            return kind, rest.strip(" :-=,").strip()
    return CareKind.OTHER, words.strip()


def parse_care(text: str) -> list[CareFlag]:
    """Flags typed at the counter, separated by commas or semicolons.

    `allergy peanuts, well done; squares` → ALLERGY: PEANUTS, WELL DONE, CUT IN SQUARES.
    Words that name no kind become an `other` flag with the words as typed. Raises
    `BadCareFlag` saying what to fix: a flag too long, too many, an allergy to nothing.
    """
    parts = [p.strip() for p in re.split(r"[,;]", text) if p.strip()]
    if len(parts) > MAX_FLAGS:
        raise BadCareFlag(f"At most {MAX_FLAGS} care flags on one line; {len(parts)} were typed.")
    flags: list[CareFlag] = []
    for part in parts:
        if _ONE_LINE.search(part):
            raise BadCareFlag("A care flag is one line of plain text; remove the control characters.")
        kind, rest = _kind_of(part)
        if len(rest) > MAX_TEXT:
            raise BadCareFlag(
                f"'{part[:20]}…' is {len(rest)} characters; say it in {MAX_TEXT} or fewer "
                "(put the rest in the note after #)."
            )
        if kind in _NEEDS_TEXT and not rest:
            raise BadCareFlag("An allergy flag needs what it is to, e.g. '@ allergy peanuts'.")
        flag = CareFlag(kind=kind, text=rest if kind in _NEEDS_TEXT else "")
        if flag not in flags:
            flags.append(flag)
    return flags


def allergens_of(
    menu: Menu,
    product: Product,
    crust: str | None,
    sauce: str | None,
    cheese: str | None,
    toppings: Iterable[ToppingChoice],
) -> list[str]:
    """Every allergen the line contains, from the menu: product, crust, sauce, cheese, toppings."""
    found: set[str] = set(product.allergens)
    for option in (
        menu.crust(crust) if crust else None,
        menu.sauce(sauce) if sauce else None,
        menu.cheese(cheese) if cheese else None,
    ):
        if option is not None:
            found.update(option.allergens)
    for choice in toppings:
        topping = menu.topping(choice.code)
        if topping is not None:
            found.update(topping.allergens)
    return sorted(a.lower() for a in found)


def conflicts(flags: Sequence[CareFlag], allergens: Sequence[str]) -> list[str]:
    """Allergens the line contains that one of its allergy flags names ("milk" in "milk, eggs")."""
    named = {
        word
        for flag in flags
        if flag.kind is CareKind.ALLERGY
        for word in re.findall(r"[a-z]+", flag.text.lower())
    }
    return [a for a in allergens if a in named or a.rstrip("s") in named or f"{a}s" in named]


def ack_name(by: str) -> str:
    """The name that acknowledges a flagged ticket, checked: one line, 1–40 characters."""
    name = by.strip()
    if not name or len(name) > MAX_ACK_BY or _ONE_LINE.search(name):
        raise BadCareFlag(
            f"Type who checked the allergy or care flags (a name or initials, up to {MAX_ACK_BY} characters)."
        )
    return name


def line_labels(care: Iterable[object], allergens: Iterable[object]) -> list[str]:
    """What a line's flags say to the kitchen, from a stored line's `care` and `allergens`
    (plain JSON): each flag's label, then `CONTAINS MILK` when an allergy names what it holds.
    A stored flag that no longer reads (edited by hand) still shows, as `CARE: <what it says>`."""
    flags: list[CareFlag] = []
    labels: list[str] = []
    for raw in care:
        try:
            flag = CareFlag.model_validate(raw)
        except ValueError:
            labels.append(f"CARE: {str(raw)[:MAX_TEXT].upper()}")
            continue
        flags.append(flag)
        labels.append(flag.label)
    contained = conflicts(flags, [str(a) for a in allergens])
    if contained:
        labels.append("CONTAINS " + ", ".join(a.upper() for a in contained))
    return labels
