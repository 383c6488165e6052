"""A signed-in customer's favourite order, reordered from the storefront in one tap."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from cloud_api.db.base import Base


class FavouriteOrder(Base):
    __tablename__ = "favourite_order"

    account_id: Mapped[str] = mapped_column(ForeignKey("account.id"), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"))
    chosen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
