"""Carrier adapters: how a waybill (tracking number) is obtained, found again and cancelled.

* `SimulatedCarrier` — built in, no network: issues numbers in the carrier's own format,
  derived from the local request id, so asking twice gives the same number.
* `HttpCarrier` — the simulated-carrier wire protocol over real HTTP (JSON):
  ``POST {base}/api/waybills`` with ``X-Api-Key`` → ``{"waybill_code", "request_id"}``;
  ``GET {base}/api/waybills?request_id=…`` → the same, or 404 when never issued;
  ``POST {base}/api/waybills/{code}/cancel`` → ``{"cancelled": true}``.
  Like Cainiao's ``object_id``, the request id only correlates: every create consumes a
  number, so the caller must look the request id up before asking again.
* Manual carriers have no adapter: staff scan or type the number (`waybills.record_manual`).
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from typing import Protocol

import httpx

from orderflow.shipping.numbers import number_for


class CarrierUnavailable(Exception):
    """No answer (timeout, connection refused): the request may or may not have been served."""


class CarrierRefused(Exception):
    """The carrier answered and refused the request."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code


@dataclass(frozen=True, slots=True)
class Party:
    name: str
    phone: str
    province: str
    city: str
    district: str
    address: str


@dataclass(frozen=True, slots=True)
class WaybillRequest:
    request_id: str
    carrier_code: str
    tracking_code: str
    service: str
    order_number: str
    parcel_no: int
    parcel_count: int
    weight_g: int | None
    cod_minor: int | None
    sender: Party
    recipient: Party


class CarrierAdapter(Protocol):
    def create(self, request: WaybillRequest) -> str: ...

    def find(self, request_id: str, tracking_code: str) -> str | None: ...

    def cancel(self, tracking_number: str) -> None: ...


class SimulatedCarrier:
    """Numbers derived from the request id: the built-in carrier is idempotent by nature."""

    def create(self, request: WaybillRequest) -> str:
        return number_for(request.tracking_code, request.request_id)

    def find(self, request_id: str, tracking_code: str) -> str | None:
        return number_for(tracking_code, request_id)

    def cancel(self, tracking_number: str) -> None:
        return None


class HttpCarrier:
    def __init__(self, base_url: str, *, api_key: str | None = None,
                 timeout: float | None = None):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key or os.environ.get("ORDERFLOW_CARRIER_API_KEY", "demo-key")
        self.timeout = timeout or float(os.environ.get("ORDERFLOW_CARRIER_TIMEOUT", "10"))

    def _call(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        try:
            return httpx.request(method, f"{self.base_url}{path}", timeout=self.timeout,
                                 headers={"X-Api-Key": self.api_key}, **kwargs)  # type: ignore[arg-type]
        except (httpx.HTTPError, httpx.InvalidURL, UnicodeError, ValueError) as exc:
            # An unreachable or malformed endpoint (a host name IDNA cannot encode, say)
            # is the carrier being unavailable, never a 500.
            raise CarrierUnavailable(f"{type(exc).__name__}: {str(exc)[:200]}") from exc

    @staticmethod
    def _refused(response: httpx.Response) -> CarrierRefused:
        try:
            body = response.json()
            return CarrierRefused(str(body.get("error", response.status_code)),
                                  str(body.get("message", "")))
        except ValueError:
            return CarrierRefused(str(response.status_code), response.text[:200])

    def create(self, request: WaybillRequest) -> str:
        response = self._call("POST", "/api/waybills", json=asdict(request))
        if response.status_code >= 500:
            raise CarrierUnavailable(f"HTTP {response.status_code}")
        if response.status_code != 200:
            raise self._refused(response)
        return str(response.json()["waybill_code"])

    def find(self, request_id: str, tracking_code: str) -> str | None:
        response = self._call("GET", "/api/waybills", params={"request_id": request_id})
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise CarrierUnavailable(f"HTTP {response.status_code} looking up {request_id}")
        return str(response.json()["waybill_code"])

    def cancel(self, tracking_number: str) -> None:
        response = self._call("POST", f"/api/waybills/{tracking_number}/cancel")
        if response.status_code not in (200, 404):
            raise self._refused(response)
