"""DEMO carrier tables shaped like SF Express, ZTO, YTO, JD Logistics, China Post/EMS and an
international express carrier (DHL-shaped). The rates are invented for the demo — NOT the
carriers' prices — and every carrier is flagged `demo_rates` so the console says so.

Zones are counted from the ship-from province: Shanghai (江浙沪皖 = zone 1) and Guangdong
(华南 = zone 1), the two demo warehouses; the international carrier's zones hold from anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from orderflow.shipping.models import (
    AdapterKind,
    Carrier,
    CarrierService,
    ServiceCoverage,
    ServiceLevel,
    ZoneRate,
)

ZONES: dict[int, tuple[str, ...]] = {
    1: ("上海市", "江苏省", "浙江省", "安徽省"),
    2: ("北京市", "天津市", "河北省", "山西省", "山东省", "河南省", "湖北省", "湖南省",
        "江西省", "福建省", "广东省"),
    3: ("广西壮族自治区", "海南省", "重庆市", "四川省", "贵州省", "云南省", "陕西省", "甘肃省",
        "宁夏回族自治区", "青海省", "辽宁省", "吉林省", "黑龙江省", "内蒙古自治区"),
    4: ("新疆维吾尔自治区", "西藏自治区"),
}
GUANGDONG_ZONES: dict[int, tuple[str, ...]] = {
    1: ("广东省", "广西壮族自治区", "海南省", "福建省"),
    2: ("湖南省", "湖北省", "江西省", "上海市", "江苏省", "浙江省", "安徽省", "重庆市", "四川省",
        "贵州省", "云南省"),
    3: ("北京市", "天津市", "河北省", "山西省", "山东省", "河南省", "陕西省", "甘肃省",
        "宁夏回族自治区", "青海省", "辽宁省", "吉林省", "黑龙江省", "内蒙古自治区"),
    4: ("新疆维吾尔自治区", "西藏自治区"),
}
Cover = dict[str, dict[int, tuple[str, ...]]]  # origin province ("*" = any) -> zone -> where
DOMESTIC: Cover = {"上海市": ZONES, "广东省": GUANGDONG_ZONES}
SAME_DAY: Cover = {"上海市": {1: ("上海市", "江苏省", "浙江省")}, "广东省": {1: ("广东省",)}}
ABROAD: Cover = {"*": {1: ("HK", "MO", "TW", "JP", "KR", "SG"),
                       2: ("US", "DE", "GB", "FR", "AU", "CA")}}


@dataclass(frozen=True)
class Svc:
    level: ServiceLevel
    name_zh: str
    name_en: str
    first_g: int
    unit_g: int
    cutoff: str  # HH:MM China time
    # zone -> (first yuan fen, extra fen per unit, transit days)
    zones: dict[int, tuple[int, int, int]]
    cover: Cover | None = None


@dataclass(frozen=True)
class Spec:
    code: str
    name_zh: str
    name_en: str
    tracking_code: str
    cod: bool
    services: tuple[Svc, ...]
    international: bool = False


S, E, D = ServiceLevel.STANDARD, ServiceLevel.EXPRESS, ServiceLevel.SAME_DAY
DEMO_CARRIERS: tuple[Spec, ...] = (
    Spec("SF", "顺丰速运", "SF Express", "sf", True, (
        Svc(S, "顺丰标快", "SF Standard", 1000, 1000, "18:00",
            {1: (1000, 200, 2), 2: (1400, 400, 3), 3: (1800, 600, 4), 4: (2200, 1000, 5)}),
        Svc(E, "顺丰特快", "SF Express Priority", 1000, 500, "18:00",
            {1: (1300, 200, 1), 2: (2000, 400, 1), 3: (2300, 600, 2), 4: (2800, 900, 3)}),
        Svc(D, "顺丰同城当日达", "SF Same Day", 1000, 1000, "11:00",
            {1: (2600, 500, 0)}, SAME_DAY),
    )),
    Spec("ZTO", "中通快递", "ZTO Express", "zto", False, (
        Svc(S, "中通标准快递", "ZTO Standard", 1000, 1000, "17:00",
            {1: (500, 100, 2), 2: (600, 200, 3), 3: (800, 400, 4), 4: (1500, 1000, 6)}),
    )),
    Spec("YTO", "圆通速递", "YTO Express", "yto", False, (
        Svc(S, "圆通标准快递", "YTO Standard", 1000, 1000, "16:30",
            {1: (450, 100, 2), 2: (650, 200, 3), 3: (800, 350, 5), 4: (1400, 900, 7)}),
    )),
    Spec("JD", "京东物流", "JD Logistics", "jd", True, (
        Svc(S, "京东特惠送", "JD Standard", 1000, 1000, "20:00",
            {1: (900, 200, 1), 2: (1200, 400, 2), 3: (1500, 600, 3), 4: (2000, 1200, 4)}),
        Svc(E, "京东特快送", "JD Express", 1000, 1000, "20:00",
            {1: (1200, 300, 1), 2: (1600, 500, 1), 3: (2000, 700, 2), 4: (2500, 1300, 3)}),
    )),
    Spec("EMS", "中国邮政/EMS", "China Post / EMS", "ems", True, (
        Svc(S, "邮政快递包裹", "China Post Parcel", 1000, 1000, "16:00",
            {1: (800, 200, 3), 2: (1000, 300, 4), 3: (1200, 400, 5), 4: (1400, 500, 6)}),
        Svc(E, "EMS 标准快递", "EMS Express", 500, 500, "16:00",
            {1: (1800, 500, 2), 2: (2000, 600, 3), 3: (2200, 800, 3), 4: (2500, 1000, 4)}),
    )),
    Spec("DHL", "DHL 国际快递", "DHL Express (international)", "dhl", False, (
        Svc(E, "DHL 国际特快", "DHL Express Worldwide", 500, 500, "15:00",
            {1: (12000, 3000, 3), 2: (22000, 5500, 4)}, ABROAD),
    ), international=True),
)


def _minute(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _add_service(s: Session, carrier: Carrier, svc: Svc) -> None:
    row = CarrierService(carrier_id=carrier.id, level=svc.level, name_zh=svc.name_zh,
                         name_en=svc.name_en, first_weight_g=svc.first_g,
                         extra_unit_g=svc.unit_g, cutoff_minute=_minute(svc.cutoff), active=True)
    s.add(row)
    s.flush()
    for zone, (first, extra, days) in svc.zones.items():
        s.add(ZoneRate(service_id=row.id, zone=zone, first_minor=first, extra_minor=extra,
                       transit_days=days))
    for origin, zones in (svc.cover or DOMESTIC).items():
        for zone, destinations in zones.items():
            s.add_all(ServiceCoverage(service_id=row.id, origin=origin, destination=d, zone=zone)
                      for d in destinations)


def install_demo_carriers(s: Session, *, adapter: AdapterKind = AdapterKind.SIMULATED) -> int:
    """Add the demo carriers that are not there yet; returns how many were added."""
    existing = set(s.scalars(select(Carrier.code)))
    added = 0
    for spec in DEMO_CARRIERS:
        if spec.code in existing:
            continue
        carrier = Carrier(code=spec.code, name_zh=spec.name_zh, name_en=spec.name_en,
                          adapter=adapter, tracking_code=spec.tracking_code,
                          cod_supported=spec.cod, international=spec.international,
                          demo_rates=True, active=True, currency="CNY")
        s.add(carrier)
        s.flush()
        for svc in spec.services:
            _add_service(s, carrier, svc)
        added += 1
    s.flush()
    return added
