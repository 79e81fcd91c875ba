"""A local Tencent Cloud SMS (2021-01-11) SendSms endpoint that checks what Tencent checks.

TC3-HMAC-SHA256 is recomputed from the raw request (canonical request, credential scope
``<date>/sms/tc3_request``, derived key), written from the "Signature v3" documentation
independently of the adapter. Answers: ``{"Response": {"SendStatusSet": [...],
"RequestId"}}`` or ``{"Response": {"Error": {"Code", "Message"}, "RequestId"}}``, HTTP 200.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tests.fakes.server import Reply, Request, json_reply

AUTH_RE = re.compile(
    r"^TC3-HMAC-SHA256 Credential=(?P<id>[^/]+)/(?P<date>\d{4}-\d{2}-\d{2})/(?P<svc>[^/]+)"
    r"/tc3_request, SignedHeaders=(?P<sh>[^,]+), Signature=(?P<sig>[0-9a-f]{64})$"
)
E164_RE = re.compile(r"^\+[1-9]\d{7,14}$")


def _h(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


@dataclass
class FakeTencentSms:
    secrets: dict[str, str]  # SecretId -> SecretKey
    sdk_app_id: str
    sign_names: set[str]
    templates: dict[str, int]  # TemplateId -> number of {n} parameters
    accepted: list[dict[str, Any]] = field(default_factory=list)
    rejections: list[str] = field(default_factory=list)
    _scripted: list[tuple[str, str, bool]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, code: str, message: str = "", *, whole_request: bool = False) -> None:
        """Next valid request: a per-number failure in SendStatusSet (as SendSms reports
        throttling, blacklists, bad numbers) or, with whole_request, a Response.Error."""
        self._scripted.append((code, message or code, whole_request))

    def _error(self, code: str, message: str) -> Reply:
        self.rejections.append(code)
        return json_reply(
            200,
            {
                "Response": {
                    "Error": {"Code": code, "Message": message},
                    "RequestId": str(uuid.uuid4()),
                }
            },
        )

    def handle(self, request: Request) -> Reply:
        with self._lock:
            return self._handle(request)

    def _check_signature(self, request: Request) -> Reply | None:
        h = request.headers
        try:
            stamp = int(h.get("x-tc-timestamp", ""))
        except ValueError:
            return self._error("InvalidParameter", "X-TC-Timestamp is not an integer.")
        if abs(time.time() - stamp) > 300:
            return self._error("AuthFailure.SignatureExpire", "Signature expired.")
        match = AUTH_RE.match(h.get("authorization", ""))
        if not match:
            return self._error(
                "AuthFailure.InvalidAuthorization",
                "Authorization in the request header is invalid.",
            )
        key = self.secrets.get(match["id"])
        if key is None:
            return self._error("AuthFailure.SecretIdNotFound", "Key does not exist.")
        date = datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d")
        signed = match["sh"].split(";")
        if (
            match["date"] != date
            or match["svc"] != "sms"
            or not {"content-type", "host"} <= set(signed)
        ):
            return self._error(
                "AuthFailure.InvalidAuthorization", "Credential scope or SignedHeaders is invalid."
            )
        headers = "".join(f"{n}:{h.get(n, '').strip().lower()}\n" for n in signed)
        canonical = "\n".join(
            [
                request.method,
                "/",
                request.raw_query,
                headers,
                match["sh"],
                hashlib.sha256(request.body).hexdigest(),
            ]
        )
        scope = f"{date}/sms/tc3_request"
        to_sign = "\n".join(
            ["TC3-HMAC-SHA256", str(stamp), scope, hashlib.sha256(canonical.encode()).hexdigest()]
        )
        k = _h(_h(_h(("TC3" + key).encode(), date), "sms"), "tc3_request")
        expected = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, match["sig"]):
            return self._error(
                "AuthFailure.SignatureFailure",
                "The provided credentials could not be validated. "
                "Please check your signature is correct.",
            )
        return None

    def _handle(self, request: Request) -> Reply:
        h = request.headers
        if request.method != "POST" or h.get("x-tc-action") != "SendSms":
            return self._error("InvalidAction", "The API does not exist.")
        if h.get("x-tc-version") != "2021-01-11":
            return self._error("NoSuchVersion", "The API version does not exist.")
        if not h.get("content-type", "").startswith("application/json"):
            return self._error("InvalidParameter", "Content-Type must be application/json.")
        refused = self._check_signature(request)
        if refused is not None:
            return refused
        try:
            body: Any = json.loads(request.body)
        except ValueError:
            return self._error("InvalidParameter", "The request body is not JSON.")
        for name in ("PhoneNumberSet", "SmsSdkAppId", "TemplateId"):
            if not body.get(name):
                return self._error("MissingParameter", f"The parameter `{name}` is missing.")
        if body["SmsSdkAppId"] != self.sdk_app_id:
            return self._error("InvalidParameterValue.SdkAppIdNotExist", "SdkAppId not exist.")
        if body.get("SignName") not in self.sign_names:
            return self._error(
                "FailedOperation.SignatureIncorrectOrUnapproved",
                "signature is not approved or format error",
            )
        params = body.get("TemplateParamSet") or []
        if self.templates.get(body["TemplateId"]) is None:
            return self._error(
                "FailedOperation.TemplateIncorrectOrUnapproved",
                "template is not approved or request content does not match",
            )
        if len(params) != self.templates[body["TemplateId"]]:
            return self._error(
                "FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
                "TemplateParamSet does not match the approved template",
            )
        scripted = self._scripted.pop(0) if self._scripted else None
        if scripted and scripted[2]:
            return self._error(scripted[0], scripted[1])
        statuses = []
        for number in body["PhoneNumberSet"]:
            status = {
                "SerialNo": "",
                "PhoneNumber": number,
                "Fee": 0,
                "SessionContext": body.get("SessionContext", ""),
                "IsoCode": "CN",
            }
            if scripted:
                status.update(Code=scripted[0], Message=scripted[1])
                self.rejections.append(scripted[0])
            elif not E164_RE.match(number):
                status.update(
                    Code="InvalidParameterValue.IncorrectPhoneNumber",
                    Message="invalid mobile number",
                )
                self.rejections.append(status["Code"])
            else:
                self.accepted.append(body)
                status.update(
                    Code="Ok",
                    Message="send success",
                    Fee=1,
                    SerialNo=f"5000:{len(self.accepted):028d}",
                )
            statuses.append(status)
        return json_reply(
            200, {"Response": {"SendStatusSet": statuses, "RequestId": str(uuid.uuid4())}}
        )
