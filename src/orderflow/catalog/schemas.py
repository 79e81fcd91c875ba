from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from orderflow.vocab import Amount, MoneyText


class SkuIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    name_en: Annotated[str, Field(max_length=200)] | None = None
    category: Annotated[str, Field(min_length=1, max_length=80)] = "general"
    barcode: (
        Annotated[str, Field(min_length=4, max_length=64, pattern=r"^[0-9A-Za-z-]+$")] | None
    ) = None
    weight_g: Annotated[int, Field(strict=True, ge=0, le=1_000_000)]
    price: Amount
    currency: Annotated[str, Field(min_length=3, max_length=3)] = "CNY"


class SkuOut(BaseModel):
    code: str
    name: str
    name_en: str | None
    category: str
    barcode: str | None
    weight_g: int
    price: MoneyText
    currency: str
    active: bool


class StockOut(BaseModel):
    sku: str
    warehouse: str
    on_hand: int
    reserved: int
    allocated: int
    damaged: int
    available: int


class StockSetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    warehouse: Annotated[str, Field(min_length=1, max_length=32)]
    on_hand: Annotated[int, Field(strict=True, ge=0, le=100_000_000)]
