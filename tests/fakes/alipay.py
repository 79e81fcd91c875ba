"""A fake Alipay gateway for refunds: checks what Alipay checks and signs its answers.

* The form must carry the common parameters (app_id, method, charset, sign_type=RSA2,
  timestamp, version=1.0, biz_content) and an RSA2 signature over the sorted, non-empty
  parameters but `sign`, made with the app's private key (checked with its public key).
* `alipay.trade.refund`: one refund per `out_request_no` (a repeat answers the same refund
  with fund_change "N"); the sum of refunds never exceeds the trade's amount.
* `alipay.trade.fastpay.refund.query`: the refund made for an `out_request_no`, if any.
* `timeouts`: that many refund calls are served (the money moves) but answered too late.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import parse_qsl

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.fakes.server import Reply, Request

REQUIRED = ("app_id", "method", "charset", "sign_type", "sign", "timestamp", "version",
            "biz_content")


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class FakeAlipay:
    app_id: str
    app_public_key: rsa.RSAPublicKey
    alipay_key: rsa.RSAPrivateKey
    trades: dict[str, Decimal] = field(default_factory=dict)  # trade_no -> amount paid
    refunds: dict[str, tuple[str, Decimal]] = field(default_factory=dict)  # request -> trade
    timeouts: int = 0
    delay_s: float = 1.5
    refuse_with: str | None = None
    calls: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _answer(self, method: str, body: dict[str, object]) -> Reply:
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        signature = base64.b64encode(self.alipay_key.sign(text.encode(), padding.PKCS1v15(),
                                                          hashes.SHA256())).decode()
        name = method.replace(".", "_") + "_response"
        raw = f'{{"{name}":{text},"sign":"{signature}"}}'
        return Reply(200, raw, {"Content-Type": "application/json;charset=utf-8"})

    def _signature_ok(self, params: dict[str, str]) -> bool:
        content = "&".join(f"{k}={params[k]}" for k in sorted(params)
                           if k != "sign" and params[k])
        try:
            self.app_public_key.verify(base64.b64decode(params["sign"]), content.encode(),
                                       padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, ValueError):
            return False
        return True

    def handle(self, request: Request) -> Reply:
        params = dict(parse_qsl(request.body.decode(), keep_blank_values=True))
        method = params.get("method", "")
        missing = [k for k in REQUIRED if not params.get(k)]
        if missing or params.get("sign_type") != "RSA2" or params.get("version") != "1.0":
            return self._answer(method, {"code": "40001", "msg": "Missing Required Arguments",
                                         "sub_code": "isv.missing-params",
                                         "sub_msg": ",".join(missing)})
        if params["app_id"] != self.app_id or not self._signature_ok(params):
            return self._answer(method, {"code": "40002", "msg": "Invalid Arguments",
                                         "sub_code": "isv.invalid-signature",
                                         "sub_msg": "验签出错"})
        biz = json.loads(params["biz_content"])
        with self.lock:
            self.calls.append(method)
            if method == "alipay.trade.refund":
                reply, late = self._refund(biz)
            elif method == "alipay.trade.fastpay.refund.query":
                reply, late = self._query(biz), False
            else:
                reply, late = self._answer(method, {"code": "40004", "msg": "Business Failed",
                                                    "sub_code": "isv.invalid-method"}), False
        if late:
            time.sleep(self.delay_s)
        return reply

    def _trade(self, biz: dict[str, str]) -> str | None:
        trade = biz.get("trade_no") or biz.get("out_trade_no")
        return trade if trade in self.trades else None

    def _refund(self, biz: dict[str, str]) -> tuple[Reply, bool]:
        method = "alipay.trade.refund"
        trade = self._trade(biz)
        if trade is None:
            return self._answer(method, {"code": "40004", "msg": "Business Failed",
                                         "sub_code": "ACQ.TRADE_NOT_EXIST",
                                         "sub_msg": "交易不存在"}), False
        if self.refuse_with:
            return self._answer(method, {"code": "40004", "msg": "Business Failed",
                                         "sub_code": self.refuse_with,
                                         "sub_msg": "refused"}), False
        request_no = biz["out_request_no"]
        amount = Decimal(biz["refund_amount"])
        change = "N"
        if request_no not in self.refunds:
            done = sum((a for t, a in self.refunds.values() if t == trade), Decimal("0"))
            if done + amount > self.trades[trade]:
                return self._answer(method, {"code": "40004", "msg": "Business Failed",
                                             "sub_code": "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
                                             "sub_msg": "退款金额超限"}), False
            self.refunds[request_no] = (trade, amount)
            change = "Y"
        total = sum((a for t, a in self.refunds.values() if t == trade), Decimal("0"))
        late = False
        if self.timeouts > 0:
            self.timeouts -= 1
            late = True
        return self._answer(method, {"code": "10000", "msg": "Success", "trade_no": trade,
                                     "out_trade_no": trade, "fund_change": change,
                                     "refund_fee": f"{total:.2f}",
                                     "buyer_logon_id": "159****5620"}), late

    def _query(self, biz: dict[str, str]) -> Reply:
        method = "alipay.trade.fastpay.refund.query"
        found = self.refunds.get(biz.get("out_request_no", ""))
        if found is None:
            return self._answer(method, {"code": "10000", "msg": "Success"})
        return self._answer(method, {"code": "10000", "msg": "Success", "trade_no": found[0],
                                     "out_request_no": biz["out_request_no"],
                                     "refund_amount": f"{found[1]:.2f}",
                                     "refund_status": "REFUND_SUCCESS"})
