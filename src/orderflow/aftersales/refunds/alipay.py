"""Alipay refunds over the open-platform gateway: `alipay.trade.refund` and, after a
timeout, `alipay.trade.fastpay.refund.query` for the same `out_request_no`.

The request is a form POST of the common parameters (app_id, method, format, charset,
sign_type=RSA2, timestamp, version=1.0) and `biz_content` (JSON). The signature is
SHA256withRSA (PKCS#1 v1.5) over every non-empty parameter but `sign`, sorted by name and
joined as `k=v&k=v`, in base64. The answer is JSON `{"<method>_response": {...}, "sign"}`,
where `sign` covers the exact text of the response object; it is checked with Alipay's
public key before anything in it is believed. Repeating a refund with the same
`out_request_no` refunds once (`fund_change` is then "N").

Settings: ORDERFLOW_ALIPAY_APP_ID, ORDERFLOW_ALIPAY_PRIVATE_KEY_FILE (the app's PEM key),
ORDERFLOW_ALIPAY_PUBLIC_KEY_FILE (Alipay's PEM public key), ORDERFLOW_ALIPAY_GATEWAY.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from orderflow import clock
from orderflow.aftersales.refunds.providers import (
    ProviderRefused,
    ProviderUnavailable,
    RefundAnswer,
    RefundRequest,
)

ZONE = ZoneInfo("Asia/Shanghai")
GATEWAY = "https://openapi.alipay.com/gateway.do"
REFUND = "alipay.trade.refund"
QUERY = "alipay.trade.fastpay.refund.query"
# Answers that say "try again later with the same out_request_no".
RETRYABLE = frozenset({"20000", "ACQ.SYSTEM_ERROR", "ACQ.REFUND_IN_PROCESS",
                       "aop.ACQ.SYSTEM_ERROR"})


def sign_content(params: dict[str, str]) -> str:
    return "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "sign" and params[k])


def sign(params: dict[str, str], key: rsa.RSAPrivateKey) -> str:
    raw = key.sign(sign_content(params).encode(), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(raw).decode()


def verify(text: str, signature: str, key: rsa.RSAPublicKey) -> bool:
    try:
        key.verify(base64.b64decode(signature), text.encode(), padding.PKCS1v15(),
                   hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


def response_text(body: str, method: str) -> tuple[str, str]:
    """The exact text of `<method>_response` (what Alipay signed) and the signature."""
    name = f'"{method.replace(".", "_")}_response"'
    at = body.find(name)
    if at < 0:
        raise ProviderUnavailable(f"Alipay answer without {name}")
    start = body.index("{", at + len(name))
    _obj, end = json.JSONDecoder().raw_decode(body, start)
    signature = json.loads(body).get("sign", "")
    return body[start:end], signature


class AlipayProvider:
    name = "alipay"

    def __init__(self, app_id: str, private_key: rsa.RSAPrivateKey,
                 alipay_public_key: rsa.RSAPublicKey, gateway: str = GATEWAY,
                 timeout_s: float = 10.0):
        self.app_id = app_id
        self.private_key = private_key
        self.alipay_public_key = alipay_public_key
        self.gateway = gateway
        self.timeout_s = timeout_s

    @classmethod
    def from_env(cls) -> AlipayProvider:
        app_id = os.environ.get("ORDERFLOW_ALIPAY_APP_ID", "")
        private = os.environ.get("ORDERFLOW_ALIPAY_PRIVATE_KEY_FILE", "")
        public = os.environ.get("ORDERFLOW_ALIPAY_PUBLIC_KEY_FILE", "")
        if not (app_id and private and public):
            raise ProviderUnavailable("Alipay refunds need ORDERFLOW_ALIPAY_APP_ID, "
                                      "ORDERFLOW_ALIPAY_PRIVATE_KEY_FILE and "
                                      "ORDERFLOW_ALIPAY_PUBLIC_KEY_FILE")
        key = serialization.load_pem_private_key(Path(private).read_bytes(), password=None)
        pub = serialization.load_pem_public_key(Path(public).read_bytes())
        assert isinstance(key, rsa.RSAPrivateKey)
        assert isinstance(pub, rsa.RSAPublicKey)
        return cls(app_id, key, pub, os.environ.get("ORDERFLOW_ALIPAY_GATEWAY", GATEWAY))

    def _params(self, method: str, biz: dict[str, Any]) -> dict[str, str]:
        now = clock.local(clock.utcnow(), ZONE)  # Alipay reads timestamps as Beijing time
        params = {"app_id": self.app_id, "method": method, "format": "JSON",
                  "charset": "utf-8", "sign_type": "RSA2",
                  "timestamp": now.strftime("%Y-%m-%d %H:%M:%S"), "version": "1.0",
                  "biz_content": json.dumps(biz, ensure_ascii=False, separators=(",", ":"))}
        params["sign"] = sign(params, self.private_key)
        return params

    def _call(self, method: str, biz: dict[str, Any]) -> dict[str, Any]:
        try:
            reply = httpx.post(self.gateway, data=self._params(method, biz),
                               timeout=self.timeout_s)
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"Alipay did not answer: {exc.__class__.__name__}") from exc
        if reply.status_code >= 500:
            raise ProviderUnavailable(f"Alipay answered HTTP {reply.status_code}")
        text, signature = response_text(reply.text, method)
        if not verify(text, signature, self.alipay_public_key):
            raise ProviderUnavailable("Alipay's answer has a bad signature; not believed")
        answer: dict[str, Any] = json.loads(text)
        return answer

    @staticmethod
    def _trade(request: RefundRequest) -> dict[str, str]:
        if request.trade_ref:
            return {"trade_no": request.trade_ref}
        return {"out_trade_no": request.order_number}

    def refund(self, request: RefundRequest) -> RefundAnswer:
        answer = self._call(REFUND, {**self._trade(request), "refund_amount": request.amount,
                                     "out_request_no": request.request_no,
                                     "refund_reason": request.reason[:256]})
        code, sub = str(answer.get("code", "")), str(answer.get("sub_code", ""))
        if code == "10000":
            return RefundAnswer(str(answer.get("trade_no") or request.request_no),
                                str(answer.get("refund_fee") or request.amount))
        if code in RETRYABLE or sub in RETRYABLE:
            raise ProviderUnavailable(f"Alipay {code} {sub}: {answer.get('sub_msg', '')}")
        raise ProviderRefused(sub or code, str(answer.get("sub_msg") or answer.get("msg", "")))

    def find(self, request: RefundRequest) -> RefundAnswer | None:
        answer = self._call(QUERY, {**self._trade(request),
                                    "out_request_no": request.request_no})
        code = str(answer.get("code", ""))
        if code != "10000":
            if code in RETRYABLE:
                raise ProviderUnavailable(f"Alipay {code}: {answer.get('sub_msg', '')}")
            return None
        if not answer.get("refund_amount") or answer.get("refund_status", "REFUND_SUCCESS") \
                != "REFUND_SUCCESS":
            return None
        return RefundAnswer(str(answer.get("trade_no") or request.request_no),
                            str(answer["refund_amount"]))
