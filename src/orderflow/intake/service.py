"""The intake use case: one order in, one transaction, whatever the entry point
(API, importer, console form, channel webhook, demo)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from orderflow.config import Settings, get_settings
from orderflow.db import Db
from orderflow.orders import placement
from orderflow.orders.lifecycle import Actor
from orderflow.orders.models import Order
from orderflow.orders.numbering import allocator_for
from orderflow.orders.placement import Checked, Placed
from orderflow.orders.schemas import OrderIn
from orderflow.payments import service as payments


def place_order(db: Db, cmd: OrderIn, *, actor: Actor, settings: Settings | None = None) -> Placed:
    """Validate whole, then write the order, its first status, its reservations and its
    payment together. The same channel + external id returns the first order."""
    settings = settings or get_settings()
    first = _existing_or_checked(db, cmd)
    if isinstance(first, Placed):
        return first
    number = allocator_for(db, settings.timezone).next()
    try:
        with db.transaction() as s:
            order = write_one(s, first, number=number, actor=actor, settings=settings)
            return Placed(order.id, order.number, created=True)
    except IntegrityError:
        if not cmd.external_id:
            raise
        with db.read() as s:  # lost a race for the same channel order: the winner's stands
            existing = placement.find_by_external(s, cmd.channel, cmd.external_id)
            if existing is None:
                raise
            return Placed(existing.id, existing.number, created=False)


def write_one(s: Session, checked: Checked, *, number: str, actor: Actor,
              settings: Settings) -> Order:
    """A step: the order, its first status, its reservations and its payment (the
    importer calls it for orders it cannot write in bulk)."""
    order = placement.create(s, checked, number=number, actor=actor, settings=settings)
    if checked.cmd.payment is not None:
        payments.apply_payment(s, order, checked.cmd.payment, actor=actor, settings=settings)
    return order


def _existing_or_checked(db: Db, cmd: OrderIn) -> Placed | Checked:
    """One read: the order already placed for this channel + external id, or the checked order."""
    with db.read() as s:
        if cmd.external_id:
            existing = placement.find_by_external(s, cmd.channel, cmd.external_id)
            if existing is not None:
                return Placed(existing.id, existing.number, created=False)
        return placement.check(cmd, placement.load_skus(s, {ln.sku for ln in cmd.lines}))
