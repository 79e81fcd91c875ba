"""The intake use case: one order in, one transaction, whatever the entry point
(API, importer, console form, channel webhook, demo)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from orderflow.config import Settings, get_settings
from orderflow.db import Db
from orderflow.errors import ValidationFailed
from orderflow.intake import duplicates, oneline
from orderflow.orders import placement
from orderflow.orders.lifecycle import Actor
from orderflow.orders.models import Order
from orderflow.orders.numbering import allocator_for
from orderflow.orders.placement import Checked, Placed, Written
from orderflow.orders.schemas import OrderIn
from orderflow.payments import service as payments


def place_order(db: Db, cmd: OrderIn, *, actor: Actor, settings: Settings | None = None) -> Placed:
    """Validate whole, then write the order, its first status, its reservations and its
    payment together. The same channel + external id with the same content returns the
    first order (also when this copy would no longer pass validation); with different
    content (customer, address, lines, amounts) it is refused: ChangedCopy (409) lists
    the fields that differ."""
    settings = settings or get_settings()
    cmd = oneline.resolve(cmd)
    try:
        checked = placement.check(cmd, placement.cached_skus(db, {ln.sku for ln in cmd.lines}))
    except ValidationFailed:
        with db.read() as s:
            existing = placement.placed_before(s, cmd)
            if existing is None:
                raise
            key = (cmd.channel, cmd.external_id or "")
            stored = duplicates.find_stored(s, {key})[key]
        differing = duplicates.visible_differences(cmd, stored.content)
        if differing:  # not the same order, whatever else is wrong with this copy
            raise duplicates.ChangedCopy(existing.number, differing) from None
        return existing
    number = allocator_for(db, settings.timezone).next()
    try:
        with db.transaction() as s:
            existing = placement.placed_before(s, cmd)
            if existing is not None:  # the order number drawn above is left as a gap
                return _same_or_refused(s, checked, existing)
            written = write_one(s, checked, number=number, actor=actor, settings=settings)
            return Placed(written.order_id, number, created=True, written=written)
    except IntegrityError:
        with db.read() as s:  # lost a race for the same channel order: the winner's stands
            existing = placement.placed_before(s, cmd)
            if existing is None:
                raise
            return _same_or_refused(s, checked, existing)


def _same_or_refused(s: Session, checked: Checked, existing: Placed) -> Placed:
    key = (checked.cmd.channel, checked.cmd.external_id or "")
    stored = duplicates.find_stored(s, {key}).get(key)
    if stored is not None:
        differing = duplicates.differences(duplicates.of_checked(checked), stored.content)
        if differing:
            raise duplicates.ChangedCopy(existing.number, differing)
    return existing


def write_one(s: Session, checked: Checked, *, number: str, actor: Actor,
              settings: Settings) -> Written:
    """A step: the order, its first status, its reservations and its payment (the
    importer calls it for orders it cannot write in bulk)."""
    written = placement.create(s, checked, number=number, actor=actor, settings=settings)
    if checked.cmd.payment is not None:
        order = s.get_one(Order, written.order_id)
        payments.apply_payment(s, order, checked.cmd.payment, actor=actor, settings=settings)
    return written
