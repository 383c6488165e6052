"""The sales report's one shape, printed by the store (`makeline report sales --json`)
and answered by the cloud (`GET /api/v1/reports/sales`), so head office and a store
compare the same names to the cent.

Voided orders are not sales: they are counted apart. Net sales = gross (the lines'
prices) − discounts; tax and tips are reported beside, never inside. Every breakdown
is a list of rows in a stable order (days and hours ascending, names alphabetical,
products by sales).
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)


class Sales(_Row):
    orders: int = 0
    gross_cents: int = 0
    discount_cents: int = 0
    net_sales_cents: int = 0
    tax_cents: int = 0
    tip_cents: int = 0
    total_cents: int = 0


class SalesTotals(Sales):
    voided_orders: int = 0
    voided_cents: int = 0


class DaySales(Sales):
    date: date


class HourSales(Sales):
    hour: int = Field(ge=0, le=23)  # the store's local hour the order was placed in


class ChannelSales(Sales):
    channel: str


class ServiceSales(Sales):
    service: str


class StoreSales(Sales):
    store_id: str


class ProductSales(_Row):
    product: str
    name: str
    size: str | None
    quantity: int
    sales_cents: int


class CouponSales(_Row):
    coupon: str
    orders: int
    discount_cents: int


class SalesReport(_Row):
    store_id: str | None  # None: the whole chain
    store_name: str = ""
    first: date = Field(alias="from")
    last: date = Field(alias="to")
    totals: SalesTotals
    by_day: list[DaySales] = Field(default_factory=list)
    by_hour: list[HourSales] = Field(default_factory=list)
    by_channel: list[ChannelSales] = Field(default_factory=list)
    by_service: list[ServiceSales] = Field(default_factory=list)
    by_store: list[StoreSales] = Field(default_factory=list)
    product_mix: list[ProductSales] = Field(default_factory=list)
    discounts: list[CouponSales] = Field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        """The wire shape: `from` and `to` by those names, dates as ISO strings."""
        return self.model_dump(mode="json", by_alias=True)


def money(cents: int) -> str:
    return f"${cents / 100:,.2f}"


def render_text(report: SalesReport) -> str:
    t = report.totals
    lines = [
        f"{report.store_name or 'All stores'} — sales {report.first} to {report.last}",
        f"  orders          {t.orders:>10}",
        f"  gross           {money(t.gross_cents):>10}",
        f"  discounts       {money(t.discount_cents):>10}",
        f"  net sales       {money(t.net_sales_cents):>10}",
        f"  tax             {money(t.tax_cents):>10}",
        f"  tips            {money(t.tip_cents):>10}",
        f"  voided orders   {t.voided_orders:>10}  ({money(t.voided_cents)})",
        "  by channel:",
    ]
    lines += [f"    {r.channel:<14}{r.orders:>6}  {money(r.net_sales_cents):>12}" for r in report.by_channel]
    lines.append("  by service:")
    lines += [f"    {r.service:<14}{r.orders:>6}  {money(r.net_sales_cents):>12}" for r in report.by_service]
    lines.append("  product mix (top 15):")
    lines += [
        f"    {r.name:<26}{r.size or '':<6}{r.quantity:>6}  {money(r.sales_cents):>12}"
        for r in report.product_mix[:15]
    ]
    return "\n".join(lines)
