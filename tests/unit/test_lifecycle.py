"""The transition table, exhaustively: every Status x Status pair."""

from __future__ import annotations

import itertools

import pytest

from orderflow.errors import IllegalTransition
from orderflow.orders import lifecycle
from orderflow.orders.lifecycle import GUARDS, TRANSITIONS
from orderflow.orders.models import Order
from orderflow.orders.status import Status

ALLOWED = {
    ("pending_payment", "paid"),
    ("pending_payment", "awaiting_review"),
    ("pending_payment", "on_hold"),
    ("pending_payment", "cancelled"),
    ("paid", "awaiting_review"),
    ("paid", "approved"),
    ("paid", "on_hold"),
    ("paid", "cancelled"),
    ("awaiting_review", "approved"),
    ("awaiting_review", "on_hold"),
    ("awaiting_review", "cancelled"),
    ("approved", "allocated"),
    ("approved", "awaiting_review"),
    ("approved", "on_hold"),
    ("approved", "cancelled"),
    ("on_hold", "pending_payment"),
    ("on_hold", "paid"),
    ("on_hold", "awaiting_review"),
    ("on_hold", "approved"),
    ("on_hold", "allocated"),
    ("on_hold", "picking"),
    ("on_hold", "packed"),
    ("on_hold", "cancelled"),
    ("allocated", "picking"),
    ("allocated", "on_hold"),
    ("allocated", "cancelled"),
    ("picking", "packed"),
    ("picking", "allocated"),
    ("picking", "on_hold"),
    ("picking", "cancelled"),
    ("packed", "shipped"),
    ("packed", "picking"),
    ("packed", "on_hold"),
    ("packed", "cancelled"),
    ("shipped", "in_transit"),
    ("shipped", "out_for_delivery"),
    ("shipped", "delivered"),
    ("shipped", "exception"),
    ("in_transit", "out_for_delivery"),
    ("in_transit", "delivered"),
    ("in_transit", "exception"),
    ("out_for_delivery", "in_transit"),
    ("out_for_delivery", "delivered"),
    ("out_for_delivery", "exception"),
    ("delivered", "completed"),
    ("delivered", "exception"),
    ("exception", "in_transit"),
    ("exception", "out_for_delivery"),
    ("exception", "delivered"),
    ("exception", "completed"),
}


def order_in(
    status: Status, *, paid: bool = True, cod: bool = False, resume: Status | None = None
) -> Order:
    return Order(
        number="261123000018",
        status=status,
        total_minor=1000,
        paid_minor=1000 if paid else 0,
        cod=cod,
        currency="CNY",
        hold_resume_status=resume,
        version=1,
    )


@pytest.mark.parametrize(("current", "to"), list(itertools.product(Status, Status)))
def test_every_pair_of_statuses_is_allowed_exactly_when_the_table_says(current, to):
    resume = to if current is Status.ON_HOLD else None
    order = order_in(current, cod=True, resume=resume)

    allowed = lifecycle.can(order, to)

    assert allowed == ((current.value, to.value) in ALLOWED)


def test_table_and_expectation_have_the_same_edges():
    edges = {(a.value, b.value) for a, targets in TRANSITIONS.items() for b in targets}
    assert edges == ALLOWED


def test_terminal_statuses_have_no_way_out():
    assert TRANSITIONS[Status.COMPLETED] == frozenset()
    assert TRANSITIONS[Status.CANCELLED] == frozenset()


def test_an_unpaid_order_cannot_become_paid():
    with pytest.raises(IllegalTransition, match=r"not fully paid \(10.00 CNY outstanding\)"):
        lifecycle.check(order_in(Status.PENDING_PAYMENT, paid=False), Status.PAID)


def test_only_cod_orders_skip_payment():
    assert not lifecycle.can(order_in(Status.PENDING_PAYMENT, paid=False), Status.AWAITING_REVIEW)
    assert lifecycle.can(
        order_in(Status.PENDING_PAYMENT, paid=False, cod=True), Status.AWAITING_REVIEW
    )


def test_an_unpaid_non_cod_order_cannot_be_approved():
    assert not lifecycle.can(order_in(Status.AWAITING_REVIEW, paid=False), Status.APPROVED)


def test_a_held_order_resumes_only_where_it_was_or_to_cancelled():
    held = order_in(Status.ON_HOLD, resume=Status.PACKED)

    assert lifecycle.can(held, Status.PACKED)
    assert lifecycle.can(held, Status.CANCELLED)
    assert not lifecycle.can(held, Status.APPROVED)


def test_every_guard_sits_on_an_edge_of_the_table():
    assert all(b in TRANSITIONS[a] for a, b in GUARDS)


def test_illegal_transition_names_both_statuses():
    with pytest.raises(IllegalTransition, match="cannot go from shipped to cancelled"):
        lifecycle.check(order_in(Status.SHIPPED), Status.CANCELLED)
