"""/api/v1/warehouses: set up, edit, retire and list warehouses, and their bins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from orderflow.api.deps import DbDep, require
from orderflow.auth.service import TokenIdentity
from orderflow.fulfilment import stock
from orderflow.inventory import warehouses
from orderflow.inventory.warehouses import WarehouseChanges, WarehouseIn, WarehouseOut

router = APIRouter(prefix="/api/v1/warehouses", tags=["set-up"])

Reader = Annotated[TokenIdentity, Depends(require("stock:read"))]
Writer = Annotated[TokenIdentity, Depends(require("stock:write"))]


class BinIn(BaseModel):
    code: Annotated[str, Field(min_length=1, max_length=32)]


@router.get("", response_model=list[WarehouseOut])
def list_warehouses(_t: Reader, db: DbDep, include_retired: bool = True) -> list[WarehouseOut]:
    return warehouses.list_warehouses(db, include_retired=include_retired)


@router.post("", status_code=201, response_model=WarehouseOut,
             responses={409: {"description": "The code is taken"}})
def create_warehouse(body: WarehouseIn, _t: Writer, db: DbDep, response: Response
                     ) -> WarehouseOut:
    created = warehouses.create_warehouse(db, body)
    response.headers["Location"] = f"/api/v1/warehouses/{created.code}"
    return created


@router.get("/{code}", response_model=WarehouseOut)
def get_warehouse(code: str, _t: Reader, db: DbDep) -> WarehouseOut:
    with db.read() as s:
        return warehouses.out(warehouses.get(s, code))


@router.patch("/{code}", response_model=WarehouseOut)
def edit_warehouse(code: str, body: WarehouseChanges, _t: Writer, db: DbDep) -> WarehouseOut:
    return warehouses.edit_warehouse(db, code, body)


@router.post("/{code}/retire", response_model=WarehouseOut)
def retire_warehouse(code: str, _t: Writer, db: DbDep) -> WarehouseOut:
    """No new reservations from this warehouse; its stock and history stay."""
    return warehouses.retire_warehouse(db, code)


@router.post("/{code}/reinstate", response_model=WarehouseOut)
def reinstate_warehouse(code: str, _t: Writer, db: DbDep) -> WarehouseOut:
    return warehouses.reinstate_warehouse(db, code)


@router.put("/{code}/bins/{sku}", status_code=204)
def set_bin(code: str, sku: str, body: BinIn, _t: Writer, db: DbDep) -> Response:
    """Where the SKU sits in this warehouse (货位): the pick list walks bins in order."""
    stock.set_bin(db, sku=sku, warehouse=code, code=body.code)
    return Response(status_code=204)
