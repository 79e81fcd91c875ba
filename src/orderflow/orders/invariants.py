"""Line invariants checked on every flush, so a bad change fails with a clear
reason before the database's CHECK constraints would refuse it anyway."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from orderflow.errors import InvariantViolated
from orderflow.orders import rules
from orderflow.orders.models import LINE_QUANTITIES, OrderLine


@event.listens_for(Session, "before_flush")
def _check_lines(session: Session, _context: Any, _instances: Any) -> None:
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, OrderLine):
            problems = rules.line_problems({q: getattr(obj, q) or 0 for q in LINE_QUANTITIES})
            if problems:
                raise InvariantViolated(f"line {obj.sku_code}: " + "; ".join(problems))
