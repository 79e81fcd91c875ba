"""Warehouses set up through the interfaces (API, CLI, console): code, name, address,
the sender contact printed on labels shipped from there, coordinates, the daily cut-off;
edited, retired (no new reservations) and listed. The same use cases behind each entry
point."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from orderflow.db import Db
from orderflow.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from orderflow.inventory.models import Warehouse

_CUTOFF = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
Short = Annotated[str, Field(max_length=64)]


class WarehouseChanges(BaseModel):
    """What an edit may change (every field optional)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    province: Short | None = None
    city: Short | None = None
    district: Short | None = None
    address: Annotated[str, Field(max_length=300)] | None = None
    contact_name: Annotated[str, Field(max_length=120)] | None = None
    contact_phone: Annotated[str, Field(max_length=40)] | None = None
    latitude: Annotated[float, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[float, Field(ge=-180, le=180)] | None = None
    cutoff: Annotated[str, Field(pattern=_CUTOFF.pattern,
                                 description="Daily cut-off, HH:MM local time")] | None = None
    priority: Annotated[int, Field(ge=1, le=10_000)] | None = None


class WarehouseIn(WarehouseChanges):
    code: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.-]+$")]
    name: Annotated[str, Field(min_length=1, max_length=120)]  # type: ignore[assignment]


class WarehouseOut(BaseModel):
    code: str
    name: str
    province: str | None
    city: str | None
    district: str | None
    address: str | None
    contact_name: str | None
    contact_phone: str | None
    latitude: float | None
    longitude: float | None
    cutoff: str | None
    priority: int
    active: bool


def parse(model: type[BaseModel], data: dict[str, Any]) -> Any:
    """A body from a form or the command line, with problems by field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed([
            FieldProblem(".".join(str(p) for p in err["loc"]) or "body",
                         f"invalid.{err['type']}", err["msg"])
            for err in exc.errors(include_url=False)]) from exc


def _minutes(cutoff: str | None) -> int | None:
    if cutoff is None:
        return None
    hours, minutes = cutoff.split(":")
    return int(hours) * 60 + int(minutes)


def out(w: Warehouse) -> WarehouseOut:
    cutoff = None if w.cutoff_minute is None else f"{w.cutoff_minute // 60:02d}:" \
        f"{w.cutoff_minute % 60:02d}"
    return WarehouseOut(code=w.code, name=w.name, province=w.province, city=w.city,
                        district=w.district, address=w.address, contact_name=w.contact_name,
                        contact_phone=w.contact_phone, latitude=w.latitude,
                        longitude=w.longitude, cutoff=cutoff, priority=w.priority,
                        active=w.active)


def _check(values: dict[str, Any]) -> None:
    if (values.get("latitude") is None) != (values.get("longitude") is None):
        field = "longitude" if values.get("longitude") is None else "latitude"
        raise ValidationFailed([FieldProblem(field, "warehouse.coordinates",
                                             "give both latitude and longitude")])


def get(s: Session, code: str) -> Warehouse:
    found = s.scalar(select(Warehouse).where(Warehouse.code == code))
    if found is None:
        raise NotFound(f"no warehouse {code!r}", code="warehouse.not_found",
                       fields=[FieldProblem("code", "warehouse.not_found", "no such warehouse")])
    return found


def create_warehouse(db: Db, body: WarehouseIn) -> WarehouseOut:
    values = body.model_dump(exclude={"cutoff"})
    _check(values)
    values["priority"] = body.priority or 100
    try:
        with db.transaction() as s:
            if s.scalar(select(Warehouse.id).where(Warehouse.code == body.code)) is not None:
                raise _exists(body.code)
            w = Warehouse(**values, cutoff_minute=_minutes(body.cutoff), active=True)
            s.add(w)
            s.flush()
            return out(w)
    except IntegrityError as exc:  # a racing create with the same code
        raise _exists(body.code) from exc


def _exists(code: str) -> Conflict:
    return Conflict(f"warehouse {code!r} exists", code="warehouse.exists",
                    fields=[FieldProblem("code", "warehouse.exists", "this code is taken")])


def edit_warehouse(db: Db, code: str, changes: WarehouseChanges) -> WarehouseOut:
    given = changes.model_dump(exclude_unset=True)
    with db.transaction() as s:
        w = get(s, code)
        if "cutoff" in given:
            w.cutoff_minute = _minutes(given.pop("cutoff"))
        for name, value in given.items():
            setattr(w, name, value)
        _check({"latitude": w.latitude, "longitude": w.longitude})
        return out(w)


def retire_warehouse(db: Db, code: str) -> WarehouseOut:
    """No new reservations from it; what it holds stays visible (and can be shipped)."""
    with db.transaction() as s:
        w = get(s, code)
        w.active = False
        return out(w)


def reinstate_warehouse(db: Db, code: str) -> WarehouseOut:
    with db.transaction() as s:
        w = get(s, code)
        w.active = True
        return out(w)


def list_warehouses(db: Db, *, include_retired: bool = True) -> list[WarehouseOut]:
    with db.read() as s:
        query = select(Warehouse).order_by(Warehouse.priority, Warehouse.code)
        if not include_retired:
            query = query.where(Warehouse.active.is_(True))
        return [out(w) for w in s.scalars(query)]
