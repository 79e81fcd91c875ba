"""Refund providers: the adapter interface and the built-in ones.

* `ManualProvider` — staff refund in the payment back office and confirm the refund here
  with its reference (`refunds.confirm_manual`); the row waits as pending until then.
* `SimulatedProvider` — the demo: answers at once, with a reference derived from the
  request number, so asking again for the same request finds the same refund.
* `AlipayProvider` (alipay.py) — `alipay.trade.refund` and `alipay.trade.fastpay.refund.query`.

A provider is asked with the refund's `request_no` (Alipay `out_request_no`): the same
number twice is the same refund at the provider, and after a timeout `find()` asks for it
before any second request is sent.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Protocol


class ProviderUnavailable(Exception):
    """No answer (timeout, 5xx): the refund may or may not have been made."""


class ProviderRefused(Exception):
    """The provider answered and refused; the refund was not made."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code


@dataclass(frozen=True, slots=True)
class RefundRequest:
    request_no: str
    order_number: str
    trade_ref: str | None  # the payment's reference at the provider (trade_no)
    amount: str  # yuan, two decimals
    currency: str
    reason: str


@dataclass(frozen=True, slots=True)
class RefundAnswer:
    provider_ref: str
    amount: str


class RefundProvider(Protocol):
    name: str

    def refund(self, request: RefundRequest) -> RefundAnswer: ...

    def find(self, request: RefundRequest) -> RefundAnswer | None: ...


class ManualProvider:
    name = "manual"

    def refund(self, request: RefundRequest) -> RefundAnswer:
        raise ProviderUnavailable("a manual refund waits for staff to confirm it")

    def find(self, request: RefundRequest) -> RefundAnswer | None:
        return None


class SimulatedProvider:
    name = "simulated"

    def refund(self, request: RefundRequest) -> RefundAnswer:
        digest = hashlib.sha256(request.request_no.encode()).hexdigest()[:20].upper()
        return RefundAnswer(f"SIMR{digest}", request.amount)

    def find(self, request: RefundRequest) -> RefundAnswer | None:
        return SimulatedProvider.refund(self, request)


KNOWN = ("manual", "simulated", "alipay")
_overrides: dict[str, RefundProvider] = {}


def use(name: str, provider: RefundProvider | None) -> None:
    """Tests and the demo put a provider in place (None removes it)."""
    if provider is None:
        _overrides.pop(name, None)
    else:
        _overrides[name] = provider


def default_name() -> str:
    """ORDERFLOW_REFUND_PROVIDER: who refunds payments with no adapter of their own."""
    value = os.environ.get("ORDERFLOW_REFUND_PROVIDER", "manual")
    if value not in ("manual", "simulated"):
        raise ValueError(f"ORDERFLOW_REFUND_PROVIDER must be manual or simulated, not {value!r}")
    return value


def for_method(method: str) -> str:
    """The provider that refunds a payment made with `method`."""
    if method == "alipay" and ("alipay" in _overrides or os.environ.get("ORDERFLOW_ALIPAY_APP_ID")):
        return "alipay"
    return default_name()


def get(name: str) -> RefundProvider:
    if name in _overrides:
        return _overrides[name]
    if name == "simulated":
        return SimulatedProvider()
    if name == "alipay":
        from orderflow.aftersales.refunds.alipay import AlipayProvider

        return AlipayProvider.from_env()
    return ManualProvider()
