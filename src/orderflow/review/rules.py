"""The review rules (审单): pure functions from facts + settings to findings.

Each rule gives pass, warn or block; a finding carries a stable code and the params
its message is rendered from in zh-CN and en (messages.py). A merchant may change a
code's outcome (settings.severity) or switch a rule family off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

import phonenumbers
from babel import Locale

from orderflow import money
from orderflow.review import divisions
from orderflow.review.config import Outcome, ReviewConfig
from orderflow.review.facts import OrderFacts

ORDER = {"pass": 0, "warn": 1, "block": 2}

# Countries whose post needs a postal code, and its format.
POSTAL_FORMATS: dict[str, str] = {
    "US": r"^\d{5}(-\d{4})?$",
    "GB": r"^(GIR 0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})$",
    "DE": r"^\d{5}$",
    "FR": r"^\d{5}$",
    "IT": r"^\d{5}$",
    "ES": r"^\d{5}$",
    "CA": r"^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d$",
    "AU": r"^\d{4}$",
    "JP": r"^\d{3}-?\d{4}$",
    "NL": r"^\d{4} ?[A-Z]{2}$",
    "SG": r"^\d{6}$",
    "KR": r"^\d{5}$",
    "BR": r"^\d{5}-?\d{3}$",
    "IN": r"^\d{6}$",
}
# Countries whose post needs the state / province / prefecture on the label.
STATE_REQUIRED = frozenset({"US", "CA", "AU", "BR", "MX", "IN", "JP"})
_FINDERS = {country: re.compile(p) for country, p in POSTAL_FORMATS.items()}


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    code: str
    outcome: Outcome
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "code": self.code, "outcome": self.outcome,
                "params": self.params}


@dataclass(frozen=True, slots=True)
class Normalised:
    province: str | None
    city: str | None
    district: str | None
    detail: str
    adcode: str | None
    remote: bool


@dataclass(frozen=True, slots=True)
class Verdict:
    outcome: Outcome
    findings: tuple[Finding, ...]
    rules: dict[str, Outcome]  # every rule family that ran, with its worst outcome
    address: Normalised | None


def _m(minor: int, currency: str) -> str:
    return money.to_str(minor, currency)


# --- completeness ------------------------------------------------------------


def completeness(o: OrderFacts, cfg: ReviewConfig) -> list[Finding]:
    out = []
    if not (o.recipient_name or "").strip():
        out.append(Finding("completeness", "complete.recipient", "block"))
    if not (o.recipient_phone or "").strip():
        out.append(Finding("completeness", "complete.phone", "block"))
    # China: the address rule parses province/city/district out of the detail when
    # they are missing, so only an empty address is incomplete here.
    parts = ["detail"] if o.country == "CN" else ["city", "detail"]
    missing = [p for p in parts if not (getattr(o, p) or "").strip()]
    if missing:
        out.append(Finding("completeness", "complete.address", "block",
                           {"missing": ", ".join(missing)}))
    if not any(line.quantity > 0 for line in o.lines):
        out.append(Finding("completeness", "complete.lines", "block"))
    if o.paid_minor <= 0 and not o.cod and o.total_minor > 0:
        out.append(Finding("completeness", "complete.payment", "block"))
    if o.pii_masked:
        out.append(Finding("completeness", "complete.masked", "warn"))
    return out


# --- validity ----------------------------------------------------------------


def validity(o: OrderFacts, cfg: ReviewConfig) -> list[Finding]:
    out = []
    cur = o.currency
    if o.customer_blocked:
        out.append(Finding("validity", "valid.customer_blocked", "block",
                           {"reason": o.customer_blocked_reason or "-"}))
    if o.cod:
        out.extend(_cod(o, cfg))
    elif 0 < o.paid_minor < o.total_minor:
        out.append(Finding("validity", "valid.unpaid", "block",
                           {"outstanding": _m(o.total_minor - o.paid_minor, cur), "currency": cur}))
    if o.paid_minor > o.total_minor:
        out.append(Finding("validity", "valid.overpaid", "warn",
                           {"extra": _m(o.paid_minor - o.total_minor, cur), "currency": cur}))
    for line in o.lines:
        if line.unit_price_minor * line.quantity != line.line_total_minor:
            out.append(Finding("validity", "valid.line_total", "block", {
                "sku": line.sku, "quantity": line.quantity,
                "unit": _m(line.unit_price_minor, cur),
                "line_total": _m(line.line_total_minor, cur)}))
    lines_sum = sum(line.line_total_minor for line in o.lines)
    if lines_sum != o.subtotal_minor:
        out.append(Finding("validity", "valid.subtotal", "block",
                           {"subtotal": _m(o.subtotal_minor, cur), "lines": _m(lines_sum, cur)}))
    expected = o.subtotal_minor + o.shipping_minor - o.discount_minor
    if expected != o.total_minor:
        out.append(Finding("validity", "valid.total", "block",
                           {"total": _m(o.total_minor, cur), "expected": _m(expected, cur)}))
    return out


def _cod(o: OrderFacts, cfg: ReviewConfig) -> list[Finding]:
    out = []
    if o.country != "CN":
        out.append(Finding("validity", "valid.cod_region", "block", {"province": o.country}))
    else:
        code = _province_code(o.province)
        if code in cfg.cod_excluded_provinces:
            out.append(Finding("validity", "valid.cod_region", "block",
                               {"province": o.province or "-"}))
    if o.total_minor > cfg.cod_max_minor:
        out.append(Finding("validity", "valid.cod_amount", "block", {
            "limit": _m(cfg.cod_max_minor, o.currency), "currency": o.currency,
            "total": _m(o.total_minor, o.currency)}))
    return out


def _province_code(name: str | None) -> str | None:
    found = divisions.load().find(None, name) if name else None
    return found.code if found else None


# --- address -----------------------------------------------------------------


def address(o: OrderFacts, cfg: ReviewConfig) -> tuple[list[Finding], Normalised | None]:
    if o.country == "CN":
        findings, normalised = china_address(o, cfg)
    else:
        findings, normalised = international_address(o), None
    findings.extend(phone_findings(o, cfg))
    return findings, normalised


def china_address(o: OrderFacts, cfg: ReviewConfig) -> tuple[list[Finding], Normalised | None]:
    """Normalise province / city / district against the division table; flag what
    does not fit (a district of another city), mark remote regions."""
    table = divisions.load()
    province = table.find(None, o.province)
    detail = o.detail.strip()
    if province is None:  # everything may be in the detail: parse the whole text
        text = "".join(filter(None, [o.province, o.city, o.district, o.detail]))
        parsed = table.parse(text)
        if parsed.province is None:
            return [_unplaced(table, o.district, text)], None
        province = table.find(None, parsed.province)
        city_name, district_name, detail = parsed.city, parsed.district, parsed.detail
    else:
        city_name, district_name = o.city, o.district
    assert province is not None
    return _check_parts(table, province, city_name, district_name, detail, o, cfg)


def _unplaced(table: divisions.Divisions, district: str | None, text: str) -> Finding:
    """No province: a district named in several cities (a pasted line) lists them."""
    homes = table.districts_named(district) if district else []
    if len(homes) > 1:
        return Finding("address", "address.ambiguous", "block", {
            "district": district, "candidates": ", ".join(homes),
            "candidates_zh": "、".join(homes)})
    return Finding("address", "address.unparseable", "block", {"text": text[:80]})


def _check_parts(table: divisions.Divisions, province: divisions.Division, city_name: str | None,
                 district_name: str | None, detail: str, o: OrderFacts,
                 cfg: ReviewConfig) -> tuple[list[Finding], Normalised | None]:
    out: list[Finding] = []
    if city_name in divisions.DIRECT_COUNTIES:  # 海南省 / 省直辖县级行政区划 / 陵水黎族自治县
        city_name, district_name = district_name, None
    city = table.find(province, city_name) if city_name else None
    if city is None and city_name:  # 深圳市 given as the district's city? try the detail
        out.append(Finding("address", "address.city", "block",
                           {"city": city_name, "province": province.name}))
        return out, None
    if city is None:
        parsed = table.parse(province.name + detail)
        city = table.find(province, parsed.city) if parsed.city else None
        if city is None:
            out.append(Finding("address", "address.unparseable", "block", {"text": detail[:80]}))
            return out, None
        district_name, detail = district_name or parsed.district, parsed.detail
    district = table.find(city, district_name) if district_name else None
    if district_name and district is None:
        elsewhere = table.homes_of_district(province, district_name)
        out.append(Finding("address", "address.district", "block", {
            "district": district_name, "city": city.name,
            "elsewhere": f" (it is in {', '.join(elsewhere)})" if elsewhere else "",
            "elsewhere_zh": f"(属于{'、'.join(elsewhere)})" if elsewhere else ""}))
    elif district is None and _has_districts(city):
        parsed = table.parse(province.name + city.name + detail)
        district = table.find(city, parsed.district) if parsed.district else None
        if district is None:
            out.append(Finding("address", "address.district_missing", "warn", {"city": city.name}))
        else:
            detail = parsed.detail
    if len(detail) < 4:
        out.append(Finding("address", "address.detail_short", "block", {"detail": detail}))
    remote = province.code in cfg.remote_provinces
    if remote:
        out.append(Finding("address", "address.remote", "warn", {"province": province.name}))
    deepest = district or city
    normalised = Normalised(province.name, city.name, district.name if district else None,
                            detail, deepest.code, remote)
    return out, normalised


def _has_districts(city: divisions.Division) -> bool:
    return any(c.name not in ("市辖区",) for c in city.children.values())


@cache
def _territories() -> frozenset[str]:
    names = (str(k) for k in Locale("en").territories)
    return frozenset(k for k in names if len(k) == 2 and k.isalpha())


def international_address(o: OrderFacts) -> list[Finding]:
    out = []
    if o.country not in _territories():
        return [Finding("address", "address.country", "block", {"country": o.country})]
    if not (o.city or "").strip():
        out.append(Finding("address", "address.city_missing", "block"))
    if o.country in STATE_REQUIRED and not (o.province or "").strip():
        out.append(Finding("address", "address.state_missing", "block", {"country": o.country}))
    postal = (o.postal_code or "").strip().upper()
    pattern = _FINDERS.get(o.country)
    if pattern and not postal:
        out.append(Finding("address", "address.postal_missing", "block", {"country": o.country}))
    elif pattern and not pattern.match(postal):
        out.append(Finding("address", "address.postal_code", "block",
                           {"postal_code": postal, "country": o.country}))
    if len(o.detail.strip()) < 4:
        out.append(Finding("address", "address.detail_short", "block", {"detail": o.detail}))
    return out


def phone_findings(o: OrderFacts, cfg: ReviewConfig) -> list[Finding]:
    phone = (o.recipient_phone or "").split(";")[0].strip()
    if not phone or o.pii_masked or "*" in phone:
        return []
    kind = _phone_kind(phone, o.country)
    if kind == "invalid":
        return [Finding("address", "address.phone_invalid", "block",
                        {"phone": phone, "country": o.country})]
    if kind == "fixed" and o.wants_sms and cfg.sms_needs_mobile:
        return [Finding("address", "address.phone_not_mobile", "warn", {"phone": phone})]
    return []


@lru_cache(maxsize=8192)  # bounded: a server sees endless distinct numbers
def _phone_kind(phone: str, country: str) -> str:
    try:
        parsed = phonenumbers.parse(phone, country or "CN")
    except phonenumbers.NumberParseException:
        return "invalid"
    if not phonenumbers.is_valid_number(parsed):
        return "invalid"
    kind = phonenumbers.number_type(parsed)
    return "mobile" if kind in _MOBILE else "fixed"


_MOBILE = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


# --- duplicates and conflicts -----------------------------------------------


def address_key(country: str, province: str | None, city: str | None, district: str | None,
                detail: str) -> str:
    """Addresses compare equal across spacing, case and full-width digits."""
    text = "|".join([country, province or "", city or "", district or "", detail])
    return "".join(text.lower().split()).translate(_FULLWIDTH)


_FULLWIDTH = str.maketrans("０１２３４５６７８９－＃", "0123456789-#")


def items_key(lines: tuple[tuple[str, int], ...] | list[tuple[str, int]]) -> str:
    return ",".join(f"{sku}x{qty}" for sku, qty in sorted(lines) if qty > 0)


def duplicates(o: OrderFacts, cfg: ReviewConfig) -> list[Finding]:
    out = []
    mine_address = address_key(o.country, o.province, o.city, o.district, o.detail)
    mine_items = items_key([(line.sku, line.quantity) for line in o.lines])
    window = cfg.duplicate_window_hours * 3600
    twins = [n for n in o.neighbours
             if n.address_key == mine_address and n.items_key == mine_items
             and abs((n.placed_at - o.placed_at).total_seconds()) <= window]
    if twins:
        by_customer = any(n.same_customer for n in twins)
        out.append(Finding("duplicates", "dup.likely", "block", {
            "others": ", ".join(sorted(n.number for n in twins)),
            "by": "customer" if by_customer else "phone",
            "by_zh": "同一客户" if by_customer else "同一电话",
            "hours": cfg.duplicate_window_hours}))
    for line in o.lines:
        stock = o.stock.get(line.sku)
        if stock is None or line.unreserved <= 0:
            continue
        demand = line.unreserved + stock.other_demand
        if demand > stock.available:
            out.append(Finding("duplicates", "dup.stock_conflict", "block", {
                "sku": line.sku, "demand": demand, "orders": stock.other_orders + 1,
                "available": stock.available}))
    if o.reservation_failed:
        out.append(Finding("duplicates", "dup.reservation_failed", "block",
                           {"detail": o.reservation_failed}))
    return out


# --- risk and remarks ---------------------------------------------------------


def risk(o: OrderFacts, cfg: ReviewConfig) -> list[Finding]:
    out = []
    cur = o.currency
    if o.total_minor >= cfg.high_value_minor:
        out.append(Finding("risk", "risk.high_value", "warn", {
            "total": _m(o.total_minor, cur), "currency": cur,
            "limit": _m(cfg.high_value_minor, cur)}))
    elif o.previous_orders == 0 and o.total_minor >= cfg.first_order_high_value_minor:
        out.append(Finding("risk", "risk.first_order_high_value", "warn", {
            "total": _m(o.total_minor, cur), "currency": cur,
            "limit": _m(cfg.first_order_high_value_minor, cur)}))
    remarks = (("buyer", "买家", o.buyer_remark), ("seller", "卖家", o.seller_remark))
    for who, who_zh, remark in remarks:
        word = remark_word(remark, tuple(cfg.remark_keywords))
        if word:
            out.append(Finding("risk", "risk.remark", "warn", {
                "who": who, "who_zh": who_zh, "word": word, "remark": (remark or "")[:120]}))
    return out


@cache
def _keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern[str] | None:
    if not keywords:
        return None
    return re.compile("|".join(re.escape(k) for k in sorted(keywords, key=len, reverse=True)),
                      re.IGNORECASE)


def remark_word(remark: str | None, keywords: tuple[str, ...]) -> str | None:
    pattern = _keyword_pattern(keywords)
    if not remark or pattern is None:
        return None
    match = pattern.search(remark)
    return match.group(0) if match else None


# --- the whole review ----------------------------------------------------------


def review(o: OrderFacts, cfg: ReviewConfig) -> Verdict:
    """Run every enabled rule family; the verdict is the worst outcome found."""
    findings: list[Finding] = []
    rules: dict[str, Outcome] = {}
    normalised = None
    for rule in ("completeness", "validity", "address", "duplicates", "risk"):
        if rule in cfg.disabled_rules:
            continue
        if rule == "address":
            found, normalised = address(o, cfg)
        else:
            found = _FAMILIES[rule](o, cfg)
        found = [_apply_severity(f, cfg) for f in found]
        findings.extend(f for f in found if f.outcome != "pass")
        worst: Outcome = max((f.outcome for f in found), key=ORDER.__getitem__, default="pass")
        rules[rule] = worst
    outcome: Outcome = max(rules.values(), key=ORDER.__getitem__, default="pass")
    return Verdict(outcome, tuple(findings), rules, normalised)


def _apply_severity(f: Finding, cfg: ReviewConfig) -> Finding:
    wanted = cfg.severity.get(f.code)
    if wanted is None or wanted == f.outcome:
        return f
    return Finding(f.rule, f.code, wanted, f.params)


_FAMILIES = {"completeness": completeness, "validity": validity, "duplicates": duplicates,
             "risk": risk}
