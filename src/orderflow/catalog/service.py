"""Catalog use cases: create and list SKUs."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from orderflow import clock, money
from orderflow.catalog.models import Product, Sku
from orderflow.catalog.schemas import SkuIn, SkuOut
from orderflow.db import Db
from orderflow.errors import Conflict, FieldProblem, NotFound, ValidationFailed


def sku_view(sku: Sku, category: str) -> SkuOut:
    return SkuOut(
        code=sku.code,
        name=sku.name,
        name_en=sku.name_en,
        category=category,
        barcode=sku.barcode,
        weight_g=sku.weight_g,
        price=money.to_str(sku.price_minor, sku.currency),
        currency=sku.currency,
        active=sku.active,
    )


def add_sku(s: Session, cmd: SkuIn) -> Sku:
    """A step (the demo loads many in one transaction)."""
    try:
        currency = money.check_currency(cmd.currency)
        price = money.to_minor(cmd.price, currency)
    except money.MoneyError as exc:
        raise ValidationFailed([FieldProblem("price", "money.invalid", str(exc))]) from exc
    if s.scalar(select(Sku.id).where(Sku.code == cmd.code)):
        raise Conflict(
            f"SKU {cmd.code} already exists",
            code="sku.exists",
            fields=[FieldProblem("code", "sku.exists", "already exists")],
        )
    if cmd.barcode and s.scalar(select(Sku.id).where(Sku.barcode == cmd.barcode)):
        raise Conflict(
            f"barcode {cmd.barcode} is already used",
            code="sku.barcode_exists",
            fields=[FieldProblem("barcode", "sku.barcode_exists", "already used")],
        )
    now = clock.utcnow()
    product = Product(name=cmd.name, name_en=cmd.name_en, category=cmd.category, created_at=now)
    s.add(product)
    s.flush()
    sku = Sku(
        code=cmd.code,
        product_id=product.id,
        name=cmd.name,
        name_en=cmd.name_en,
        barcode=cmd.barcode,
        weight_g=cmd.weight_g,
        price_minor=price,
        currency=currency,
        active=True,
        created_at=now,
    )
    s.add(sku)
    s.flush()
    return sku


def create_sku(db: Db, cmd: SkuIn) -> SkuOut:
    with db.transaction() as s:
        return sku_view(add_sku(s, cmd), cmd.category)


def list_skus(db: Db) -> list[SkuOut]:
    with db.read() as s:
        rows = s.execute(select(Sku, Product.category).join(Product).order_by(Sku.code)).all()
        return [sku_view(sku, category) for sku, category in rows]


def get_sku(s: Session, code: str) -> Sku:
    sku = s.scalars(select(Sku).where(Sku.code == code)).first()
    if sku is None:
        raise NotFound(f"no SKU {code}", code="sku.not_found")
    return sku
