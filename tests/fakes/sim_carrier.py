"""A local simulated carrier speaking the wire protocol of `shipping.adapters.HttpCarrier`.

It checks what a carrier checks (API key, required sender/recipient fields, a masked
address is refused as Chinese carriers refuse "****") and, like Cainiao's ``object_id``,
treats the request id as a correlation id only: every create consumes a new number.
``stall_after_issue`` makes it issue a number and then answer too late (a client timeout).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field

from tests.fakes.server import Reply, Request, json_reply

PREFIX = {"sf": ("SF", 13), "zto": ("78", 12), "yto": ("YT", 13), "jd": ("JDX", 12),
          "ems": ("1", 12)}
REQUIRED = ("request_id", "carrier_code", "tracking_code", "service", "order_number",
            "parcel_no", "parcel_count", "sender", "recipient")
PARTY = ("name", "phone", "province", "address")


@dataclass
class FakeSimCarrier:
    api_key: str = "demo-key"
    stall_after_issue: float = 0.0  # seconds to sleep after issuing, before answering
    issued: list[dict[str, object]] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    lookups: list[str] = field(default_factory=list)
    _next: int = 1000
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _number(self, tracking_code: str) -> str:
        self._next += 1
        prefix, digits = PREFIX.get(tracking_code, ("SIM", 12))
        return f"{prefix}{self._next:0{digits}d}"

    def _problems(self, body: dict[str, object]) -> list[str]:
        missing = [k for k in REQUIRED if k not in body]
        for role in ("sender", "recipient"):
            party = body.get(role)
            if isinstance(party, dict):
                missing += [f"{role}.{k}" for k in PARTY if not party.get(k)]
        return missing

    def handle(self, request: Request) -> Reply:
        if request.headers.get("x-api-key") != self.api_key:
            return json_reply(401, {"error": "auth", "message": "bad X-Api-Key"})
        if request.method == "POST" and request.path == "/api/waybills":
            return self._create(json.loads(request.body))
        if request.method == "GET" and request.path == "/api/waybills":
            return self._find(request.query.get("request_id", ""))
        if request.method == "POST" and request.path.endswith("/cancel"):
            return self._cancel(request.path.split("/")[-2])
        return json_reply(404, {"error": "not_found", "message": request.path})

    def _create(self, body: dict[str, object]) -> Reply:
        problems = self._problems(body)
        if problems:
            return json_reply(400, {"error": "missing", "message": ", ".join(problems)})
        recipient = body["recipient"]
        assert isinstance(recipient, dict)
        if "****" in str(recipient.get("address")):
            return json_reply(400, {"error": "masked", "message": "收件地址中包含脱敏字符****"})
        with self._lock:
            code = self._number(str(body["tracking_code"]))
            self.issued.append({**body, "waybill_code": code})
        if self.stall_after_issue:
            time.sleep(self.stall_after_issue)
        return json_reply(200, {"waybill_code": code, "request_id": body["request_id"]})

    def _find(self, request_id: str) -> Reply:
        self.lookups.append(request_id)
        for row in reversed(self.issued):
            if row["request_id"] == request_id and row["waybill_code"] not in self.cancelled:
                return json_reply(200, {"waybill_code": row["waybill_code"],
                                        "request_id": request_id})
        return json_reply(404, {"error": "not_found", "message": request_id})

    def _cancel(self, code: str) -> Reply:
        if not any(row["waybill_code"] == code for row in self.issued):
            return json_reply(404, {"error": "not_found", "message": code})
        self.cancelled.append(code)
        return json_reply(200, {"cancelled": True})

    def parcels(self, order_number: str) -> list[str]:
        return [str(r["waybill_code"]) for r in self.issued if r["order_number"] == order_number]
