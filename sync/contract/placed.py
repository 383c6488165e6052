"""The `order.placed` payload written straight from an order's stored values: the same JSON
text `OrderPlaced(...).payload_json()` gives, without building and validating the model.

Placing an order builds the event from values the store has just checked and written (the
priced items are `PricedItem`s already); validating them all again was most of the
event's cost. The text is written by pydantic's own serializer (`pydantic_core.to_json`:
the same number, time and text formatting as the model's dump), field by field in the
model's order, with the model's version rule and the items' empty fields left out as the
model leaves them. Whatever the model could refuse (a text or id too long, a count out of
range, too many items or tenders) goes through the model instead, which refuses it as it
always did. `tests/store/test_placed_json.py` proves the bytes equal over generated orders.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any

from pydantic_core import to_json

from makeline.trade.lifecycle import Channel, Service, Stage
from makeline.trade.pricing import PricedItem
from sync.contract.events import OrderPlaced, TenderLine

_FIELDS = tuple(OrderPlaced.model_fields)  # the dump's order
_VALUES = tuple(name for name in _FIELDS if name not in ("v", "kind", "items", "tenders"))
_TENDER_FIELDS = tuple(TenderLine.model_fields)
_TEXTS = ("customer_name", "phone", "address", "notes", "coupon")
_TEXT_MAX, _ID_MAX, _ITEMS_MAX, _TENDERS_MAX = 2000, 36, 500, 50
_INT_MAX = 2**31 - 1
_CENTS = ("subtotal", "discount", "tax", "tip", "total")
_PAYMENTS = ("paid", "due", "refunded")
_TENDER_KINDS = ("cash", "card", "online", "pay_at_door")
_ADDED = ("care", "allergens")  # version 3's fields of an item
_TIMES = ("promise_at", "placed_at", "scheduled_for")
_COUNTS = ("number", "menu_version")
_PLACES = ("lat", "lon")
_TENDER_CENTS = ("amount", "tendered", "change")


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _is_id(value: object) -> bool:
    return type(value) is str and 0 < len(value) <= _ID_MAX


_INT, _STR = frozenset({int}), frozenset({str})
_TIME_TYPES, _PLACE_TYPES = frozenset({datetime, type(None)}), frozenset({float, type(None)})
_ITEM_TYPES = frozenset({PricedItem})
_counts, _cents, _tender_cents = itemgetter(*_COUNTS), itemgetter(*_CENTS), itemgetter(*_TENDER_CENTS)
_texts = itemgetter(*(name for name in _TEXTS if name != "coupon"))
_values = itemgetter(*_VALUES)
_times, _places = itemgetter(*_TIMES), itemgetter(*_PLACES)
_NOTHING_LEFT = frozenset[str]()  # an item that leaves none of the version 3 fields out


def _within(values: tuple[Any, ...], low: int, high: int) -> bool:
    """Every value an `int` (not a bool) from `low` to `high`: told by C's loops."""
    return set(map(type, values)) <= _INT and low <= min(values) and max(values) <= high


def _fits(
    order: Mapping[str, Any], items: Sequence[PricedItem], tenders: Sequence[Mapping[str, Any]]
) -> bool:
    """Whether the model would take these values as they are (else the model says why not).
    Checked a field group at a time by C's own loops (`map`, `set`, `min`, `max`): every
    order asks."""
    if not _is_id(order["id"]) or not (order["cloud_order_id"] is None or _is_id(order["cloud_order_id"])):
        return False
    if not _within(_counts(order), 0, _INT_MAX) or not _within(_cents(order), -_INT_MAX - 1, _INT_MAX):
        return False
    texts, coupon = _texts(order), order["coupon"]
    if set(map(type, texts)) != _STR or max(map(len, texts)) > _TEXT_MAX:
        return False
    if coupon is not None and (type(coupon) is not str or len(coupon) > _TEXT_MAX):
        return False
    if type(order["business_date"]) is not date or order["placed_at"] is None:
        return False
    if not set(map(type, _times(order))) <= _TIME_TYPES or not set(map(type, _places(order))) <= _PLACE_TYPES:
        return False
    if (
        order["payment"] not in _PAYMENTS
        or order["channel"] not in Channel._value2member_map_
        or order["service"] not in Service._value2member_map_
        or order["stage"] not in Stage._value2member_map_
        or len(items) > _ITEMS_MAX
        or len(tenders) > _TENDERS_MAX
        or not set(map(type, items)) <= _ITEM_TYPES
    ):
        return False
    for t in tenders:
        if not _is_id(t["id"]) or t["kind"] not in _TENDER_KINDS:
            return False
        if not _within(_tender_cents(t), -_INT_MAX - 1, _INT_MAX):
            return False
    return True


def placed_event(
    order: Mapping[str, Any], items: Sequence[PricedItem], tenders: Sequence[Mapping[str, Any]]
) -> OrderPlaced:
    return OrderPlaced(
        **{name: order[name] for name in _VALUES},
        items=list(items),
        tenders=[TenderLine(**{name: t[name] for name in _TENDER_FIELDS}) for t in tenders],
    )


# An item's own text (`model_dump_json()`) ends with its version 3 fields, empty or not.
_NO_CARE, _NO_ALLERGENS, _NEITHER = ',"care":[]', ',"allergens":[]}', ',"care":[],"allergens":[]}'
_ITEMS_HERE = '"items":"\\u0000"'  # what stands for the items in the dump (unescaped quotes: only the key)


# The version 3 fields an item leaves out, by (no care flags, no allergens).
_LEFT_OUT = {
    (False, False): _NOTHING_LEFT,
    (True, False): frozenset({"care"}),
    (False, True): frozenset({"allergens"}),
    (True, True): frozenset(_ADDED),
}


def _item_text(text: str, left: frozenset[str]) -> str | None:
    """The item's text without the empty fields the event leaves out; None when `text` does
    not end as an item's own dump does."""
    if not left:
        return text
    if len(left) == len(_ADDED):
        return text[: -len(_NEITHER)] + "}" if text.endswith(_NEITHER) else None
    if left == {"allergens"}:
        return text[: -len(_NO_ALLERGENS)] + "}" if text.endswith(_NO_ALLERGENS) else None
    at = text.rfind(_NO_CARE + ',"allergens":')  # a quote inside a value is escaped: only the key
    return None if at < 0 else text[:at] + text[at + len(_NO_CARE) :]


def _item_texts(
    items_json: Sequence[str] | None, empty: dict[int, frozenset[str]], count: int
) -> list[str] | None:
    """The items' texts as the event writes them, or None when they cannot be used."""
    if items_json is None or len(items_json) != count:
        return None
    texts = []
    for n, text in enumerate(items_json):
        found = _item_text(text, empty.get(n, _NOTHING_LEFT))
        if found is None:
            return None
        texts.append(found)
    return texts


def placed_json(
    order: Mapping[str, Any],
    items: Sequence[PricedItem],
    tenders: Sequence[Mapping[str, Any]],
    items_json: Sequence[str] | None = None,
) -> str:
    """`OrderPlaced`'s payload text for an order: `order` its values by the model's field
    names (as the store's row holds them), `items` its priced items, `tenders` its tender rows;
    `items_json`, each item's own `model_dump_json()` when the caller has it already (the
    order's lines store it): used as it is instead of dumping the items again."""
    if not _fits(order, items, tenders):
        return placed_event(order, items, tenders).payload_json()
    empty: dict[int, frozenset[str]] = {}
    carried = False
    for n, item in enumerate(items):
        left = _LEFT_OUT[not item.care, not item.allergens]
        if left:
            empty[n] = left
        carried = carried or len(left) < len(_ADDED)
    texts = _item_texts(items_json, empty, len(items))
    fields: dict[str, Any] = {
        "v": 3 if carried else 2 if order["scheduled_for"] is not None else 1,
        "kind": "order.placed",
        "items": items if texts is None else "\0",
        "tenders": [{name: t[name] for name in _TENDER_FIELDS} for t in tenders],
    }
    written = dict.fromkeys(_FIELDS)  # the model's order; the values put in by C
    written.update(zip(_VALUES, _values(order), strict=True))
    written.update(fields)
    for name in _TIMES:
        written[name] = _utc(order[name])
    if texts is None:
        exclude = {"items": {n: set(left) for n, left in empty.items()}} if empty else None
        return to_json(written, exclude=exclude, inf_nan_mode="null").decode()
    dumped = to_json(written, inf_nan_mode="null").decode()
    return dumped.replace(_ITEMS_HERE, f'"items":[{",".join(texts)}]', 1)
