"""One pasted address line (from a chat, a call, a spreadsheet) into the order's fields:
`张三 13800138000 广东省深圳市南山区粤海街道高新南七道12号` → name, phone, province,
city, district, street and detail, with the division table review uses
(review.divisions, cpca's GB/T 2260 codes).

A district named without its city is accepted when the name is unique (in the
province given, else in the country); when it is not (朝阳区: 北京 and 长春), the
parse is ambiguous and carries the candidates, so the order goes to review instead
of being refused. Lines outside China keep the split fields as their path (libpostal
is not available); only the name and phone are taken from them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from orderflow.orders.schemas import OrderIn
from orderflow.review import divisions

MAX_TEXT = 300
_LABEL = re.compile(r"(收货人|收件人|联系人|姓名|手机号码|手机号|手机|电话|联系电话|"
                    r"收货地址|详细地址|地址|所在地区)\s*[:：]?")
_PHONE = re.compile(
    r"(?<!\d)(?:(?:\+|00)?86[\s-]?)?(?:1[3-9]\d(?:[\s-]?\d){8}(?:\s*(?:转|-|,|，)\s*\d{1,6})?"
    r"|1[3-9]\d\*{4}\d{4}"
    r"|[(（]?0\d{2,3}[)）]?[\s-]?\d{7,8}(?:\s*(?:转|-)\s*\d{1,6})?)(?!\d)")
_SEPARATORS = re.compile(r"[\s,，;；、/|]+")
_NAME = re.compile(r"^(?=.{2,8}$)[\u4e00-\u9fff·]{1,5}[*＊]*$|^[A-Za-z][A-Za-z .'-]{1,40}$")
_STREET = re.compile(r"^([\u4e00-\u9fff]{1,10}?(?:街道|镇|乡))(.+)$")


@dataclass
class ParsedLine:
    name: str | None = None
    phone: str | None = None
    province: str | None = None
    city: str | None = None
    district: str | None = None
    street: str | None = None
    detail: str = ""
    candidates: list[str] = field(default_factory=list)  # 'province city district' when ambiguous

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "phone": self.phone, "province": self.province,
                "city": self.city, "district": self.district, "street": self.street,
                "detail": self.detail, "candidates": self.candidates}


def parse_line(text: str, country: str = "CN") -> ParsedLine:
    """Name, phone and address parts of one line. Never raises: what it cannot place
    stays in `detail`."""
    line = unicodedata.normalize("NFKC", text[:MAX_TEXT]).strip()
    line = _LABEL.sub(" ", line)
    parsed = ParsedLine()
    phone = _PHONE.search(line)
    if phone:
        parsed.phone = phone.group(0).strip()
        line = line[:phone.start()] + " " + line[phone.end():]
    address_parts = []
    for token in _SEPARATORS.split(line):
        if not token:
            continue
        if parsed.name is None and _NAME.match(token) and not _is_place(token, country):
            parsed.name = token
        else:
            address_parts.append(token)
    rest = ("" if country.upper() == "CN" else " ").join(address_parts)
    if country.upper() != "CN":
        parsed.detail = rest
        return parsed
    _place(parsed, rest)
    return parsed


def _is_place(token: str, country: str) -> bool:
    """A token that starts with a province, city or district name is address, not a name."""
    if country.upper() != "CN":
        return any(ch.isdigit() for ch in token)
    table = divisions.load()
    if table.match_child(None, token) is not None:
        return True
    return any(token.startswith(name) for name in _district_names()) or token.endswith(
        ("省", "市", "区", "县", "路", "街", "号", "室", "村", "镇"))


def _place(parsed: ParsedLine, rest: str) -> None:
    table = divisions.load()
    found = table.parse(rest)
    parsed.province, parsed.city, parsed.district = found.province, found.city, found.district
    detail = found.detail
    if found.city is None:  # a district named without its city
        after_province = detail
        homes = _district_homes_of(after_province, found.province)
        if homes:
            name, options = homes
            detail = after_province[len(name):]
            if len(options) == 1:
                parsed.province, parsed.city, parsed.district = options[0]
            else:
                parsed.district = options[0][2]
                parsed.candidates = [" ".join(o) for o in options]
    street = _STREET.match(detail)
    if street and len(street[2]) >= 2:
        parsed.street = street[1]
    parsed.detail = detail


Home = tuple[str, str, str]  # province, city, district


def _district_homes_of(text: str, province: str | None) -> tuple[str, list[Home]] | None:
    """The longest district name `text` starts with, and where such districts are (in
    `province` when it is given)."""
    for name in _district_names():
        if text.startswith(name):
            homes = [h for h in _district_index()[name] if province in (None, h[0])]
            if homes:
                return name, homes
    return None


@cache
def _district_index() -> dict[str, list[Home]]:
    """District full name → every (province, city, district) that has it."""
    table = divisions.load()
    index: dict[str, list[Home]] = {}
    for p in table.provinces.values():
        for c in p.children.values():
            for d in c.children.values():
                if d.name in ("市辖区", "县") or len(d.name) < 2:
                    continue
                index.setdefault(d.name, []).append((p.name, c.name, d.name))
    return index


@cache
def _district_names() -> list[str]:
    return sorted(_district_index(), key=lambda n: -len(n))


def resolve(cmd: OrderIn) -> OrderIn:
    """The order with `shipping_address.text` parsed into the fields it leaves blank
    (fields given explicitly win), and the customer's name and phone taken from the line
    when the body has none. `text` stays only when the line is ambiguous: placement then
    accepts the missing city, and review shows the candidates."""
    addr = cmd.shipping_address
    if not addr.text:
        return cmd
    parsed = parse_line(addr.text, addr.country or "CN")
    body = cmd.model_dump()
    shipping, customer = body["shipping_address"], body["customer"]
    for name in ("province", "city", "district"):
        shipping[name] = shipping[name] or getattr(parsed, name)
    shipping["detail"] = shipping["detail"] or parsed.detail or None
    shipping["text"] = addr.text if parsed.ambiguous else None
    customer["name"] = customer["name"] or parsed.name
    customer["phone"] = customer["phone"] or parsed.phone
    return OrderIn.model_validate(body)
