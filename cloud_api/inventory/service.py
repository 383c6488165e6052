"""Stock in the cloud: what stores report (through sync) and what head office sets.

Stock events (`stock.count`, `stock.receipt`, `stock.waste`, `stock.usage`) arrive as
the wire contract's models (`sync.contract.events`) and are recorded here as movements
of lines in base units, with each item's terms (`inventory.terms`), by
`cloud_api.store_events.stock_events`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from cloud_api.auth.principal import Principal, Role
from cloud_api.errors import BadRequest, NotFound
from cloud_api.feed import service as feed
from cloud_api.inventory import repository
from cloud_api.inventory.schemas import ItemPublic, ItemUpdate, StockLine, StoreInventory, UnknownItemPublic
from cloud_api.inventory.terms import Line, in_counting_units
from cloud_api.models import InventoryItem, StoreStock
from cloud_api.stores.service import get_store
from sync.contract.entries import InventoryItemChanged


def record_movement(
    session: Session,
    store_id: str,
    kind: str,
    movement: str,
    lines: list[Line],
    reference: str,
    at: datetime,
    seq: int,
) -> None:
    """Record one stock movement of a store (count, received, waste, usage) from its lines.

    Only head office adds items to the chain's catalog: lines of items it does not have
    are set aside (`unknown_stock_item`) for head office to decide on, and the rest of the
    event is recorded as usual.
    """
    reference = reference[:60]
    known = repository.known_codes(session, {line.code for line in lines})
    unknown = [line for line in lines if line.code not in known]
    if unknown:
        repository.quarantine(session, store_id, kind, reference, unknown, at)
    repository.record(
        session, store_id, movement, [line for line in lines if line.code in known], reference, at, seq
    )


def unknown_items(session: Session, caller: Principal, store_id: str | None) -> list[UnknownItemPublic]:
    """Items stores reported that the catalog does not have (head office: every store's, or
    one; a store: its own)."""
    wanted = store_id or (caller.store_id if caller.is_store else None)
    if wanted is None:
        caller.require(Role.HEAD_OFFICE)
    else:
        caller.require_store(wanted)
    return [
        UnknownItemPublic(
            store_id=row.store_id,
            code=row.code,
            name=row.name,
            unit=row.unit,
            kind=row.kind,
            reference=row.reference,
            quantity=row.quantity,
            times=row.times,
            first_seen_at=row.first_seen_at,
            last_seen_at=row.last_seen_at,
        )
        for row in repository.unknown_items(session, wanted)
    ]


def dismiss_unknown(session: Session, caller: Principal, code: str, store_id: str | None) -> int:
    """Head office decides not to carry an item a store reported; how many reports are cleared."""
    caller.require(Role.HEAD_OFFICE)
    cleared = repository.settle_unknown(session, code, store_id)
    if not cleared:
        raise NotFound(f"No store reported an unknown item '{code}'.", "item_id")
    return cleared


def catalog_entry(
    code: str, name: str, unit: str, cost_cents: int, par: Decimal, at: datetime
) -> dict[str, object]:
    return {
        "code": code,
        "name": name,
        "unit": unit,
        "cost_cents": cost_cents,
        "par": par,
        "discontinued": False,
        "updated_at": at,
    }


def seed_catalog(session: Session, entries: list[dict[str, object]]) -> None:
    """Head office's catalog to start from (the demo chain's); items already there stay."""
    repository.add_items(session, entries)


def item_public(item: InventoryItem) -> ItemPublic:
    return ItemPublic(
        code=item.code,
        name=item.name,
        unit=item.unit,
        cost_cents=item.cost_cents,
        par=item.par,
        discontinued=item.discontinued,
        updated_at=item.updated_at,
    )


def set_item(session: Session, caller: Principal, code: str, data: ItemUpdate, at: datetime) -> InventoryItem:
    """Head office changes an item chain-wide; every store learns it through its feed."""
    caller.require(Role.HEAD_OFFICE)
    item = session.get(InventoryItem, code, with_for_update=True)
    changes = data.model_dump(exclude_none=True)
    if not changes:
        raise BadRequest("Send at least one of name, unit, cost_cents, par or discontinued.", "body")
    if item is None:
        if data.name is None or data.unit is None:
            raise NotFound(f"There is no item '{code}'; to add it, send its name and unit too.", "item_id")
        item = InventoryItem(
            code=code,
            name=data.name,
            unit=data.unit,
            cost_cents=0,
            par=Decimal(0),
            discontinued=False,
            updated_at=at,
        )
        session.add(item)
        # Head office decided to carry it: what stores reported of it is settled.
        repository.settle_unknown(session, code)
    for name, value in changes.items():
        setattr(item, name, value)
    item.updated_at = at
    feed.append_to_stores(session, InventoryItemChanged.model_validate({"code": item.code, **changes}), at)
    return item


def _in_counting_units(row: StoreStock, base: Decimal | None) -> Decimal | None:
    return None if base is None else in_counting_units(base, row.count_size)


def inventory(session: Session, caller: Principal, store_id: str | None) -> StoreInventory:
    """A store's on hand and last count (in its counting units) beside the catalog; head office
    may ask for the catalog alone."""
    wanted = store_id or (caller.store_id if caller.is_store else None)
    if wanted is None:
        caller.require(Role.HEAD_OFFICE)
    else:
        caller.require_store(wanted)
        get_store(session, wanted)
    stock = repository.stock_of(session, wanted) if wanted else {}
    lines = []
    for item in repository.items(session):
        row = stock.get(item.code)
        if wanted and row is None and item.discontinued:
            continue
        on_hand = _in_counting_units(row, row.on_hand) if row else None
        lines.append(
            StockLine(
                code=item.code,
                name=item.name,
                unit=(row.count_unit if row and row.count_unit else item.unit),
                on_hand=on_hand,
                last_count=_in_counting_units(row, row.last_count) if row else None,
                last_count_at=row.last_count_at if row else None,
                cost_cents=(row.cost_cents if row and row.cost_cents is not None else item.cost_cents),
                par=item.par,
                below_par=on_hand is not None and on_hand < item.par,
                discontinued=item.discontinued,
            )
        )
    return StoreInventory(store_id=wanted, items=lines)
