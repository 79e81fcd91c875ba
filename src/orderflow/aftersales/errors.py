"""After-sales errors with stable codes (problem+json in the API, labels in the console)."""

from __future__ import annotations

from typing import Any

from orderflow.errors import Conflict, NotFound


class CaseNotFound(NotFound):
    code = "aftersales.not_found"


class CaseIllegalTransition(Conflict):
    code = "aftersales.illegal_transition"
    title = "This after-sales step is not allowed now"


class CaseConcurrentChange(Conflict):
    code = "aftersales.concurrent_change"
    title = "The case was changed by someone else; reload and try again"


class NotEligible(Conflict):
    """The policy refuses the request (window passed, excluded goods): says why."""

    code = "aftersales.not_eligible"
    title = "This request is outside the after-sales policy"
    refusals: list[Any] = []


class RefundNotFound(NotFound):
    code = "refund.not_found"


class RefundExceedsPaid(Conflict):
    code = "refund.exceeds_refundable"
    title = "A refund cannot exceed what was paid less what was refunded"


class RefundPending(Conflict):
    code = "refund.pending"
    title = "The provider did not answer; the refund is kept and a retry asks for it"


class RefundRefused(Conflict):
    code = "refund.refused"
    title = "The payment provider refused the refund"
