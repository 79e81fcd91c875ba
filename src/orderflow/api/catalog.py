"""/api/v1/skus and /api/v1/stock."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.exc import IntegrityError

from orderflow.api.deps import DbDep, require
from orderflow.auth.service import TokenIdentity
from orderflow.catalog import service as catalog
from orderflow.catalog.schemas import SkuIn, SkuOut, StockOut, StockSetIn
from orderflow.errors import Conflict, FieldProblem, NotFound
from orderflow.inventory import queries as stock_queries
from orderflow.inventory import service as inventory

router = APIRouter(prefix="/api/v1", tags=["catalog"])


@router.get("/skus", response_model=list[SkuOut])
def list_skus(
    _t: Annotated[TokenIdentity, Depends(require("catalog:read"))], db: DbDep
) -> list[SkuOut]:
    return catalog.list_skus(db)


@router.post("/skus", status_code=201, response_model=SkuOut)
def create_sku(
    body: SkuIn, _t: Annotated[TokenIdentity, Depends(require("catalog:write"))], db: DbDep
) -> SkuOut:
    return catalog.create_sku(db, body)


@router.get("/stock", response_model=list[StockOut])
def list_stock(
    _t: Annotated[TokenIdentity, Depends(require("stock:read"))], db: DbDep, sku: str | None = None
) -> list[StockOut]:
    with db.read() as s:
        return stock_queries.stock_levels(s, sku)


@router.put("/stock/{sku}", response_model=list[StockOut])
def set_stock(
    sku: str,
    body: StockSetIn,
    _t: Annotated[TokenIdentity, Depends(require("stock:write"))],
    db: DbDep,
) -> list[StockOut]:
    """Set the counted on-hand quantity; refused if less than is reserved and allocated."""
    try:
        with db.transaction() as s:
            found = catalog.get_sku(s, sku)
            warehouse = stock_queries.get_warehouse(s, body.warehouse)
            if warehouse is None:
                raise NotFound(
                    f"no warehouse {body.warehouse}",
                    code="warehouse.not_found",
                    fields=[FieldProblem("warehouse", "warehouse.not_found", "unknown")],
                )
            inventory.set_on_hand(s, found.id, warehouse.id, body.on_hand)
    except IntegrityError as exc:
        raise Conflict(
            "on_hand would be less than the stock already held for orders",
            code="stock.below_held",
            fields=[
                FieldProblem(
                    "on_hand", "stock.below_held", "less than reserved + allocated + damaged"
                )
            ],
        ) from exc
    with db.read() as s:
        return stock_queries.stock_levels(s, sku)
