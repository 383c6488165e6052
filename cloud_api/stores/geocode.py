"""Where an address is: "1234 N Maple Ave" found on the streets the stores sent when they enrolled.

The same street grid the stores use, so the cloud and the store put an address
at the same spot. A client that knows the coordinates may send them instead.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from cloud_api.errors import BadRequest
from cloud_api.stores import repository
from makeline.trade.address import Located, house_and_street, place_on_blocks, street_key
from makeline.trade.errors import AddressNotFound


def locate(session: Session, line1: str, field: str = "address.line1") -> Located:
    try:
        number, street = house_and_street(line1)
        blocks = repository.blocks_by_key(session, street_key(street))
        return place_on_blocks(number, street, blocks, "near any of our stores")
    except AddressNotFound as exc:
        raise BadRequest(str(exc), field) from exc
