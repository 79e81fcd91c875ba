"""Pure shipping rules: rate arithmetic (首重 + 续重), cut-off and promise dates, carrier choice.

No I/O: the service layer loads the carrier tables into `Offer`s and the order into a
`Demand`, and stores the `Choice` (with its reason in zh-CN and en) this module returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from orderflow import money

LEVELS = ("standard", "express", "same_day")
LEVEL_NAMES = {
    "standard": {"zh-CN": "标准快递", "en": "standard"},
    "express": {"zh-CN": "特快", "en": "express"},
    "same_day": {"zh-CN": "当日达", "en": "same-day"},
}
DESIGNATORS = ("customer", "staff")


class NoCarrier(ValueError):
    """No active service covers the destination (with COD when the order needs it)."""

    def __init__(self, destination: str, cod: bool):
        self.destination = destination
        self.cod = cod
        need = " with cash on delivery" if cod else ""
        super().__init__(f"no carrier service covers {destination}{need}")


@dataclass(frozen=True, slots=True)
class Rate:
    """As Chinese carriers quote: a price for the first weight, then per started extra unit."""

    first_weight_g: int
    first_minor: int
    extra_unit_g: int
    extra_minor: int


def extra_units(weight_g: int, first_weight_g: int, extra_unit_g: int) -> int:
    """Started extra units beyond the first weight (续重, rounded up to the carrier's unit)."""
    if weight_g < 0:
        raise ValueError("weight must not be negative")
    beyond = max(0, weight_g - first_weight_g)
    return -(-beyond // extra_unit_g)


def billable_weight_g(weight_g: int, first_weight_g: int, extra_unit_g: int) -> int:
    return first_weight_g + extra_units(weight_g, first_weight_g, extra_unit_g) * extra_unit_g


def price_minor(rate: Rate, weight_g: int) -> int:
    units = extra_units(weight_g, rate.first_weight_g, rate.extra_unit_g)
    return rate.first_minor + units * rate.extra_minor


def ship_date(now_local: datetime, cutoff: time) -> date:
    """The day the parcel leaves: today before the carrier's daily cut-off, else tomorrow."""
    today = now_local.date()
    return today if now_local.time() < cutoff else today + timedelta(days=1)


def delivery_date(shipped: date, transit_days: int) -> date:
    return shipped + timedelta(days=transit_days)


def cutoff_of(minute: int) -> time:
    return time(minute // 60, minute % 60)


@dataclass(frozen=True, slots=True)
class Offer:
    """One active service that covers the destination, with that zone's rate and transit time."""

    carrier_code: str
    carrier_name_zh: str
    carrier_name_en: str
    level: str
    rate: Rate
    transit_days: int
    cutoff: time
    cod_supported: bool = False
    currency: str = "CNY"
    zone: int = 1


@dataclass(frozen=True, slots=True)
class Demand:
    destination: str  # province (CN) or ISO country
    weight_g: int
    now_local: datetime
    cod: bool = False
    expedited: bool = False
    promise_by: date | None = None
    designated_carrier: str | None = None
    designated_service: str | None = None
    designated_by: str | None = None  # customer | staff


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    params: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # extra codes: "designated_uncovered", "cod_only"


@dataclass(frozen=True, slots=True)
class Choice:
    offer: Offer
    quote_minor: int
    ship_date: date
    estimated_delivery: date
    late: bool
    reason: Reason

    @property
    def carrier_code(self) -> str:
        return self.offer.carrier_code

    @property
    def level(self) -> str:
        return self.offer.level


def _choice(offer: Offer, demand: Demand, reason_code: str, notes: tuple[str, ...]) -> Choice:
    leaves = ship_date(demand.now_local, offer.cutoff)
    eta = delivery_date(leaves, offer.transit_days)
    quote = price_minor(offer.rate, demand.weight_g)
    late = demand.promise_by is not None and eta > demand.promise_by
    params = {
        "carrier_zh": offer.carrier_name_zh,
        "carrier_en": offer.carrier_name_en,
        "level": offer.level,
        "destination": demand.destination,
        "quote": money.to_str(quote, offer.currency),
        "currency": offer.currency,
        "eta": eta.isoformat(),
        "days": str(offer.transit_days),
        "promise": demand.promise_by.isoformat() if demand.promise_by else "",
        "by": demand.designated_by or "",
        "wanted": demand.designated_carrier or "",
    }
    return Choice(offer, quote, leaves, eta, late, Reason(reason_code, params, notes))


def _eta(offer: Offer, demand: Demand) -> date:
    return delivery_date(ship_date(demand.now_local, offer.cutoff), offer.transit_days)


def _fastest_key(offer: Offer, demand: Demand) -> tuple[date, int, int, str, str]:
    price = price_minor(offer.rate, demand.weight_g)
    return (_eta(offer, demand), offer.transit_days, price, offer.carrier_code, offer.level)


def _cheapest_key(offer: Offer, demand: Demand) -> tuple[int, date, str, str]:
    price = price_minor(offer.rate, demand.weight_g)
    return (price, _eta(offer, demand), offer.carrier_code, offer.level)


def _designated(offers: Sequence[Offer], demand: Demand) -> list[Offer]:
    wanted = (demand.designated_carrier or "").upper()
    mine = [o for o in offers if o.carrier_code.upper() == wanted]
    if demand.designated_service:
        mine = [o for o in mine if o.level == demand.designated_service] or mine
    return mine


def select(offers: Sequence[Offer], demand: Demand) -> Choice:
    """Designated carrier wins; expedited gets the fastest; else the cheapest that is on time.

    `offers` are the services that cover `demand.destination`. When no service meets the
    promised date, the fastest one is chosen and the choice is marked late.
    """
    notes: tuple[str, ...] = ()
    usable = [o for o in offers if o.cod_supported or not demand.cod]
    if demand.cod:
        notes += ("cod_only",)
    if not usable:
        raise NoCarrier(demand.destination, demand.cod)
    if demand.designated_carrier:
        mine = _designated(usable, demand)
        if mine:
            if demand.expedited:
                best = min(mine, key=lambda o: _fastest_key(o, demand))
            else:
                best = min(mine, key=lambda o: _cheapest_key(o, demand))
            return _choice(best, demand, "designated", notes)
        notes += ("designated_uncovered",)
    if demand.expedited:
        best = min(usable, key=lambda o: _fastest_key(o, demand))
        return _choice(best, demand, "expedited_fastest", notes)
    if demand.promise_by is None:
        best = min(usable, key=lambda o: _cheapest_key(o, demand))
        return _choice(best, demand, "cheapest", notes)
    on_time = [o for o in usable if _eta(o, demand) <= demand.promise_by]
    if on_time:
        best = min(on_time, key=lambda o: _cheapest_key(o, demand))
        return _choice(best, demand, "cheapest_on_time", notes)
    best = min(usable, key=lambda o: _fastest_key(o, demand))
    return _choice(best, demand, "late_fastest", notes)


# --------------------------------------------------------------------------- reasons

_REASONS = {
    "designated": {
        "zh-CN": "{by_zh}指定{carrier_zh}（{level_zh}），运费 {quote} {currency}，预计 {eta} 送达",
        "en": "{carrier_en} ({level_en}) designated by the {by_en}; {quote} {currency}, "
        "estimated delivery {eta}",
    },
    "expedited_fastest": {
        "zh-CN": "加急订单：送达{destination}最快的服务是{carrier_zh}（{level_zh}，{days} 天），"
        "预计 {eta} 送达，运费 {quote} {currency}",
        "en": "Expedited order: {carrier_en} ({level_en}, {days} days) is the fastest to "
        "{destination}, estimated delivery {eta}, {quote} {currency}",
    },
    "cheapest": {
        "zh-CN": "送达{destination}最便宜的服务：{carrier_zh}（{level_zh}），"
        "运费 {quote} {currency}，预计 {eta} 送达",
        "en": "Cheapest service to {destination}: {carrier_en} ({level_en}), {quote} {currency}, "
        "estimated delivery {eta}",
    },
    "cheapest_on_time": {
        "zh-CN": "承诺 {promise} 前送达{destination}的服务中最便宜：{carrier_zh}（{level_zh}），"
        "运费 {quote} {currency}，预计 {eta} 送达",
        "en": "Cheapest service that reaches {destination} by the promised {promise}: "
        "{carrier_en} ({level_en}), {quote} {currency}, estimated delivery {eta}",
    },
    "late_fastest": {
        "zh-CN": "没有服务能在承诺的 {promise} 前送达{destination}，已选最快的{carrier_zh}"
        "（{level_zh}），预计 {eta} 送达，运费 {quote} {currency}",
        "en": "No service reaches {destination} by the promised {promise}; chose the fastest, "
        "{carrier_en} ({level_en}), estimated delivery {eta}, {quote} {currency}",
    },
}
_NOTES = {
    "designated_uncovered": {
        "zh-CN": "指定的承运商 {wanted} 不覆盖{destination}或不可用，已按规则改选。",
        "en": "The designated carrier {wanted} does not cover {destination} or is unavailable; "
        "chosen by the rules instead.",
    },
    "cod_only": {
        "zh-CN": "货到付款：只考虑支持代收货款的承运商。",
        "en": "Cash on delivery: only carriers that collect payment were considered.",
    },
}
_BY = {"customer": {"zh-CN": "客户", "en": "customer"}, "staff": {"zh-CN": "客服", "en": "staff"}}


def reason_text(reason: Reason, language: str) -> str:
    """The human-readable reason, in "zh-CN" or "en"."""
    lang = "zh-CN" if language.startswith("zh") else "en"
    p = dict(reason.params)
    level = LEVEL_NAMES.get(p.get("level", ""), {"zh-CN": p.get("level", ""), "en": ""})
    by = _BY.get(p.get("by", ""), {"zh-CN": "", "en": p.get("by", "")})
    p |= {"level_zh": level["zh-CN"], "level_en": level["en"], "by_zh": by["zh-CN"],
          "by_en": by["en"]}
    parts = [_REASONS[reason.code][lang].format(**p)]
    parts += [_NOTES[n][lang].format(**p) for n in reason.notes]
    return ("" if lang == "zh-CN" else " ").join(
        part if lang == "zh-CN" or part.endswith(".") else part + "." for part in parts
    )
