"""Tencent Cloud SMS ``SendSms`` (version 2021-01-11) signed with TC3-HMAC-SHA256.

As documented in Tencent Cloud API 3.0 "Signature v3" (e.g.
https://www.tencentcloud.com/document/api/382/40466 family; Chinese:
https://cloud.tencent.com/document/api/382/52072) and the SendSms reference
(https://cloud.tencent.com/document/api/382/55981):

* POST ``/`` with a JSON body; headers ``X-TC-Action: SendSms``, ``X-TC-Version:
  2021-01-11``, ``X-TC-Timestamp`` (unix seconds, within 5 minutes of the server),
  ``X-TC-Region``.
* CanonicalRequest = ``POST\\n/\\n\\n`` + ``content-type:<ct>\\nhost:<host>\\n`` + ``\\n`` +
  ``content-type;host`` + ``\\n`` + hex(SHA256(body)) (header names and values lower-cased).
* StringToSign = ``TC3-HMAC-SHA256\\n<timestamp>\\n<date>/sms/tc3_request\\n``
  + hex(SHA256(CanonicalRequest)), date = UTC date of the timestamp.
* kDate = HMAC("TC3" + SecretKey, date); kService = HMAC(kDate, "sms");
  kSigning = HMAC(kService, "tc3_request"); Signature = hex(HMAC(kSigning, StringToSign)).
* ``Authorization: TC3-HMAC-SHA256 Credential=<SecretId>/<date>/sms/tc3_request,
  SignedHeaders=content-type;host, Signature=<hex>``.

The documentation's worked example (cvm DescribeInstances, timestamp 1551113065,
signature 72e494ea…) is reproduced in tests/notify/test_tencent.py.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from orderflow.logs import mask
from orderflow.notify.channels import Outgoing, PermanentFailure, SendResult, TemporaryFailure
from orderflow.notify.sms._http import DEFAULT_TIMEOUT, exchange, json_body
from orderflow.notify.sms.phones import mask_phone, to_e164
from orderflow.notify.sms.templates import ProviderTemplate, resolve_template, template_values

log = logging.getLogger("orderflow.notify.sms.tencent")

ALGORITHM = "TC3-HMAC-SHA256"
SERVICE = "sms"
ACTION, VERSION = "SendSms", "2021-01-11"
DEFAULT_ENDPOINT = "https://sms.tencentcloudapi.com"
CONTENT_TYPE = "application/json; charset=utf-8"


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def tc3_signature(
    secret_key: str,
    *,
    service: str,
    host: str,
    timestamp: int,
    body: bytes,
    content_type: str = CONTENT_TYPE,
    method: str = "POST",
    query: str = "",
) -> str:
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    canonical_headers = f"content-type:{content_type.lower()}\nhost:{host.lower()}\n"
    canonical_request = "\n".join(
        [
            method,
            "/",
            query,
            canonical_headers,
            "content-type;host",
            hashlib.sha256(body).hexdigest(),
        ]
    )
    scope = f"{date}/{service}/tc3_request"
    string_to_sign = "\n".join(
        [
            ALGORITHM,
            str(timestamp),
            scope,
            hashlib.sha256(canonical_request.encode("utf-8")).hexdigest(),
        ]
    )
    k_date = _hmac(("TC3" + secret_key).encode("utf-8"), date)
    k_signing = _hmac(_hmac(k_date, service), "tc3_request")
    return hmac.new(k_signing, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def tc3_authorization(
    secret_id: str,
    secret_key: str,
    *,
    service: str,
    host: str,
    timestamp: int,
    body: bytes,
    content_type: str = CONTENT_TYPE,
) -> str:
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    signature = tc3_signature(
        secret_key,
        service=service,
        host=host,
        timestamp=timestamp,
        body=body,
        content_type=content_type,
    )
    return (
        f"{ALGORITHM} Credential={secret_id}/{date}/{service}/tc3_request, "
        f"SignedHeaders=content-type;host, Signature={signature}"
    )


# Codes: https://cloud.tencent.com/document/api/382/52075 (common + SMS send errors).
_LIMIT_WINDOWS = {
    "LimitExceeded.PhoneNumberThirtySecondLimit": 30.0,
    "LimitExceeded.PhoneNumberOneHourLimit": 3600.0,
    "LimitExceeded.PhoneNumberDailyLimit": 86400.0,
    "LimitExceeded.PhoneNumberSameContentDailyLimit": 86400.0,
    "LimitExceeded.AppDailyLimit": 86400.0,
    "LimitExceeded.DailyLimit": 86400.0,
}
_PERMANENT = {
    "FailedOperation.PhoneNumberInBlacklist": "sms.unsubscribed",
    "FailedOperation.PhoneNumberOnBlacklist": "sms.unsubscribed",
    "InvalidParameterValue.IncorrectPhoneNumber": "sms.invalid_number",
    "FailedOperation.PhoneNumberParseFail": "sms.invalid_number",
    "UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber": "sms.invalid_number",
    "FailedOperation.TemplateIncorrectOrUnapproved": "sms.template_rejected",
    "FailedOperation.TemplateParamSetNotMatchApprovedTemplate": "sms.template_rejected",
    "FailedOperation.ContainSensitiveWord": "sms.template_rejected",
    "InvalidParameterValue.TemplateParameterFormatError": "sms.template_rejected",
    "InvalidParameterValue.TemplateParameterLengthLimit": "sms.template_rejected",
    "InvalidParameterValue.ContentLengthLimit": "sms.template_rejected",
    "FailedOperation.SignatureIncorrectOrUnapproved": "sms.signature_rejected",
    "FailedOperation.InsufficientBalanceInSmsPackage": "sms.account",
    "FailedOperation.MarketingSendTimeConstraint": "sms.quiet_hours",
    "AuthFailure.SignatureExpire": "sms.clock_skew",
}


def classify(code: str, message: str) -> TemporaryFailure | PermanentFailure:
    reason = f"tencent {code}: {mask(message)}"
    if code in _PERMANENT:
        return PermanentFailure(reason, code=_PERMANENT[code])
    if code.startswith(("LimitExceeded", "RequestLimitExceeded")):
        return TemporaryFailure(reason, code="sms.throttled", retry_after=_LIMIT_WINDOWS.get(code))
    if code.startswith("AuthFailure"):
        return PermanentFailure(reason, code="sms.auth")
    if code.startswith(
        (
            "FailedOperation",
            "InvalidParameter",
            "UnauthorizedOperation",
            "MissingParameter",
            "UnsupportedOperation",
            "UnknownParameter",
        )
    ):
        return PermanentFailure(reason, code="sms.rejected")
    # InternalError.*, ResourceUnavailable, anything new: the platform's trouble, retry.
    return TemporaryFailure(reason, code="sms.provider_error")


@dataclass
class TencentSms:
    """Channel "sms" via Tencent Cloud SendSms. One HTTP request per message."""

    secret_id: str
    secret_key: str
    sdk_app_id: str
    sign_name: str
    templates: Mapping[str, ProviderTemplate]
    endpoint: str = DEFAULT_ENDPOINT
    region: str = "ap-guangzhou"
    timeout: httpx.Timeout = field(default_factory=lambda: DEFAULT_TIMEOUT)
    clock: Callable[[], float] = field(default=time.time)
    transport: httpx.BaseTransport | None = None
    name: str = "sms"

    def build_request(self, message: Outgoing) -> httpx.Request:
        template = resolve_template(self.templates, message)
        payload: dict[str, Any] = {
            "PhoneNumberSet": [to_e164(message.recipient)],
            "SmsSdkAppId": self.sdk_app_id,
            "SignName": self.sign_name,
            "TemplateId": template.code,
            "TemplateParamSet": template_values(template, message),
            "SessionContext": message.message_id,  # echoed back and in receipts
        }
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        url = httpx.URL(self.endpoint.rstrip("/") + "/")
        host = url.netloc.decode("ascii")
        timestamp = int(self.clock())
        headers = {
            "Host": host,
            "Content-Type": CONTENT_TYPE,
            "X-TC-Action": ACTION,
            "X-TC-Version": VERSION,
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Region": self.region,
            "Authorization": tc3_authorization(
                self.secret_id,
                self.secret_key,
                service=SERVICE,
                host=host,
                timestamp=timestamp,
                body=body,
            ),
        }
        return httpx.Request("POST", url, headers=headers, content=body)

    def send(self, message: Outgoing) -> SendResult:
        request = self.build_request(message)
        shown = mask_phone(message.recipient)
        response = exchange("tencent", request, timeout=self.timeout,
                            transport=self.transport, shown=shown)
        if response.status_code >= 500:
            raise TemporaryFailure(
                f"tencent HTTP {response.status_code}", code="sms.provider_error"
            )
        answer = json_body(response).get("Response")
        if not isinstance(answer, dict):
            raise TemporaryFailure(
                f"tencent HTTP {response.status_code}: unreadable answer", code="sms.provider_error"
            )
        error = answer.get("Error")
        if isinstance(error, dict):
            code, text = str(error.get("Code", "")), str(error.get("Message", ""))
            log.warning("tencent SendSms to %s refused: %s", shown, code)
            raise classify(code, text)
        statuses = answer.get("SendStatusSet") or []
        status = statuses[0] if statuses and isinstance(statuses[0], dict) else {}
        code, text = str(status.get("Code", "")), str(status.get("Message", ""))
        if code == "Ok":
            log.info("tencent SendSms to %s ok, SerialNo %s", shown, status.get("SerialNo"))
            return SendResult(
                provider_message_id=str(status.get("SerialNo") or ""),
                detail=f"RequestId {answer.get('RequestId', '')}",
            )
        log.warning("tencent SendSms to %s refused: %s", shown, code or "no status")
        if not code:
            raise TemporaryFailure(
                "tencent: answer without a send status", code="sms.provider_error"
            )
        raise classify(code, text)
