"""A signed-in customer's favourite order, reordered from the storefront in one tap.

The customer's own record, kept by account (`cloud_api.db.distribution.ACCOUNT_TABLES`),
not by store: it names its order `(store_id, order_id)` without a foreign key, since the
order lives with its store's records and a key cannot reach across the two."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from cloud_api.db.base import Base


class FavouriteOrder(Base):
    __tablename__ = "favourite_order"

    account_id: Mapped[str] = mapped_column(ForeignKey("account.id"), primary_key=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("store.id"))
    order_id: Mapped[str] = mapped_column(String(36))
    chosen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
