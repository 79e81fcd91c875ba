"""A local 快递100 (Kuaidi100) built from its API documentation (DOMAIN-CN.md §2.1-2.2,
the official SDKs' request/response classes): real-time query, subscription, and the
push it makes to a subscriber's callback.

- `POST /poll/query.do` form customer, sign, param: sign must be UPPER(MD5(param + key +
  customer)) over the exact param string; answers `{"result": false, "returnCode": "503",
  "message": "验证签名失败"}` otherwise; 400 when com/num are missing; a number queried
  more than 48 times in 24 h is locked (`returnCode` 503 "查询过于频繁").
- `POST /poll` form schema=json, param{company, number, key, parameters{callbackurl, salt}}:
  600 bad key, 700 no callback, 501 repeat subscription while polling, else 200.
- `push(number, ...)`: POSTs form `param` + `sign` = UPPER(MD5(param + salt)) to the
  subscriber's callback, `lastResult.data` newest first, times as China time strings.
stdlib only: it checks what 快递100 checks without our adapter's code.
"""

from __future__ import annotations

import hashlib
import json
import threading
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from tests.fakes.server import Reply, Request, json_reply


def md5_upper(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest().upper()


@dataclass
class Subscription:
    company: str
    number: str
    callback: str
    salt: str
    state: str = "polling"


@dataclass
class FakeKuaidi100:
    customer: str
    key: str
    # number -> (com, state, data newest first: {context, time, ftime, status, statusCode...})
    tracks: dict[str, dict[str, Any]] = field(default_factory=dict)
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    queries: dict[str, int] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- scripting -------------------------------------------------------------------------
    def scan(self, number: str, com: str, when: str, context: str, *, state: str,
             code: str | None = None, area: str | None = None) -> None:
        """The carrier scanned the parcel: prepend to its history (newest first)."""
        track = self.tracks.setdefault(number, {"com": com, "state": "0", "data": []})
        item = {"context": context, "time": when, "ftime": when,
                "status": {"0": "在途", "1": "揽收", "2": "疑难", "3": "签收", "4": "退签",
                           "5": "派件", "6": "退回", "14": "拒签"}.get(state, "在途")}
        if code:
            item["statusCode"] = code
        if area:
            item["areaName"] = area
        track["data"].insert(0, item)
        track["data"].sort(key=lambda d: d["ftime"], reverse=True)
        if track["data"][0] is item:
            track["state"] = state

    def last_result(self, number: str) -> dict[str, Any]:
        track = self.tracks[number]
        return {"message": "ok", "state": track["state"], "status": "200", "condition": "F00",
                "ischeck": "1" if track["state"] == "3" else "0", "com": track["com"],
                "nu": number, "data": list(track["data"])}

    def push_body(self, number: str, *, status: str = "polling", salt: str | None = None,
                  data: list[dict[str, Any]] | None = None, com_new: str = "") -> bytes:
        sub = self.subscriptions[number]
        result = self.last_result(number)
        if data is not None:
            result["data"] = data
        param = json.dumps({"status": status, "billstatus": "got", "message": "",
                            "autoCheck": "1" if com_new else "0",
                            "comOld": sub.company if com_new else "", "comNew": com_new,
                            "lastResult": result}, ensure_ascii=False)
        sign = md5_upper(param + (sub.salt if salt is None else salt))
        return urlencode({"param": param, "sign": sign}).encode()

    def push(self, number: str, **kw: Any) -> tuple[int, dict[str, Any]]:
        """Push the number's full history to its subscriber, as 快递100 does."""
        sub = self.subscriptions[number]
        request = urllib.request.Request(
            sub.callback, data=self.push_body(number, **kw), method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=20) as reply:
                return reply.status, json.loads(reply.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"{}")

    # --- the API ---------------------------------------------------------------------------
    def handle(self, request: Request) -> Reply:
        with self._lock:
            form = dict(parse_qsl(request.body.decode(), keep_blank_values=True))
            if request.method == "POST" and request.path == "/poll/query.do":
                return self._query(form)
            if request.method == "POST" and request.path == "/poll":
                return self._subscribe(form)
            return json_reply(404, {"result": False, "returnCode": "404", "message": "not found"})

    def _fail(self, code: str, message: str) -> Reply:
        self.refused.append(code)
        return json_reply(200, {"result": False, "returnCode": code, "message": message})

    def _query(self, form: dict[str, str]) -> Reply:
        param_text = form.get("param", "")
        if form.get("customer") != self.customer:
            return self._fail("601", "customer不存在或已过期")
        if form.get("sign", "") != md5_upper(param_text + self.key + self.customer):
            return self._fail("503", "验证签名失败")
        try:
            param = json.loads(param_text)
        except ValueError:
            return self._fail("400", "找不到对应公司或param不是json")
        number, com = param.get("num"), param.get("com")
        if not number or not com or not 6 <= len(number) <= 32:
            return self._fail("400", "提交的数据不完整，或者贵公司没授权")
        self.queries[number] = self.queries.get(number, 0) + 1
        if self.queries[number] > 48:
            return self._fail("503", "查询过于频繁，单号已锁定24小时")
        if number not in self.tracks:
            return self._fail("500", "查询无结果，请隔段时间再查")
        return json_reply(200, self.last_result(number))

    def _subscribe(self, form: dict[str, str]) -> Reply:
        if form.get("schema") != "json":
            return self._fail("700", "schema must be json")
        try:
            param = json.loads(form.get("param", ""))
        except ValueError:
            return self._fail("700", "param不是json")
        if param.get("key") != self.key:
            return self._fail("600", "您不是合法的订阅者（即授权Key出错）")
        params = param.get("parameters") or {}
        if not params.get("callbackurl"):
            return self._fail("700", "订阅方的订阅数据存在错误或错误的回调地址")
        number = str(param.get("number") or "")
        if not number or not param.get("company"):
            return self._fail("700", "单号或快递公司为空")
        old = self.subscriptions.get(number)
        if old and old.state == "polling":
            return self._fail("501", "重复订阅")
        self.subscriptions[number] = Subscription(param["company"], number,
                                                  params["callbackurl"], params.get("salt", ""))
        return json_reply(200, {"result": True, "returnCode": "200", "message": "提交成功"})
