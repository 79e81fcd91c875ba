"""A recording channel for dispatcher tests (the adapters' wire formats are tested
against local fake providers in tests/notify)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from orderflow.notify.channels import (
    DeliveryFailure,
    Outgoing,
    PermanentFailure,
    SendResult,
    TemporaryFailure,
)


@dataclass
class RecordingChannel:
    name: str = "sms"
    sent: list[Outgoing] = field(default_factory=list)
    fail_next: list[DeliveryFailure] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, message: Outgoing) -> SendResult:
        with self.lock:
            if self.fail_next:
                raise self.fail_next.pop(0)
            self.sent.append(message)
            return SendResult(provider_message_id=f"rec-{len(self.sent)}")

    def temporary(self, times: int = 1, retry_after: float | None = 0.0) -> None:
        self.fail_next += [TemporaryFailure("throttled", retry_after=retry_after)] * times

    def permanent(self, reason: str = "number unsubscribed") -> None:
        self.fail_next.append(PermanentFailure(reason, code="sms.unsubscribed"))
