"""Aliyun SMS (dysmsapi 2017-05-25) ``SendSms`` with the V3 signature ACS3-HMAC-SHA256.

Wire format, as documented in "Request syntax and signature method V3"
(https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature,
same text at https://help.aliyun.com/zh/sdk/product-overview/v3-request-structure-and-signature):

* ``SendSms`` is an RPC-style API: POST to ``/``, the operation parameters in the query
  string, empty body; ``x-acs-action: SendSms``, ``x-acs-version: 2017-05-25``.
* CanonicalRequest = METHOD \\n CanonicalURI (``/``) \\n CanonicalQueryString \\n
  CanonicalHeaders \\n SignedHeaders \\n hex(SHA256(body)). The query is sorted by name,
  names and values percent-encoded per RFC 3986 (unreserved ``A-Za-z0-9-_.~`` kept, space
  -> ``%20``). Canonical headers are ``host``, ``content-type`` and every ``x-acs-*``
  header, lower-cased, values trimmed, sorted, ``name:value\\n`` each.
* StringToSign = ``ACS3-HMAC-SHA256\\n`` + hex(SHA256(CanonicalRequest));
  Signature = hex(HMAC-SHA256(AccessKeySecret, StringToSign));
  ``Authorization: ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<list>,
  Signature=<hex>``.

The documentation's fixed example (RunInstances, nonce 3156853299f313e23d1673dc12e1703d,
signature 06563a9e…) is reproduced in tests/notify/test_aliyun.py.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote

import httpx

from orderflow.logs import mask
from orderflow.notify.channels import (
    Outgoing,
    PermanentFailure,
    SendResult,
    TemporaryFailure,
)
from orderflow.notify.sms._http import DEFAULT_TIMEOUT, exchange, json_body
from orderflow.notify.sms.phones import aliyun_number, mask_phone, to_e164
from orderflow.notify.sms.templates import ProviderTemplate, resolve_template, template_values

log = logging.getLogger("orderflow.notify.sms.aliyun")

ALGORITHM = "ACS3-HMAC-SHA256"
ACTION, VERSION = "SendSms", "2017-05-25"
DEFAULT_ENDPOINT = "https://dysmsapi.aliyuncs.com"


def percent_encode(value: str) -> str:
    """RFC 3986: only A-Z a-z 0-9 - _ . ~ stay as they are (space -> %20, * -> %2A)."""
    return quote(value, safe="-_.~")


def canonical_query(params: Mapping[str, str]) -> str:
    pairs = sorted((percent_encode(k), percent_encode(v)) for k, v in params.items())
    return "&".join(f"{k}={v}" for k, v in pairs)


def signed_header_items(headers: Mapping[str, str]) -> list[tuple[str, str]]:
    lowered = {k.lower(): v.strip() for k, v in headers.items()}
    return sorted(
        (k, v)
        for k, v in lowered.items()
        if k in ("host", "content-type") or k.startswith("x-acs-")
    )


def canonical_request(
    method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str], body: bytes
) -> tuple[str, str]:
    """(CanonicalRequest, SignedHeaders)."""
    items = signed_header_items(headers)
    canonical_headers = "".join(f"{k}:{v}\n" for k, v in items)
    signed = ";".join(k for k, _ in items)
    payload_hash = hashlib.sha256(body).hexdigest()
    text = "\n".join(
        [
            method.upper(),
            path or "/",
            canonical_query(query),
            canonical_headers,
            signed,
            payload_hash,
        ]
    )
    return text, signed


def authorization(
    access_key_id: str,
    access_key_secret: str,
    method: str,
    path: str,
    query: Mapping[str, str],
    headers: Mapping[str, str],
    body: bytes = b"",
) -> str:
    request, signed = canonical_request(method, path, query, headers, body)
    string_to_sign = f"{ALGORITHM}\n{hashlib.sha256(request.encode()).hexdigest()}"
    signature = hmac.new(
        access_key_secret.encode(), string_to_sign.encode(), hashlib.sha256
    ).hexdigest()
    return f"{ALGORITHM} Credential={access_key_id},SignedHeaders={signed},Signature={signature}"


# Answer codes (https://help.aliyun.com/document_detail/101346.html plus the OpenAPI gateway's
# common errors). Anything "isp." or HTTP 5xx is the platform's trouble: retry.
THROTTLED = {"isv.BUSINESS_LIMIT_CONTROL", "Throttling", "Throttling.User", "Throttling.Api"}
TEMPORARY = {
    "isp.SYSTEM_ERROR",
    "isp.GATEWAY_ERROR",
    "ServiceUnavailable",
    "InternalError",
    "SignatureNonceUsed",
}
AUTH = {
    "SignatureDoesNotMatch",
    "IncompleteSignature",
    "InvalidAccessKeyId.NotFound",
    "InvalidAccessKeyId.Inactive",
    "InvalidAccessKeyId",
    "Forbidden.RAM",
    "isp.RAM_PERMISSION_DENY",
    "isv.ACCOUNT_NOT_EXISTS",
    "isv.ACCOUNT_ABNORMAL",
    "isv.PRODUCT_UN_SUBSCRIPT",
    "isv.PRODUCT_UNSUBSCRIBE",
}
PERMANENT = {
    "isv.MOBILE_NUMBER_ILLEGAL": "sms.invalid_number",
    "isv.MOBILE_COUNT_OVER_LIMIT": "sms.invalid_number",
    "isv.DOMESTIC_NUMBER_NOT_SUPPORTED": "sms.invalid_number",
    "isv.SMS_TEMPLATE_ILLEGAL": "sms.template_rejected",
    "isv.TEMPLATE_MISSING_PARAMETERS": "sms.template_rejected",
    "isv.TEMPLATE_PARAMS_ILLEGAL": "sms.template_rejected",
    "isv.INVALID_JSON_PARAM": "sms.template_rejected",
    "isv.PARAM_LENGTH_LIMIT": "sms.template_rejected",
    "isv.SMS_CONTENT_ILLEGAL": "sms.template_rejected",
    "isv.BLACK_KEY_CONTROL_LIMIT": "sms.template_rejected",
    "isv.SMS_SIGNATURE_ILLEGAL": "sms.signature_rejected",
    "isv.SMS_SIGN_ILLEGAL": "sms.signature_rejected",
    "isv.SIGN_STATE_ILLEGAL": "sms.signature_rejected",
    "isv.SMS_SIGNATURE_SCENE_ILLEGAL": "sms.signature_rejected",
    "isv.AMOUNT_NOT_ENOUGH": "sms.account",
    "isv.OUT_OF_SERVICE": "sms.account",
    "isv.DAY_LIMIT_CONTROL": "sms.quota",
    "isv.MONTH_LIMIT_CONTROL": "sms.quota",
    "InvalidTimeStamp.Expired": "sms.clock_skew",
}
_WINDOW = (
    ("分钟", 60.0),
    ("小时", 3600.0),
    ("天", 86400.0),
    ("minute", 60.0),
    ("hour", 3600.0),
    ("day", 86400.0),
)


def _throttle_window(message: str) -> float | None:
    """isv.BUSINESS_LIMIT_CONTROL says which window tripped ("触发分钟级流控Permits:1")."""
    for word, seconds in _WINDOW:
        if re.search(word, message, re.IGNORECASE):
            return seconds
    return None


@dataclass
class AliyunSms:
    """Channel "sms" via Aliyun dysmsapi SendSms. One HTTP request per message."""

    access_key_id: str
    access_key_secret: str
    sign_name: str
    templates: Mapping[str, ProviderTemplate]
    endpoint: str = DEFAULT_ENDPOINT
    timeout: httpx.Timeout = field(default_factory=lambda: DEFAULT_TIMEOUT)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    nonce: Callable[[], str] = field(default=lambda: uuid.uuid4().hex)
    transport: httpx.BaseTransport | None = None
    name: str = "sms"

    def build_request(self, message: Outgoing) -> httpx.Request:
        template = resolve_template(self.templates, message)
        values = template_values(template, message)
        number = aliyun_number(to_e164(message.recipient))
        params = {
            "PhoneNumbers": number,
            "SignName": self.sign_name,
            "TemplateCode": template.code,
            "TemplateParam": json.dumps(
                dict(zip(template.variables, values, strict=True)),
                ensure_ascii=False,
                separators=(",", ":"),
            ),
            "OutId": message.message_id,  # echoed in delivery receipts
        }
        url = httpx.URL(self.endpoint.rstrip("/") + "/")
        body = b""
        headers = {
            "host": url.netloc.decode("ascii"),
            "x-acs-action": ACTION,
            "x-acs-version": VERSION,
            "x-acs-date": self.clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "x-acs-signature-nonce": self.nonce(),
            "x-acs-content-sha256": hashlib.sha256(body).hexdigest(),
        }
        headers["Authorization"] = authorization(
            self.access_key_id, self.access_key_secret, "POST", "/", params, headers, body
        )
        headers["accept"] = "application/json"
        raw_url = f"{url.scheme}://{headers['host']}/?{canonical_query(params)}"
        return httpx.Request("POST", raw_url, headers=headers, content=body)

    def send(self, message: Outgoing) -> SendResult:
        request = self.build_request(message)
        shown = mask_phone(message.recipient)
        response = exchange("aliyun", request, timeout=self.timeout,
                            transport=self.transport, shown=shown)
        data = json_body(response)
        code = str(data.get("Code") or "")
        text = str(data.get("Message") or "")
        if response.status_code == 200 and code == "OK":
            log.info("aliyun SendSms to %s ok, BizId %s", shown, data.get("BizId"))
            return SendResult(
                provider_message_id=str(data.get("BizId") or ""),
                detail=f"RequestId {data.get('RequestId', '')}",
            )
        log.warning("aliyun SendSms to %s refused: %s %s", shown, code, mask(text))
        raise self._failure(response.status_code, code, text)

    @staticmethod
    def _failure(status: int, code: str, text: str) -> TemporaryFailure | PermanentFailure:
        reason = f"aliyun {code or status}: {mask(text)}".strip()
        if code in THROTTLED:
            return TemporaryFailure(
                reason, code="sms.throttled", retry_after=_throttle_window(text)
            )
        if code in AUTH:
            return PermanentFailure(reason, code="sms.auth")
        if code in PERMANENT:
            return PermanentFailure(reason, code=PERMANENT[code])
        if code in TEMPORARY or code.startswith("isp.") or status >= 500 or not code:
            return TemporaryFailure(reason, code="sms.provider_error")
        return PermanentFailure(reason, code="sms.rejected")
