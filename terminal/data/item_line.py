"""The counter's item line: a few keystrokes that describe one menu line.

    [qty] size product [crust] [+topping[<>!~][:opts]] [-topping] [s:sauce] [ch:cheese] [# note]

    lg pep                   a large pepperoni
    2 md cheese +mush        two medium cheese pizzas with mushrooms
    lg cheese +pep< +mush>   pepperoni on the left half, mushrooms on the right
    xl sup -oni +ham!        supreme, no onions, extra ham
    md pep thin s~ ch!       thin crust, light sauce, extra cheese
    8pc wings # extra ranch  a side with a note
    lg pep @ allergy milk, well done   allergy and special-care flags after @

Sizes: s m l x (or sm md lg xl, or the menu's own codes such as 2l, 8pc).
Care flags after `@` (before any note), separated by commas: `allergy <what>`,
`well done`, `light bake`, `squares`, `no cut`, or a few words of other care
(`makeline.trade.care`). Marks after a topping: < left half, > right half, ! extra, ~ light; or spelled
out after a colon: +pep:l:x. Products, toppings, sauces and crusts match by the
start of their code or of a word of their name; an ambiguous start is refused
with the candidates, never guessed. The line becomes an `ItemRequest`; prices
and the limits on quantity are checked by the store's pricing rules.

`read_item_line` also says what it understood ("1 Large Pepperoni Pizza: EXTRA
PEPPERONI") and what the counter should hear about (a quantity above the store's
limit). A line that probably means something else is not guessed at: a topping
named twice (`lg pep +pep`) raises `ItemLineQuestion` with the line retyped the
way it is probably meant (`lg pep +pep!`), and a character the language has no
use for, or marks that contradict each other (`+mush<>`), are refused by name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from makeline.trade.care import line_labels, parse_care
from makeline.trade.errors import BadCareFlag
from makeline.trade.limits import OrderLimits, line_breach
from makeline.trade.menu import Amount, Menu, Option, Placement, Product, ProductKind, Topping, ToppingChoice
from makeline.trade.pricing import NONE, ItemRequest, price_item
from terminal.errors import ItemLineError, ItemLineQuestion

SIZE_ALIASES = {
    "s": "sm",
    "small": "sm",
    "m": "md",
    "med": "md",
    "medium": "md",
    "l": "lg",
    "large": "lg",
    "x": "xl",
    "xlg": "xl",
    "xlarge": "xl",
}
_PLACE = {
    "<": Placement.LEFT,
    ">": Placement.RIGHT,
    "l": Placement.LEFT,
    "left": Placement.LEFT,
    "r": Placement.RIGHT,
    "right": Placement.RIGHT,
    "w": Placement.WHOLE,
    "whole": Placement.WHOLE,
}
_AMOUNT = {
    "!": Amount.EXTRA,
    "~": Amount.LIGHT,
    "x": Amount.EXTRA,
    "extra": Amount.EXTRA,
    "xtra": Amount.EXTRA,
    "lt": Amount.LIGHT,
    "light": Amount.LIGHT,
    "n": Amount.NORMAL,
    "normal": Amount.NORMAL,
}
_CRUST_ALIASES = {"ht": "hand_tossed"}
_QTY = re.compile(r"^(\d+)x?$")
_MARKS = "<>!~"
_UNREADABLE = re.compile(r"[^\w +\-<>!~:,]")
_MARK_OF = {Placement.LEFT: "<", Placement.RIGHT: ">", Amount.EXTRA: "!", Amount.LIGHT: "~"}
HINT = "e.g. 'lg pep' for a large pepperoni, '+mush<' to add mushrooms on the left half"

Named = TypeVar("Named", Product, Topping, Option)
Retype = Callable[[dict[int, str | None]], str]  # token index -> new token (None: drop it)


@dataclass(frozen=True)
class ReadLine:
    """A typed line as the counter understood it."""

    request: ItemRequest
    understood: str  # "2 Large Pepperoni Pizza: EXTRA MUSHROOMS"
    warnings: tuple[str, ...] = ()  # what a person must know before it is placed


def _words(thing: Product | Topping | Option) -> list[str]:
    return re.findall(r"[a-z0-9]+", thing.name.lower())


def match(token: str, things: Sequence[Named], what: str) -> Named:
    """The one thing whose code or a word of whose name starts with `token`."""
    token = token.lower()
    exact = [t for t in things if t.code == token or t.name.lower() == token]
    if len(exact) == 1:
        return exact[0]
    by_code = [t for t in things if t.code.startswith(token)]
    if len(by_code) == 1:
        return by_code[0]
    by_word = [t for t in things if any(w.startswith(token) for w in _words(t))]
    found = by_code or by_word
    if len(found) == 1:
        return found[0]
    if not found:
        raise ItemLineError(f"No {what} starts with '{token}'; {HINT}.")
    names = ", ".join(t.name for t in found[:6])
    raise ItemLineError(f"'{token}' could be {names}; type more letters.")


def _split_marks(token: str) -> tuple[str, list[str]]:
    """'pep<!:x' -> ('pep', ['<', '!', 'x'])."""
    head, _, rest = token.partition(":")
    opts = [o for o in re.split(r"[:,]", rest) if o] if rest else []
    marks: list[str] = []
    while head and head[-1] in _MARKS:
        marks.insert(0, head[-1])
        head = head[:-1]
    return head, marks + opts


def _placement_amount(opts: list[str], token: str) -> tuple[Placement | None, Amount | None]:
    placements: list[Placement] = []
    amounts: list[Amount] = []
    for opt in opts:
        if opt in _PLACE:
            placements.append(_PLACE[opt])
        elif opt in _AMOUNT:
            amounts.append(_AMOUNT[opt])
        else:
            raise ItemLineError(
                f"'{opt}' in '{token}' is not a half or an amount; use < or > for a half, "
                "! for extra, ~ for light."
            )
    name = token[1:].partition(":")[0].rstrip(_MARKS)
    if len(set(placements)) > 1:
        raise ItemLineError(
            f"'{token}' asks for {' and '.join(p.value for p in placements)} at once; type +{name}< for "
            f"the left half, +{name}> for the right half, or +{name} for the whole pizza."
        )
    if len(set(amounts)) > 1:
        raise ItemLineError(
            f"'{token}' asks for {' and '.join(a.value for a in amounts)} at once; type +{name}! for "
            f"extra, +{name}~ for light, or +{name} for a normal amount."
        )
    return (placements[0] if placements else None), (amounts[0] if amounts else None)


def _typed(name: str, choice: ToppingChoice) -> str:
    """The token that asks for `choice`: '+pep<!'."""
    return f"+{name}{_MARK_OF.get(choice.placement, '')}{_MARK_OF.get(choice.amount, '')}"


class _Pizza:
    """The options of one pizza line as the tokens change them."""

    def __init__(self, product: Product) -> None:
        self.product = product
        self.toppings: list[ToppingChoice] = list(product.toppings)
        self.changed_toppings = False
        self.crust: str | None = None
        self.sauce: str | None = None
        self.sauce_amount = Amount.NORMAL
        self.cheese: str | None = None
        self.cheese_amount = Amount.NORMAL
        self.touched: dict[str, int] = {}  # topping code -> the token that added it

    def add(self, token: str, menu: Menu, index: int, retype: Retype) -> None:
        name, opts = _split_marks(token[1:])
        if not name:
            raise ItemLineError(f"'{token}' names no topping; {HINT}.")
        topping = match(name, menu.toppings, "topping")
        placement, amount = _placement_amount(opts, token)
        current = next((t for t in self.toppings if t.code == topping.code), None)
        earlier = self.touched.get(topping.code)
        if current is not None and (earlier is not None or (placement is None and amount is None)):
            # Named twice, or "+pep" on a pizza that has pepperoni already: ask, never guess.
            word = topping.name.lower()
            if earlier is not None and {current.placement, placement} == {Placement.LEFT, Placement.RIGHT}:
                meant = ToppingChoice(code=topping.code, placement=Placement.WHOLE, amount=current.amount)
                ask = f"{word} on both halves: on the whole pizza?"
            else:
                meant = current.model_copy(update={"amount": Amount.EXTRA})
                ask = f"{word} twice: extra {word}?"
            where = index if earlier is None else earlier
            retyped = retype({where: _typed(name, meant)} | ({} if earlier is None else {index: None}))
            raise ItemLineQuestion(
                f"{ask[0].upper()}{ask[1:]} Enter adds '{retyped}'; or change the line.", retyped
            )
        choice = ToppingChoice(
            code=topping.code,
            placement=placement or (current.placement if current else Placement.WHOLE),
            amount=amount or (current.amount if current else Amount.NORMAL),
        )
        self.toppings = [t for t in self.toppings if t.code != topping.code] + [choice]
        self.changed_toppings = True
        self.touched[topping.code] = index

    def remove(self, token: str, menu: Menu) -> None:
        name = token[1:]
        if name in ("s", "sauce"):
            self.sauce = NONE
            return
        if name in ("ch", "cheese"):
            self.cheese = NONE
            return
        topping = match(name, menu.toppings, "topping")
        if not any(t.code == topping.code for t in self.toppings):
            raise ItemLineError(f"There is no {topping.name} on {self.product.name} to take off.")
        self.toppings = [t for t in self.toppings if t.code != topping.code]
        self.changed_toppings = True
        self.touched.pop(topping.code, None)

    def sauce_or_cheese(self, token: str, menu: Menu) -> bool:
        head, opts = _split_marks(token)
        if head in ("s", "sauce"):
            options, kind = menu.sauces, "sauce"
        elif head in ("ch", "cheese") and (opts or ":" in token):
            options, kind = menu.cheeses, "cheese"
        else:
            return False
        code: str | None = None
        amount: Amount | None = None
        for opt in opts:
            if opt in _AMOUNT:
                amount = _AMOUNT[opt]
            elif opt in ("none", "no"):
                code = NONE
            else:
                code = match(opt, options, kind).code
        if kind == "sauce":
            self.sauce = code or self.sauce
            self.sauce_amount = amount or self.sauce_amount
        else:
            self.cheese = code or self.cheese
            self.cheese_amount = amount or self.cheese_amount
        return True

    def crust_word(self, token: str, menu: Menu) -> bool:
        word = token.removeprefix("crust:")
        if word in _CRUST_ALIASES:
            self.crust = _CRUST_ALIASES[word]
            return True
        candidates = [
            c for c in menu.crusts if c.code.startswith(word) or any(w.startswith(word) for w in _words(c))
        ]
        if len(word) >= 2 and len(candidates) == 1:
            self.crust = candidates[0].code
            return True
        return False


def _size(token: str, menu: Menu) -> str | None:
    if token in SIZE_ALIASES:
        return SIZE_ALIASES[token]
    return token if menu.size(token) is not None else None


def parse_item_line(text: str, menu: Menu) -> ItemRequest:
    """Read one typed line into an `ItemRequest`, or raise `ItemLineError` saying what to fix."""
    body, _, note = text.partition("#")
    body, marked, care_text = body.partition("@")
    try:
        care = parse_care(care_text)
    except BadCareFlag as exc:
        raise ItemLineError(str(exc)) from exc
    if marked and not care:
        raise ItemLineError("Type the care after @, e.g. '@ allergy peanuts, well done'.")
    unreadable = sorted(set(_UNREADABLE.findall(body.lower())))
    if unreadable:
        shown = " ".join(repr(c) for c in unreadable)
        raise ItemLineError(
            f"Cannot read {shown} in '{body.strip()}': an item line uses letters, numbers and "
            "+ - < > ! ~ : only; put a note after #."
        )
    words = body.lower().split()
    if not words:
        raise ItemLineError(f"Type an item, {HINT}.")

    def retype(changes: dict[int, str | None]) -> str:
        line = " ".join(w for w in (changes.get(i, t) for i, t in enumerate(words)) if w)
        if care_text.strip():
            line += f" @ {care_text.strip()}"
        return f"{line} # {note.strip()}" if note.strip() else line

    quantity, start = 1, 0
    if (qty := _QTY.match(words[0])) is not None and len(words) > 1:
        quantity, start = int(qty.group(1)), 1
    size: str | None = None
    pizza: _Pizza | None = None
    product: Product | None = None
    for index, token in enumerate(words[start:], start=start):
        if product is not None and token in _words(product) and token != product.code:
            continue  # the rest of a name typed out: "bbq chicken"
        if (found_size := _size(token, menu)) is not None and not token.startswith(("+", "-")):
            size = found_size
            continue
        if product is None:
            if token.startswith(("+", "-")):
                raise ItemLineError(
                    f"'{token}' changes a pizza, but no pizza is named yet; "
                    f"type its size and product first, e.g. 'lg cheese {token}'."
                )
            product = match(token, menu.products, "product")
            pizza = _Pizza(product)
            continue
        assert pizza is not None
        if product.kind is not ProductKind.PIZZA:
            raise ItemLineError(f"{product.name} takes no toppings or crust; '{token}' cannot go on it.")
        if token.startswith("+"):
            pizza.add(token, menu, index, retype)
        elif token.startswith("-"):
            pizza.remove(token, menu)
        elif not pizza.sauce_or_cheese(token, menu) and not pizza.crust_word(token, menu):
            raise ItemLineError(
                f"'{token}' is not a size, crust or change; add a topping with +{token}, "
                f"take one off with -{token}."
            )
    if product is None or pizza is None:
        raise ItemLineError(f"Which product? {HINT}.")
    if size is None:
        if len(product.price) != 1:
            sizes = " ".join(product.price)
            raise ItemLineError(f"Which size of {product.name}? Type one of: {sizes}.")
        size = next(iter(product.price))
    return ItemRequest(
        product=product.code,
        size=size,
        quantity=quantity,
        crust=pizza.crust,
        sauce=pizza.sauce,
        sauce_amount=pizza.sauce_amount,
        cheese=pizza.cheese,
        cheese_amount=pizza.cheese_amount,
        toppings=pizza.toppings if pizza.changed_toppings else None,
        notes=note.strip(),
        care=care,
    )


def read_item_line(text: str, menu: Menu, limits: OrderLimits | None = None) -> ReadLine:
    """Read and price one typed line: what was understood, and what the counter must hear about.

    Raises `ItemLineError` (or its `ItemLineQuestion`) for a line it cannot take as
    typed, and the pricing rules' `BadInput` for one the menu does not sell.
    """
    request = parse_item_line(text, menu)
    priced = price_item(menu, request)
    product = menu.product(request.product)
    what = priced.size_name if product is not None and len(product.price) > 1 else ""
    understood = " ".join(x for x in (str(priced.quantity), what, priced.name) if x)
    if priced.changes:
        understood += ": " + ", ".join(priced.changes)
    if priced.notes:
        understood += f" (note: {priced.notes})"
    if priced.care:
        understood += " ⚠ " + "; ".join(line_labels([f.model_dump() for f in priced.care], priced.allergens))
    warnings: list[str] = []
    if limits is not None:
        breach = line_breach(limits, priced.quantity, priced.name, priced.kind is ProductKind.PIZZA)
        if breach is not None:
            warnings.append(f"{breach.message}; a manager must approve.")
    return ReadLine(request, understood, tuple(warnings))
