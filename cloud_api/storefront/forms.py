"""Reading the storefront's forms (urlencoded bodies) into the order API's own models, so a
pizza built on the page is the same `ItemIn` an API client would send."""

from __future__ import annotations

from urllib.parse import parse_qs

from pydantic import ValidationError

from cloud_api.errors import BadRequest
from cloud_api.orders.schemas import ItemIn, ToppingIn
from makeline.trade.care import CareFlag, CareKind
from makeline.trade.menu import Amount, Menu, Placement, ProductKind

MAX_BODY = 16_384
NONE = "none"


def fields(body: bytes) -> dict[str, str]:
    """The form's fields (the last value of each); a body too large or not text is refused."""
    if len(body) > MAX_BODY:
        raise BadRequest("That form is far larger than any of ours; reload the page and try again.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest("That form could not be read; reload the page and try again.") from exc
    parsed = parse_qs(text, keep_blank_values=True, max_num_fields=400)
    return {name: values[-1] for name, values in parsed.items()}


def _choice(form: dict[str, str], name: str, allowed: type[Amount] | type[Placement]) -> str:
    value = form.get(name, "")
    if value not in {member.value for member in allowed}:
        raise BadRequest(f"Choose one of {', '.join(m.value for m in allowed)} for {name}.", name)
    return value


# The builder's care boxes (a pizza's bake and cut), beside its allergy and other-care fields.
CARE_BOXES = (CareKind.WELL_DONE, CareKind.LIGHT_BAKE, CareKind.CUT_SQUARES, CareKind.NO_CUT)


def care_flags(form: dict[str, str]) -> list[CareFlag]:
    """The line's allergy and special care as typed and ticked (`makeline.trade.care`)."""
    allergy, other = form.get("care_allergy", "").strip(), form.get("care_other", "").strip()
    try:
        flags = [CareFlag(kind=CareKind.ALLERGY, text=allergy)] if allergy else []
        flags += [CareFlag(kind=kind) for kind in CARE_BOXES if form.get(f"care_{kind.value}")]
        flags += [CareFlag(kind=CareKind.OTHER, text=other)] if other else []
    except ValidationError as exc:
        raise BadRequest(
            "Say the allergy or the care in one line of up to 60 characters, e.g. 'peanuts'.", "care"
        ) from exc
    return flags


def builder_item(menu: Menu, form: dict[str, str]) -> ItemIn:
    """The pizza (or side) as built: every topping the page offers, whole / left / right and
    light / normal / extra. Codes are checked against the menu by the pricing itself."""
    code = form.get("product", "")
    product = next((p for p in menu.products if p.code == code), None)
    if product is None:
        raise BadRequest("That item is not on this store's menu; go back to the menu.", "product")
    try:
        quantity = int(form.get("quantity", "1") or "1")
    except ValueError as exc:
        raise BadRequest("Enter how many, as a number from 1 to 20.", "quantity") from exc
    if not 1 <= quantity <= 20:
        raise BadRequest("Enter how many, as a number from 1 to 20.", "quantity")
    data: dict[str, object] = {
        "product": code,
        "size": form.get("size", ""),
        "quantity": quantity,
        "care": care_flags(form),
    }
    if product.kind is ProductKind.PIZZA:
        toppings = []
        for topping in menu.toppings:
            placement = form.get(f"t_{topping.code}", NONE)
            if placement == NONE:
                continue
            _choice(form, f"t_{topping.code}", Placement)
            amount = form.get(f"a_{topping.code}", Amount.NORMAL.value) or Amount.NORMAL.value
            _choice({"a": amount}, "a", Amount)
            toppings.append(
                ToppingIn(code=topping.code, placement=Placement(placement), amount=Amount(amount))
            )
        data |= {
            "crust": form.get("crust") or None,
            "sauce": form.get("sauce") or None,
            "sauce_amount": form.get("sauce_amount") or Amount.NORMAL.value,
            "cheese": form.get("cheese") or None,
            "cheese_amount": form.get("cheese_amount") or Amount.NORMAL.value,
            "toppings": toppings,
        }
    try:
        return ItemIn.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise BadRequest(f"Check {where}: {first['msg']}.", where) from exc
