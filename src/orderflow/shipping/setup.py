"""Carriers and their services set up through the interfaces (API, CLI, console, init):
a carrier with one or more services, each with a flat first-weight / extra-weight price
and transit time for every destination it covers (by default every province of China,
from any warehouse). Zone tables can be refined afterwards (PUT /shipping/rates/{id})."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from orderflow import money
from orderflow.db import Db
from orderflow.errors import Conflict, FieldProblem, ValidationFailed
from orderflow.shipping import service
from orderflow.shipping.models import (
    ANY_ORIGIN,
    AdapterKind,
    Carrier,
    CarrierService,
    ServiceCoverage,
    ServiceLevel,
    ZoneRate,
)
from orderflow.shipping.schemas import CarrierOut

Price = Annotated[str, Field(max_length=12, pattern=r"^\d+(\.\d{1,2})?$")]
CHINA = ("北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省",
         "上海市", "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省",
         "湖南省", "广东省", "广西壮族自治区", "海南省", "重庆市", "四川省", "贵州省", "云南省",
         "西藏自治区", "陕西省", "甘肃省", "青海省", "宁夏回族自治区", "新疆维吾尔自治区")


class NewServiceIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    level: Literal["standard", "express", "same_day"] = "standard"
    name_zh: Annotated[str, Field(min_length=1, max_length=80)] = "标准快递"
    name_en: Annotated[str, Field(min_length=1, max_length=80)] = "Standard"
    first_weight_g: Annotated[int, Field(gt=0, le=100_000)] = 1000
    extra_unit_g: Annotated[int, Field(gt=0, le=100_000)] = 1000
    cutoff: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] = "17:00"
    first: Price = "10.00"
    extra: Price = "2.00"
    transit_days: Annotated[int, Field(ge=0, le=60)] = 2
    destinations: Annotated[list[Annotated[str, Field(max_length=64)]],
                            Field(max_length=300)] = Field(
        default_factory=list, description="Provinces (or ISO countries); empty: all of China")


class NewCarrierIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: Annotated[str, Field(pattern=r"^[A-Z0-9]{2,16}$", description="快递鸟 ShipperCode")]
    name_zh: Annotated[str, Field(min_length=1, max_length=80)]
    name_en: Annotated[str, Field(min_length=1, max_length=80)]
    adapter: Literal["simulated", "http", "manual"] = "manual"
    endpoint_url: Annotated[str, Field(max_length=300, pattern=r"^(https?://\S+)?$")] = ""
    tracking_code: Annotated[str, Field(max_length=32)] | None = None
    cod_supported: bool = False
    currency: Annotated[str, Field(min_length=3, max_length=3)] = "CNY"
    services: Annotated[list[NewServiceIn], Field(min_length=1, max_length=3)] = Field(
        default_factory=lambda: [NewServiceIn()])


def _minor(value: str, field: str, currency: str) -> int:
    try:
        return money.to_minor(value, currency)
    except money.MoneyError as exc:
        raise ValidationFailed([FieldProblem(field, "money.invalid", str(exc))]) from exc


def add_carrier(db: Db, body: NewCarrierIn) -> CarrierOut:
    levels = [svc.level for svc in body.services]
    if len(set(levels)) != len(levels):
        raise ValidationFailed([FieldProblem("services", "carrier.service_repeated",
                                             "one service per level")])
    try:
        with db.transaction() as s:
            if s.scalar(select(Carrier.id).where(Carrier.code == body.code)) is not None:
                raise _exists(body.code)
            carrier = Carrier(code=body.code, name_zh=body.name_zh, name_en=body.name_en,
                              adapter=AdapterKind(body.adapter),
                              tracking_code=body.tracking_code or body.code.lower(),
                              endpoint_url=body.endpoint_url or None,
                              cod_supported=body.cod_supported, international=False,
                              demo_rates=False, active=True, currency=body.currency.upper())
            s.add(carrier)
            s.flush()
            for i, svc in enumerate(body.services):
                _add_service(s, carrier, svc, f"services[{i}]")
            return service.carrier_out(s, carrier)
    except IntegrityError as exc:
        raise _exists(body.code) from exc


def _add_service(s: Session, carrier: Carrier, svc: NewServiceIn, field: str) -> None:
    hours, minutes = svc.cutoff.split(":")
    row = CarrierService(carrier_id=carrier.id, level=ServiceLevel(svc.level),
                         name_zh=svc.name_zh, name_en=svc.name_en,
                         first_weight_g=svc.first_weight_g, extra_unit_g=svc.extra_unit_g,
                         cutoff_minute=int(hours) * 60 + int(minutes), active=True)
    s.add(row)
    s.flush()
    s.add(ZoneRate(service_id=row.id, zone=1,
                   first_minor=_minor(svc.first, f"{field}.first", carrier.currency),
                   extra_minor=_minor(svc.extra, f"{field}.extra", carrier.currency),
                   transit_days=svc.transit_days))
    s.add_all(ServiceCoverage(service_id=row.id, origin=ANY_ORIGIN, destination=d, zone=1)
              for d in dict.fromkeys(svc.destinations or CHINA))


def _exists(code: str) -> Conflict:
    return Conflict(f"carrier {code!r} exists", code="carrier.exists",
                    fields=[FieldProblem("code", "carrier.exists", "this code is taken")])


def retire_carrier(db: Db, code: str) -> CarrierOut:
    """No new orders are given to it; its waybills and tracking stay."""
    with db.transaction() as s:
        carrier = service.get_carrier(s, code)
        carrier.active = False
        return service.carrier_out(s, carrier)
