"""Twilio Programmable Messaging: create a Message resource.

``POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json``, HTTP Basic auth
(AccountSid:AuthToken), form-encoded ``To`` (E.164), ``From`` (or
``MessagingServiceSid``) and ``Body`` (https://www.twilio.com/docs/messaging/api/message-resource,
https://www.twilio.com/docs/iam/api). Success is ``201 Created`` with the Message JSON
(``sid`` ``SM…``); errors carry ``{"code", "message", "more_info", "status"}``
(https://www.twilio.com/docs/usage/twilios-response).

Twilio's Message API has no caller reference / idempotency field, so our message id is
not sent: a retry after a lost answer may send twice. (StatusCallback could carry it as a
query parameter once delivery receipts are wired.)
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass, field

import httpx

from orderflow.logs import mask
from orderflow.notify.channels import Outgoing, PermanentFailure, SendResult, TemporaryFailure
from orderflow.notify.sms._http import (
    DEFAULT_TIMEOUT,
    exchange,
    json_body,
    parse_retry_after,
)
from orderflow.notify.sms.phones import mask_phone, to_e164

log = logging.getLogger("orderflow.notify.sms.twilio")

DEFAULT_ENDPOINT = "https://api.twilio.com"

# https://www.twilio.com/docs/api/errors
_PERMANENT = {
    20003: "sms.auth",  # Authenticate
    20404: "sms.auth",  # account / resource not found (wrong AccountSid)
    21211: "sms.invalid_number",  # invalid 'To' phone number
    21214: "sms.invalid_number",  # 'To' cannot be reached
    21217: "sms.invalid_number",
    21612: "sms.invalid_number",  # 'To' not currently reachable via SMS
    21614: "sms.invalid_number",  # 'To' is not a valid mobile number
    21610: "sms.unsubscribed",  # recipient replied STOP
    21408: "sms.rejected",  # permission to send to this region not enabled
    21606: "sms.rejected",  # 'From' is not a valid message-capable number
    21608: "sms.rejected",  # trial account, unverified 'To'
    21602: "sms.template_rejected",  # Body required
    21617: "sms.template_rejected",  # Body too long
}


@dataclass
class TwilioSms:
    """Channel "sms" via Twilio. ``from_number`` or ``messaging_service_sid`` is required."""

    account_sid: str
    auth_token: str
    from_number: str | None = None
    messaging_service_sid: str | None = None
    endpoint: str = DEFAULT_ENDPOINT
    timeout: httpx.Timeout = field(default_factory=lambda: DEFAULT_TIMEOUT)
    transport: httpx.BaseTransport | None = None
    name: str = "sms"

    def build_request(self, message: Outgoing) -> httpx.Request:
        if not message.text.strip():
            raise PermanentFailure("SMS text is empty", code="sms.template_rejected")
        form = {"To": to_e164(message.recipient), "Body": message.text}
        if self.messaging_service_sid:
            form["MessagingServiceSid"] = self.messaging_service_sid
        elif self.from_number:
            form["From"] = self.from_number
        else:
            raise PermanentFailure("Twilio sender is not configured", code="sms.config")
        url = f"{self.endpoint.rstrip('/')}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        token = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode("ascii")
        headers = {"Accept": "application/json", "Authorization": f"Basic {token}"}
        return httpx.Request("POST", url, data=form, headers=headers)

    def send(self, message: Outgoing) -> SendResult:
        request = self.build_request(message)
        shown = mask_phone(message.recipient)
        response = exchange("twilio", request, timeout=self.timeout,
                            transport=self.transport, shown=shown)
        data = json_body(response)
        if response.status_code in (200, 201) and data.get("sid"):
            log.info("twilio Messages to %s ok, sid %s", shown, data["sid"])
            return SendResult(
                provider_message_id=str(data["sid"]), detail=f"status {data.get('status', '')}"
            )
        code = data.get("code")
        reason = f"twilio {response.status_code} {code or ''}: {mask(str(data.get('message', '')))}"
        log.warning("twilio Messages to %s refused: %s %s", shown, response.status_code, code)
        if response.status_code == 429 or code == 20429:
            raise TemporaryFailure(
                reason,
                code="sms.throttled",
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
            )
        if response.status_code >= 500:
            raise TemporaryFailure(reason, code="sms.provider_error")
        if isinstance(code, int) and code in _PERMANENT:
            raise PermanentFailure(reason, code=_PERMANENT[code])
        if response.status_code == 401:
            raise PermanentFailure(reason, code="sms.auth")
        if 400 <= response.status_code < 500:
            raise PermanentFailure(reason, code="sms.rejected")
        raise TemporaryFailure(reason, code="sms.provider_error")
