"""A local Aliyun dysmsapi (2017-05-25) SendSms endpoint that checks what Aliyun checks.

The V3 signature (ACS3-HMAC-SHA256) is recomputed here from the raw request, following
"Request syntax and signature method V3" independently of the adapter's code.
Answers use Aliyun's shapes: gateway errors as HTTP 4xx ``{"RequestId", "HostId", "Code",
"Message", "Recommend"}``, SendSms results as HTTP 200 ``{"Code", "Message", "BizId",
"RequestId"}``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from tests.fakes.server import Reply, Request, json_reply

AUTH_RE = re.compile(
    r"^ACS3-HMAC-SHA256 Credential=(?P<ak>[^,]+),"
    r"SignedHeaders=(?P<sh>[^,]+),Signature=(?P<sig>[0-9a-f]{64})$"
)
PHONE_RE = re.compile(r"^(?:(?:\+|00)?86)?1[3-9]\d{9}$|^(?!86)[1-9]\d{7,14}$")


def _enc(text: str) -> str:
    return quote(text, safe="-_.~")


@dataclass
class FakeAliyunSms:
    access_keys: dict[str, str]  # AccessKeyId -> AccessKeySecret
    sign_names: set[str]
    templates: dict[str, set[str]]  # TemplateCode -> ${variable} names
    accepted: list[dict[str, str]] = field(default_factory=list)
    rejections: list[str] = field(default_factory=list)  # error codes answered
    _nonces: set[str] = field(default_factory=set)
    _scripted: list[tuple[str, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, code: str, message: str = "") -> None:
        """Answer the next valid SendSms with this business error (e.g. throttling)."""
        self._scripted.append((code, message or code))

    def _error(self, status: int, code: str, message: str) -> Reply:
        self.rejections.append(code)
        return json_reply(
            status,
            {
                "RequestId": str(uuid.uuid4()).upper(),
                "HostId": "dysmsapi.aliyuncs.com",
                "Code": code,
                "Message": message,
                "Recommend": f"https://api.aliyun.com/troubleshoot?q={code}",
            },
        )

    def _business(self, code: str, message: str) -> Reply:
        self.rejections.append(code)
        return json_reply(
            200, {"Code": code, "Message": message, "RequestId": str(uuid.uuid4()).upper()}
        )

    def handle(self, request: Request) -> Reply:
        with self._lock:
            return self._handle(request)

    def _check_signature(self, request: Request) -> Reply | None:
        match = AUTH_RE.match(request.headers.get("authorization", ""))
        if not match:
            return self._error(
                400,
                "IncompleteSignature",
                "The request signature does not conform to Aliyun standards.",
            )
        secret = self.access_keys.get(match["ak"])
        if secret is None:
            return self._error(
                404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."
            )
        signed = match["sh"].split(";")
        present = [h for h in request.headers if h.startswith("x-acs-")] + ["host"]
        if sorted(signed) != signed or not set(present) <= set(signed):
            return self._error(
                400,
                "IncompleteSignature",
                "SignedHeaders must list host and every x-acs-* header, sorted.",
            )
        body_hash = hashlib.sha256(request.body).hexdigest()
        if request.headers.get("x-acs-content-sha256") != body_hash:
            return self._error(400, "IncompleteSignature", "x-acs-content-sha256 mismatch.")
        try:
            sent_at = datetime.strptime(
                request.headers.get("x-acs-date", ""), "%Y-%m-%dT%H:%M:%SZ"
            ).replace(tzinfo=UTC)
        except ValueError:
            return self._error(400, "InvalidTimeStamp.Format", "x-acs-date is malformed.")
        if abs(datetime.now(UTC) - sent_at) > timedelta(minutes=15):
            return self._error(
                400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."
            )
        query = "&".join(sorted(f"{_enc(k)}={_enc(v)}" for k, v in request.query.items()))
        headers = "".join(f"{h}:{request.headers.get(h, '').strip()}\n" for h in signed)
        canonical = "\n".join(
            [request.method, request.path, query, headers, match["sh"], body_hash]
        )
        to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
        expected = hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, match["sig"]):
            return self._error(
                400,
                "SignatureDoesNotMatch",
                "Specified signature is not matched with our calculation.",
            )
        nonce = request.headers.get("x-acs-signature-nonce", "")
        if not nonce or nonce in self._nonces:
            return self._error(
                400, "SignatureNonceUsed", "Specified signature nonce was used already."
            )
        self._nonces.add(nonce)
        return None

    def _handle(self, request: Request) -> Reply:
        if request.method != "POST" or request.path != "/":
            return self._error(404, "InvalidAction.NotFound", "Specified api is not found.")
        if request.headers.get("x-acs-action") != "SendSms":
            return self._error(400, "InvalidAction.NotFound", "Specified api is not found.")
        if request.headers.get("x-acs-version") != "2017-05-25":
            return self._error(400, "InvalidVersion", "Specified parameter Version is not valid.")
        refused = self._check_signature(request)
        if refused is not None:
            return refused
        params = request.query
        for name in ("PhoneNumbers", "SignName", "TemplateCode"):
            if not params.get(name):
                return self._error(400, "MissingParameter", f"{name} is mandatory.")
        if self._scripted:
            return self._business(*self._scripted.pop(0))
        if not all(PHONE_RE.match(n) for n in params["PhoneNumbers"].split(",")):
            return self._business("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
        if params["SignName"] not in self.sign_names:
            return self._business("isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名")
        variables = self.templates.get(params["TemplateCode"])
        if variables is None:
            return self._business("isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板")
        try:
            values: Any = json.loads(params.get("TemplateParam") or "{}")
        except ValueError:
            return self._business("isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
        if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
            return self._business("isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
        if set(values) != variables:
            return self._business("isv.TEMPLATE_MISSING_PARAMETERS", "模板变量缺少对应参数值")
        self.accepted.append(dict(params))
        return json_reply(
            200,
            {
                "Code": "OK",
                "Message": "OK",
                "BizId": f"{len(self.accepted)}00619746936498^0",
                "RequestId": str(uuid.uuid4()).upper(),
            },
        )
