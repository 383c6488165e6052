"""The counter: phone and walk-in orders, typed fast, priced live, placed with one key.

Enter moves through phone → name → address → item line; the item line takes the
short language of `terminal.data.item_line` ("lg pep", "+mush<"). F-keys work
from any field: F5/F6 delivery or carryout, F7/F8/F9 cash, card, pay at the door,
F3 reorders the caller's last order, F10 places the order. A repeat caller's
large pepperoni for delivery is: phone, Enter, `lg pep`, Enter, F10.
Each item line is answered with what was understood ("Added 1 Large Pepperoni
Pizza: EXTRA PEPPERONI"); a line that probably means something else is retyped
in the field with a question, and Enter takes it. An order above the store's
limits asks for a manager's PIN at F10.
Every change re-prices the cart and re-quotes the promise in a worker; nothing
is written until F10, and a refused order leaves nothing behind.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input

from makeline.trade.lifecycle import Service
from makeline.trade.limits import OrderLimits
from makeline.trade.menu import Menu
from makeline.trade.pricing import PricedItem, price_item
from store_db.errors import BadInput
from store_db.queries.counter import AddressCheck, CustomerCard
from store_db.services.orders import AddressRequest
from terminal.data import counter_jobs as jobs
from terminal.data.cart import Cart, parse_money
from terminal.data.counter_jobs import NeedsApproval, Placed, Priced
from terminal.data.formatting import money
from terminal.data.item_line import read_item_line
from terminal.dialogs.codes import CodesDialog
from terminal.dialogs.limits_approval import LimitsApprovalDialog
from terminal.errors import ItemLineQuestion, TerminalError
from terminal.screens.base import StoreJobs
from terminal.widgets.counter_form import CustomerBox, EntryBox
from terminal.widgets.customer_card import card_text
from terminal.widgets.fields import Field
from terminal.widgets.held_orders import HeldOrders
from terminal.widgets.literal import Static
from terminal.widgets.order_summary import lines_table, totals
from terminal.widgets.status_line import StatusLine


class CounterScreen(StoreJobs, Screen[None]):
    TITLE = "Counter"
    CSS_PATH = "../styles/counter.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f10", "place", "PLACE", id="counter.place", tooltip="Place the order."),
        Binding("f5", "service('delivery')", "Deliv", id="counter.delivery"),
        Binding("f6", "service('carryout')", "Carry", id="counter.carryout"),
        Binding("f7", "tender('cash')", "Cash", id="counter.cash"),
        Binding("f8", "tender('card')", "Card", id="counter.card"),
        Binding("f9", "tender('pay_at_door')", "Door", id="counter.pay_at_door"),
        Binding("f3", "reorder", "Reorder", id="counter.reorder"),
        Binding("f4", "remove_line", "Del line", id="counter.remove_line"),
        Binding("f11", "best_deal", "Best deal", id="counter.best_deal"),
        Binding("f1", "codes", "Codes", id="counter.codes", tooltip="Product and topping codes."),
        Binding("f2", "new_order", "New", id="counter.new_order"),
        Binding("shift+up", "move_line(-1)", "Line up", show=False, id="counter.line_up"),
        Binding("shift+down", "move_line(1)", "Line down", show=False, id="counter.line_down"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.cart = Cart()
        self.card: CustomerCard | None = None
        self.menu: Menu | None = None
        self.limits: OrderLimits | None = None
        self.priced: Priced | None = None
        self.problem = ""
        self._quote_generation = 0
        self._staff_id: str | None = None
        self._placing = False
        self.line_cursor = 0  # the line F4 removes

    def compose(self) -> ComposeResult:
        yield StatusLine(self.TITLE)
        with Horizontal(id="counter"):
            with Vertical(id="counter-left"):
                yield CustomerBox()
                yield EntryBox()
                yield Static(id="counter-message")
            with Vertical(id="order-box", classes="box") as order:
                order.border_title = "Order"
                with VerticalScroll(id="lines-scroll"):
                    yield Static(id="lines")
                yield Static(id="totals")
        yield Footer()

    def on_mount(self) -> None:
        self.run_job(jobs.load_menu, self._menu_loaded, name="menu")
        self.run_job(jobs.load_limits, self._limits_loaded, name="limits")
        self._redraw()
        self.query_one("#phone", Input).focus()

    def _menu_loaded(self, menu: Menu) -> None:
        self.menu = menu

    def _limits_loaded(self, limits: OrderLimits) -> None:
        self.limits = limits

    def on_screen_resume(self) -> None:
        staff = self.makeline.staff
        if staff is None or staff.id != self._staff_id:
            self._staff_id = staff.id if staff else None
            self.action_new_order()

    # -- fields ---------------------------------------------------------------------------
    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        handler = {
            "phone": self._on_phone,
            "name": self._on_name,
            "address": self._on_address,
            "item": self._on_item,
            "coupon": self._on_coupon,
            "cash": self._on_cash,
            "notes": self._on_notes,
            "later": self._on_later,
        }.get(event.input.id or "")
        if handler is not None:
            handler(event.value.strip())

    def _focus(self, field_id: str) -> None:
        self.query_one(f"#{field_id}", Input).focus()

    def _on_phone(self, phone: str) -> None:
        if not phone:
            self.cart = self.cart.with_customer("", self.cart.name, None)
            self._focus("item")
            return

        def found(card: CustomerCard | None) -> None:
            self.card = card
            address = jobs.saved_address(card)
            self.cart = self.cart.with_customer(phone, card.name if card else "", address)
            self.query_one("#name", Input).value = card.name if card else ""
            self.query_one("#address", Input).value = (
                ", ".join(x for x in (address.line1, address.line2) if x) if address else ""
            )
            if address is not None:
                self.cart = self.cart.with_service(Service.DELIVERY)
                self._default_tender()
            self._say("")
            self._changed()
            self._focus("item" if card else "name")

        self.run_job(lambda db: jobs.look_up(db, phone), found, self._refuse, name="customer")

    def _on_name(self, name: str) -> None:
        self.cart = self.cart.with_name(name)
        self._focus("address")

    def _on_address(self, typed: str) -> None:
        if not typed:
            self.cart = self.cart.with_address(None).with_service(Service.CARRYOUT)
            self._changed()
            self._focus("item")
            return
        line1, _, line2 = typed.partition(",")

        def checked(found: AddressCheck) -> None:
            self.cart = self.cart.with_address(
                AddressRequest(
                    line1=found.line1, line2=line2.strip(), city=found.city, lat=found.lat, lon=found.lon
                )
            ).with_service(Service.DELIVERY)
            self._default_tender()
            self._say(f"{found.line1}, {found.city}: {found.km:.1f} km, in the delivery area.")
            self._changed()
            self._focus("item")

        def refused(text: str) -> None:
            self.cart = self.cart.with_address(None).with_service(Service.CARRYOUT)
            self._changed()
            self._say(text, error=True)

        self.run_job(lambda db: jobs.check(db, line1), checked, refused, name="address")

    def _on_item(self, typed: str) -> None:
        if not typed:
            return
        if self.menu is None:
            self._say("The menu is still loading; press Enter again in a moment.", error=True)
            return
        field = self.query_one("#item", Input)
        try:
            read = read_item_line(typed, self.menu, self.limits)
        except ItemLineQuestion as question:
            field.value = question.retyped  # Enter takes it as retyped
            field.cursor_position = len(question.retyped)
            self._say(str(question), error=True)
            return
        except (TerminalError, BadInput) as exc:
            self._say(str(exc), error=True)
            return
        field.value = ""
        self.cart = self.cart.add(read.request)
        self.line_cursor = len(self.cart.lines) - 1
        self._say(" ".join((f"Added {read.understood}.", *read.warnings)), error=bool(read.warnings))
        self._changed()

    def _on_coupon(self, code: str) -> None:
        self.cart = self.cart.with_coupon(code)
        self._changed()

    def _on_cash(self, typed: str) -> None:
        try:
            self.cart = self.cart.with_cash(parse_money(typed))
        except TerminalError as exc:
            self._say(str(exc), error=True)
            return
        self._changed()

    def _on_later(self, typed: str) -> None:
        at, zone = self.makeline.now(), self.makeline.store.timezone

        def read(later: jobs.LaterRead) -> None:
            self.cart = self.cart.with_time(later.when, "" if later.refused else typed)
            self._say(later.words, error=later.refused)
            self._changed()
            if not later.refused:
                self._focus("item")

        self.run_job(lambda db: jobs.check_time(db, typed, at, zone), read, name="later")

    def _on_notes(self, notes: str) -> None:
        self.cart = self.cart.with_notes(notes)
        self._say("Notes added to the order.")

    # -- pricing and drawing --------------------------------------------------------------
    def _default_tender(self) -> None:
        if (
            self.cart.service is Service.DELIVERY
            and self.cart.tender == "cash"
            and self.cart.cash_given is None
        ):
            self.cart = self.cart.with_tender("pay_at_door")

    def _changed(self) -> None:
        """Re-draw the lines now and re-price totals and promise in a worker."""
        self._quote_generation += 1
        generation, cart, at = self._quote_generation, self.cart, self.makeline.now()
        self._redraw()
        if not cart.lines:
            self.priced, self.problem = None, ""
            self._redraw()
            return

        def done(priced: Priced) -> None:
            if generation == self._quote_generation:
                self.priced, self.problem = priced, ""
                self._redraw()

        def refused(text: str) -> None:
            if generation == self._quote_generation:
                self.priced, self.problem = None, text
                self._say(text, error=True)
                self._redraw()

        self.run_job(lambda db: jobs.price(db, cart, at), done, refused, name="quote")

    def _redraw(self) -> None:
        count = len(self.cart.lines)
        self.line_cursor = max(0, min(self.line_cursor, count - 1))
        priced: list[PricedItem | str] = []
        if self.menu is not None:
            for line in self.cart.lines:
                try:
                    priced.append(price_item(self.menu, line))
                except BadInput as exc:  # a reordered line the current menu no longer sells
                    priced.append(str(exc))
        self.query_one("#lines", Static).update(lines_table(priced, self.line_cursor))
        self.query_one("#totals", Static).update(
            totals(self.cart, self.priced, self.makeline.store.timezone, self.problem)
        )
        self.query_one("#customer-card", Static).update(
            card_text(self.card, self.cart.phone, self.makeline.store.timezone)
        )

    def _refuse(self, text: str) -> None:
        self._say(text, error=True)

    def _say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#counter-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    # -- keys -----------------------------------------------------------------------------
    def action_codes(self) -> None:
        if self.menu is not None:
            self.app.push_screen(CodesDialog(self.menu))

    def action_new_order(self) -> None:
        self.cart, self.card, self.priced, self.problem = Cart(), None, None, ""
        self._placing = False
        for field in self.query(Field):
            field.value = ""
        self._changed()
        self._focus("phone")

    def action_reorder(self) -> None:
        last = self.card.last if self.card else None
        if last is None:
            self._say("No earlier order to repeat: look the caller up by phone first.", error=True)
            return
        self.cart = self.cart.set_lines(last.reorder)
        if last.service == Service.DELIVERY.value and self.cart.address is not None:
            self.cart = self.cart.with_service(Service.DELIVERY)
            self._default_tender()
        self._say(f"Repeating order #{last.number}. F10 places it.")
        self._changed()
        self._focus("item")

    def action_remove_line(self) -> None:
        if self.cart.lines:
            self.cart = self.cart.remove(self.line_cursor)
            self._changed()

    def action_move_line(self, step: int) -> None:
        self.line_cursor += step
        self._redraw()

    def action_service(self, service: str) -> None:
        if service == Service.DELIVERY.value and self.cart.address is None:
            self._say("Type the delivery address and press Enter first.", error=True)
            self._focus("address")
            return
        self.cart = self.cart.with_service(Service(service))
        if service == Service.DELIVERY.value:
            self._default_tender()
        self._changed()

    def action_tender(self, tender: str) -> None:
        if tender == "pay_at_door" and self.cart.service is not Service.DELIVERY:
            self._say("Pay at the door is for delivery orders; take cash or card now.", error=True)
            return
        self.cart = self.cart.with_tender(tender)
        self._changed()
        if tender == "cash":
            self._focus("cash")

    def action_best_deal(self) -> None:
        self.query_one("#coupon", Input).value = ""
        self.cart = self.cart.with_coupon("", best_deal=not self.cart.best_deal)
        self._changed()

    def action_place(self) -> None:
        if self._placing:
            return
        if not self.cart.lines:
            self._say("Add at least one item before placing the order.", error=True)
            self._focus("item")
            return
        if self.query_one("#later", Input).value.strip() != self.cart.later_typed:  # changed, not read
            self._say("Press Enter on the time for later first (empty: as soon as possible).", error=True)
            return self._focus("later")
        cart, staff, at = self.cart, self.makeline.staff, self.makeline.now()
        zone = self.makeline.store.timezone
        self._placing = True

        def placed(done: Placed | NeedsApproval) -> None:
            if isinstance(done, NeedsApproval):
                self._say(f"Not placed yet: {done.reason}", error=True)
                self.app.push_screen(LimitsApprovalDialog(done.reason, cart, staff_id), approved)
                return
            self.action_new_order()
            self.query_one(HeldOrders).reload()
            change = f" · CHANGE DUE {money(done.change)}" if done.change else ""
            approval = f" · approved by {done.approved_by}" if done.approved_by else ""
            self._say(
                f"Order #{done.number} placed · {money(done.total)} · promise {done.promise}{change}{approval}"
            )

        def approved(done: Placed | None) -> None:
            if done is None:
                self._placing = False
                self._say("Not placed: change the order, or F10 again for a manager's approval.", error=True)
                return
            placed(done)

        def refused(text: str) -> None:
            self._placing = False
            self._say(f"Not placed: {text}", error=True)

        staff_id = staff.id if staff else None
        self.run_job(lambda db: jobs.place(db, cart, staff_id, at, zone), placed, refused, name="place")
