"""A rule-based state machine over the order and stock ledger, on SQLite and PostgreSQL.

Hypothesis places, pays, approves, changes lines, cancels, allocates, picks, packs and ships
orders in any order it likes (refusals included: a step that is not allowed must be refused
with an OrderFlowError and change nothing). After every step the stock-ledger check that
`orderflow doctor` runs (`reports.ledger.check_stock` / `check_lines`) must find no drift,
no stock figure may be negative, every order line's quantities must agree, and the units
on hand plus the units shipped must equal the stock we started with. There is no returns
use case yet; when one lands it belongs here as a rule.

Examples: 12 of up to 20 steps (dev and ci profiles; ci fixes the seed), 100 under
HYPOTHESIS_PROFILE=long.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import event
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import delete, func, select

from orderflow.catalog.models import Sku
from orderflow.config import Settings
from orderflow.db import Base, Db
from orderflow.errors import InsufficientStock, OrderFlowError
from orderflow.fulfilment import service as fulfilment
from orderflow.intake import service as intake
from orderflow.inventory.models import Reservation, ReservationState, StockLevel
from orderflow.orders import changes, placement, queries
from orderflow.orders import service as orders
from orderflow.orders.changes import LinesChangeIn
from orderflow.orders.models import Order, OrderLine
from orderflow.orders.numbering import reset_allocators
from orderflow.orders.schemas import LineIn, OrderIn, PaymentIn
from orderflow.orders.status import Status
from orderflow.payments import service as payments
from orderflow.reports import ledger
from tests.builders.orders import API, STAFF, make_catalog, order_body

STOCK = {"SKU-1": 12, "SKU-2": 6, "SKU-3": 3}  # small, so refusals for stock happen too
LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"

lines_strategy = st.dictionaries(st.sampled_from(sorted(STOCK)), st.integers(1, 4),
                                 min_size=1, max_size=3)


def wipe(db: Db) -> None:
    """Every table emptied (a new example starts from a new shop)."""
    with db.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(delete(table))
    placement._sku_cache.clear()
    reset_allocators()


class OrderLedger(RuleBasedStateMachine):
    orders = Bundle("orders")

    def __init__(self, db: Db, settings: Settings) -> None:
        super().__init__()
        self.db, self.settings = db, settings
        wipe(db)
        make_catalog(db, dict(STOCK))

    # --- helpers ------------------------------------------------------------------------

    def _status(self, number: str) -> Status:
        with self.db.read() as s:
            return queries.get_order(s, number).status

    def _attempt(self, action: str, number: str, call: object) -> None:
        """Run a use case; a refusal must leave the order where it was."""
        before = self._status(number)
        refused: str | None = None
        try:
            call()  # type: ignore[operator]
        except OrderFlowError as exc:
            refused = exc.code
        event(f"{action}: {'refused' if refused else 'done'}")
        if refused is not None:
            assert self._status(number) is before, (action, number, refused)

    # --- rules --------------------------------------------------------------------------

    @rule(target=orders, lines=lines_strategy, pay=st.booleans())
    def place(self, lines: dict[str, int], pay: bool) -> str:
        body = order_body(sorted(lines.items()), external_id=uuid.uuid4().hex[:12])
        if pay:
            total = sum(qty for qty in lines.values()) * 1000
            body["payment"] = {"method": "alipay", "amount": f"{total / 100:.2f}",
                               "external_ref": f"PAY-{uuid.uuid4().hex[:12]}"}
        try:
            return intake.place_order(self.db, OrderIn.model_validate(body), actor=API,
                                      settings=self.settings).number
        except InsufficientStock:
            return "none"  # refused as a whole: the invariants check nothing was written

    @rule(number=orders)
    def pay(self, number: str) -> None:
        if number == "none":
            return
        with self.db.read() as s:
            order = queries.get_order(s, number)
            owed = order.total_minor - order.paid_minor
        if owed <= 0:
            return
        cmd = PaymentIn(method="alipay", amount=f"{owed / 100:.2f}",
                        external_ref=f"PAY-{uuid.uuid4().hex[:12]}")
        self._attempt("pay", number, lambda: payments.record_payment(
            self.db, number, cmd, actor=STAFF, settings=self.settings))

    @rule(number=orders)
    def approve(self, number: str) -> None:
        if number != "none":
            self._attempt("approve", number,
                          lambda: orders.approve_order(self.db, number, actor=STAFF))

    @rule(number=orders, lines=lines_strategy)
    def change_lines(self, number: str, lines: dict[str, int]) -> None:
        if number == "none":
            return
        cmd = LinesChangeIn(lines=[LineIn(sku=k, quantity=v) for k, v in sorted(lines.items())],
                            reason="customer asked")
        self._attempt("change_lines", number,
                      lambda: changes.change_lines(self.db, number, cmd, actor=STAFF))

    @rule(number=consumes(orders))
    def cancel(self, number: str) -> None:
        if number != "none":
            self._attempt("cancel", number, lambda: orders.cancel_order(
                self.db, number, actor=STAFF, reason="customer asked"))

    @rule(number=orders)
    def allocate(self, number: str) -> None:
        if number != "none":
            self._attempt("allocate", number,
                          lambda: fulfilment.allocate_order(self.db, number, actor=STAFF))

    @rule(number=orders)
    def pick_and_pack(self, number: str) -> None:
        if number == "none":
            return
        self._attempt("pick", number,
                      lambda: fulfilment.start_picking(self.db, number, actor=STAFF))
        self._attempt("pack", number, lambda: fulfilment.pack_order(self.db, number, actor=STAFF))

    @rule(number=orders)
    def ship(self, number: str) -> None:
        if number != "none":
            self._attempt("ship", number, lambda: fulfilment.ship_order(
                self.db, number, carrier="sim", tracking_number=f"SIM{number}", actor=STAFF))

    @rule(number=orders)
    def walk_forward(self, number: str) -> None:
        """The next use case for the order's status, until one is refused or it ships."""
        if number == "none":
            return
        for _ in range(6):
            step = {Status.PENDING_PAYMENT: self.pay, Status.AWAITING_REVIEW: self.approve,
                    Status.APPROVED: self.allocate, Status.ALLOCATED: self.pick_and_pack,
                    Status.PACKED: self.ship}.get(self._status(number))
            if step is None:
                return
            step(number)

    # --- what must hold after every step ------------------------------------------------

    @invariant()
    def the_doctor_finds_no_drift(self) -> None:
        with self.db.read() as s:
            assert ledger.check_stock(s) == []
            assert ledger.check_lines(s) == []

    @invariant()
    def no_stock_figure_is_negative_and_nothing_is_oversold(self) -> None:
        with self.db.read() as s:
            for level in s.scalars(select(StockLevel)):
                figures = (level.on_hand, level.reserved, level.allocated, level.damaged)
                assert min(figures) >= 0, figures
                assert level.on_hand - level.reserved - level.allocated - level.damaged >= 0

    @invariant()
    def every_line_agrees_with_itself_and_its_order(self) -> None:
        with self.db.read() as s:
            for line in s.scalars(select(OrderLine)):
                live = line.ordered - line.cancelled
                assert 0 <= line.cancelled <= line.ordered, line.id
                assert (live >= line.reserved >= line.allocated >= line.picked >= line.packed
                        >= line.shipped >= line.delivered >= 0), line.id
            for order in s.scalars(select(Order)):
                lines = queries.lines_of(s, order.id)
                assert order.subtotal_minor == sum(ln.line_total_minor for ln in lines)
                assert 0 <= order.paid_minor <= order.total_minor, order.number
                if order.status is not Status.CANCELLED:  # a cancelled order keeps its totals
                    assert all(ln.line_total_minor == ln.unit_price_minor
                               * (ln.ordered - ln.cancelled) for ln in lines), order.number
                else:
                    held = s.scalar(select(func.count()).select_from(Reservation).where(
                        Reservation.order_id == order.id,
                        Reservation.state.in_([ReservationState.ACTIVE,
                                               ReservationState.ALLOCATED])))
                    assert held == 0, order.number

    @invariant()
    def units_on_hand_plus_units_shipped_are_the_stock_we_started_with(self) -> None:
        with self.db.read() as s:
            on_hand: Counter[str] = Counter()
            for code, qty in s.execute(select(OrderLine.sku_code, OrderLine.shipped)):
                on_hand[code] += qty
            for code, qty in s.execute(select(Sku.code, StockLevel.on_hand).join(
                    Sku, Sku.id == StockLevel.sku_id)):
                on_hand[code] += qty
        assert dict(on_hand) == STOCK


@pytest.mark.parametrize("reserve_at", ["placement", "payment"])
def test_the_stock_ledger_holds_after_every_step(db: Db, settings: Settings,
                                                 reserve_at: str) -> None:
    run_state_machine_as_test(
        lambda: OrderLedger(db, replace(settings, reserve_at=reserve_at)),
        settings=hypothesis_settings(max_examples=100 if LONG else 12,
                                     stateful_step_count=40 if LONG else 20))

