"""A local AfterShip Tracking built from its documentation: `POST /v4/trackings` (API key
in `as-api-key`; 4003 when the tracking already exists) and the webhook it sends
(`tracking_update`, JSON body, `aftership-hmac-sha256` = base64 HMAC-SHA256 of the raw body
with the account's webhook secret). stdlib only."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.server import Reply, Request, json_reply


@dataclass
class FakeAfterShip:
    api_key: str
    webhook_secret: str
    webhook_url: str = ""
    trackings: dict[str, dict[str, Any]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, request: Request) -> Reply:
        with self._lock:
            if request.headers.get("as-api-key") != self.api_key:
                return json_reply(401, {"meta": {"code": 401, "message": "Invalid API key.",
                                                 "type": "Unauthorized"}, "data": {}})
            if request.method == "POST" and request.path == "/v4/trackings":
                body = json.loads(request.body)["tracking"]
                number = body.get("tracking_number")
                if not number:
                    return json_reply(400, {"meta": {"code": 4007, "message":
                                                     "`tracking_number` is required."}})
                if number in self.trackings:
                    return json_reply(400, {"meta": {"code": 4003, "message":
                                                     "Tracking already exists."}, "data": {}})
                self.trackings[number] = {"tracking_number": number, "slug": body.get("slug"),
                                          "order_id": body.get("order_id"), "checkpoints": []}
                return json_reply(201, {"meta": {"code": 201}, "data": {
                    "tracking": {"id": uuid.uuid4().hex[:24], **self.trackings[number]}}})
            return json_reply(404, {"meta": {"code": 404, "message": "Not found"}})

    def checkpoint(self, number: str, when: str, tag: str, subtag: str, message: str,
                   location: str | None = None) -> None:
        self.trackings[number]["checkpoints"].append({
            "slug": self.trackings[number]["slug"], "checkpoint_time": when, "tag": tag,
            "subtag": subtag, "message": message, "location": location, "raw_tag": subtag,
            "created_at": when})
        self.trackings[number]["tag"], self.trackings[number]["subtag"] = tag, subtag

    def body(self, number: str, *, expected_delivery: str | None = None) -> bytes:
        msg = {"id": uuid.uuid4().hex[:24], **self.trackings[number],
               "expected_delivery": expected_delivery, "active": True}
        return json.dumps({"event_id": str(uuid.uuid4()), "event": "tracking_update",
                           "is_tracking_first_tag": False, "ts": 1764750000,
                           "msg": msg}).encode()

    def sign(self, body: bytes, secret: str | None = None) -> str:
        key = (self.webhook_secret if secret is None else secret).encode()
        return base64.b64encode(hmac.new(key, body, hashlib.sha256).digest()).decode()

    def send(self, body: bytes, *, signature: str | None = None) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(
            self.webhook_url, data=body, method="POST",
            headers={"Content-Type": "application/json",
                     "aftership-hmac-sha256": signature or self.sign(body)})
        try:
            with urllib.request.urlopen(request, timeout=20) as reply:
                return reply.status, json.loads(reply.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"{}")
