"""A local webhook receiver that does what a careful Standard Webhooks consumer does:
verify with the independent ``standardwebhooks`` package, drop repeats by webhook-id,
and answer what it is told to (410, 429 with Retry-After, 500, ...)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError

from tests.fakes.server import Reply, Request, json_reply


@dataclass
class FakeWebhookReceiver:
    secret: str  # the receiver knows one secret (whsec_...)
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    rejections: list[str] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    _scripted: list[Reply] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer_next(self, status: int, body: Any = None, **headers: str) -> None:
        self._scripted.append(Reply(status, body if body is not None else {}, dict(headers)))

    def handle(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            try:
                payload = Webhook(self.secret).verify(request.body, request.headers)
            except WebhookVerificationError as exc:
                self.rejections.append(str(exc))
                return json_reply(400, {"error": str(exc)})
            if self._scripted:
                return self._scripted.pop(0)
            msg_id = request.headers["webhook-id"]
            if any(d["id"] == msg_id for d in self.deliveries):
                self.duplicates.append(msg_id)
                return json_reply(200, {"ok": True, "duplicate": True})
            self.deliveries.append({"id": msg_id, "headers": request.headers, "payload": payload})
            return json_reply(200, {"ok": True})
