"""Kuaidi100 (快递100): real-time query (实时查询), subscription (订阅) and its push (推送).

Wire format (DOMAIN-CN.md §2.1-2.2, 快递100 API docs and official SDKs):
- query: POST {base}/poll/query.do, form `customer`, `sign`, `param` (a JSON string);
  sign = UPPER(MD5(param + key + customer)) over the exact `param` string posted.
- subscribe: POST {base}/poll, form `schema=json`, `param` ({company, number, key,
  parameters{callbackurl, salt, resultv2, phone}}); reply {result, returnCode, message}.
- push: 快递100 POSTs form `param` (JSON) and `sign` = UPPER(MD5(param + salt)) to the
  callback; we answer {"result":true,"returnCode":"200","message":"成功"} (20 s limit).
Times are China time (UTC+8, no DST) as `yyyy-MM-dd HH:mm:ss`; converted here.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl

import httpx

from orderflow.tracking.adapters import BadPayload, BadSignature
from orderflow.tracking.models import TrackingStatus
from orderflow.tracking.rules import CarrierEvent

T = TrackingStatus
CHINA = timezone(timedelta(hours=8))
SUCCESS = {"result": True, "returnCode": "200", "message": "成功"}

# Our carrier ids -> 快递100 `com` (DOMAIN-CN.md §1.1; 快递100 kdbm code sheet).
COM: dict[str, str] = {
    "SF": "shunfeng", "ZTO": "zhongtong", "YTO": "yuantong", "STO": "shentong",
    "YD": "yunda", "JD": "jd", "EMS": "ems", "POST": "youzhengguonei", "BEST": "huitongkuaidi",
    "JT": "jtexpress", "DB": "debangkuaidi",
}
CARRIER_OF: dict[str, str] = {com: ours for ours, com in COM.items()} | {
    "shunfengkuaiyun": "SF", "youzhengbk": "POST", "debangwuliu": "DB"}

# Basic `state` codes: 0 在途, 1 揽收, 2 疑难, 3 签收, 4 退签, 5 派件, 6 退回, 7 转投,
# 8/10/11/12 清关, 13 清关异常, 14 拒签.
STATE: dict[str, TrackingStatus] = {
    "0": T.IN_TRANSIT, "1": T.IN_TRANSIT, "2": T.EXCEPTION, "3": T.DELIVERED,
    "4": T.RETURNED, "5": T.OUT_FOR_DELIVERY, "6": T.RETURNING, "7": T.IN_TRANSIT,
    "8": T.IN_TRANSIT, "10": T.IN_TRANSIT, "11": T.IN_TRANSIT, "12": T.IN_TRANSIT,
    "13": T.EXCEPTION, "14": T.RETURNING,
}
# Advanced codes (resultv2=4): 101 已下单, 102 待揽收, 103 已揽收; 1001-1003 在途;
# 501 投柜或驿站; 301-304 签收; 401 已销单; 2xx 疑难 (the list as 快递100's docs give
# it: 201 超时未签收, 202 超时未更新, 203 拒收, 204 派件异常, 205 柜或驿站超时未取,
# 206 无法联系, 207 超区, 208 滞留, 209 破损, 210 销单).
ADVANCED: dict[str, tuple[TrackingStatus, str | None]] = {
    "101": (T.INFO_RECEIVED, None), "102": (T.INFO_RECEIVED, None), "103": (T.IN_TRANSIT, None),
    "1001": (T.IN_TRANSIT, None), "1002": (T.IN_TRANSIT, None), "1003": (T.IN_TRANSIT, None),
    "501": (T.OUT_FOR_DELIVERY, None),
    "301": (T.DELIVERED, None), "302": (T.DELIVERED, None), "303": (T.DELIVERED, None),
    "304": (T.DELIVERED, None), "401": (T.EXCEPTION, "cancelled"),
    "201": (T.EXCEPTION, "delayed"), "202": (T.EXCEPTION, "delayed"),
    "203": (T.RETURNING, "refused"), "204": (T.DELIVERY_ATTEMPTED, "other"),
    "205": (T.DELIVERY_ATTEMPTED, "not_collected"), "206": (T.DELIVERY_ATTEMPTED, "unreachable"),
    "207": (T.EXCEPTION, "address"), "208": (T.EXCEPTION, "delayed"),
    "209": (T.EXCEPTION, "damaged"), "210": (T.EXCEPTION, "cancelled"),
}
NAMES: dict[str, str] = {  # the per-item `status` names when no code is given
    "在途": "0", "揽收": "1", "疑难": "2", "签收": "3", "退签": "4", "派件": "5",
    "退回": "6", "转投": "7", "清关": "8", "待清关": "10", "清关中": "11", "已清关": "12",
    "清关异常": "13", "拒签": "14",
}
LOST_WORDS = ("丢失", "遗失")
DAMAGED_WORDS = ("破损",)


def sign(*parts: str) -> str:
    """UPPER(MD5(concatenation)), the 快递100 signature."""
    return hashlib.md5("".join(parts).encode(), usedforsecurity=False).hexdigest().upper()


def china_time(text: str) -> datetime:
    local = datetime.strptime(f"{text.strip()} +0800", "%Y-%m-%d %H:%M:%S %z")
    return local.astimezone(UTC)


def _problem(status: TrackingStatus, context: str, known: str | None) -> str | None:
    if any(w in context for w in LOST_WORDS):
        return "lost"
    if any(w in context for w in DAMAGED_WORDS):
        return "damaged"
    if known:
        return known
    return "other" if status in (T.EXCEPTION, T.DELIVERY_ATTEMPTED) else None


def _item_code(item: dict[str, Any]) -> str | None:
    code = str(item.get("statusCode") or "").strip()
    if code:
        return code
    name = str(item.get("status") or "").strip()
    return NAMES.get(name)


def normalise_item(item: dict[str, Any], fallback_state: str) -> CarrierEvent:
    """One `data[]` entry -> a CarrierEvent (raw code: the advanced code if given)."""
    code = _item_code(item) or fallback_state
    if code in ADVANCED:
        status, known = ADVANCED[code]
    else:
        status, known = STATE.get(code, T.IN_TRANSIT), None
    context = str(item.get("context") or "")
    when = china_time(str(item.get("ftime") or item.get("time") or ""))
    return CarrierEvent(
        occurred_at=when, status=status, raw_code=code, description=context,
        location=str(item.get("areaName") or item.get("location") or "") or None,
        pickup=code in ("1", "103"), problem=_problem(status, context, known),
        raw={k: item[k] for k in ("context", "ftime", "status", "statusCode", "areaName")
             if k in item},
    )


def normalise_result(result: dict[str, Any]) -> list[CarrierEvent]:
    """A query answer or a push's `lastResult`: `data[]` newest first; items without a
    code take the overall `state` for the newest and 在途 for the rest."""
    data = result.get("data")
    if not isinstance(data, list):
        raise BadPayload("data must be a list")
    state = str(result.get("state") or "0")
    try:
        events = [normalise_item(item, state if i == 0 else "0") for i, item in enumerate(data)]
    except (ValueError, TypeError, AttributeError) as exc:
        raise BadPayload(f"bad data item: {exc}") from exc
    if events and "arrivalTime" in result:  # resultv2=8: predicted arrival
        try:
            eta = datetime.strptime(f"{str(result['arrivalTime'])[:13]} +0800",
                                    "%Y-%m-%d %H %z").astimezone(UTC)
            newest = max(events, key=lambda e: e.occurred_at)
            events[events.index(newest)] = replace(newest, eta=eta)
        except ValueError:
            pass
    return events


@dataclass(frozen=True)
class Push:
    status: str  # polling | shutdown | abort | updateall
    message: str
    com: str
    number: str
    events: list[CarrierEvent]
    carrier: str | None  # our carrier id, if known
    com_new: str | None  # autoCheck correction


def parse_form(body: bytes) -> dict[str, str]:
    return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))


def verify_push(form: dict[str, str], salt: str) -> None:
    expected = sign(form.get("param", ""), salt)
    if not hmac.compare_digest(expected, form.get("sign", "").upper()):
        raise BadSignature("快递100 push signature does not match")


def parse_push(body: bytes, salt: str) -> Push:
    """Verify and normalise one push (the form body as received)."""
    form = parse_form(body)
    if "param" not in form:
        raise BadPayload("param is required")
    verify_push(form, salt)
    try:
        param = json.loads(form["param"])
        last = param["lastResult"]
        com = str(last.get("com") or "")
        number = str(last.get("nu") or "")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BadPayload(f"param is not a 快递100 push: {exc}") from exc
    if not number:
        raise BadPayload("lastResult.nu is required")
    com_new = param.get("comNew") or None
    return Push(status=str(param.get("status") or ""), message=str(param.get("message") or ""),
                com=com, number=number, events=normalise_result(last),
                carrier=CARRIER_OF.get(com_new or com), com_new=com_new)


class Kuaidi100Error(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(f"快递100 {code}: {message}")
        self.code = code


@dataclass
class Kuaidi100Client:
    customer: str
    key: str
    base_url: str = "https://poll.kuaidi100.com"
    timeout_s: float = 10.0

    def query(self, carrier: str, number: str, *, phone: str | None = None,
              to: str | None = None) -> list[CarrierEvent]:
        """实时查询: the full history of one number, normalised."""
        param: dict[str, str] = {"com": COM.get(carrier.upper(), carrier.lower()), "num": number,
                                 "resultv2": "4", "show": "0", "order": "desc"}
        if phone:
            param["phone"] = phone[-4:] if "-" not in phone else phone.split("-")[-1]
        if to:
            param["to"] = to
        text = json.dumps(param, ensure_ascii=False, separators=(",", ":"))
        form = {"customer": self.customer, "sign": sign(text, self.key, self.customer),
                "param": text}
        reply = httpx.post(f"{self.base_url}/poll/query.do", data=form, timeout=self.timeout_s)
        body = reply.json()
        if body.get("result") is False or str(body.get("status", "200")) != "200":
            raise Kuaidi100Error(str(body.get("returnCode") or body.get("status")),
                                 str(body.get("message")))
        return normalise_result(body)

    def subscribe(self, carrier: str, number: str, *, callback_url: str, salt: str,
                  phone: str | None = None) -> bool:
        """订阅: True when accepted or already subscribed (501)."""
        param = {"company": COM.get(carrier.upper(), carrier.lower()), "number": number,
                 "key": self.key,
                 "parameters": {"callbackurl": callback_url, "salt": salt, "resultv2": "4",
                                "autoCom": "1", **({"phone": phone[-4:]} if phone else {})}}
        form = {"schema": "json",
                "param": json.dumps(param, ensure_ascii=False, separators=(",", ":"))}
        body = httpx.post(f"{self.base_url}/poll", data=form, timeout=self.timeout_s).json()
        code = str(body.get("returnCode"))
        if code in ("200", "501"):
            return True
        raise Kuaidi100Error(code, str(body.get("message")))
