"""Finding 13: NUL, ANSI escapes, C0/C1 controls, CR/LF in single-line fields and bidi
overrides (U+202E…) are refused in names and addresses on every intake path (API,
import, channels, address changes; the console's form posts to the same use case), with
a clear field error; in free text (remarks) they are stripped."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from orderflow import text
from orderflow.app import create_app
from orderflow.channels import service as channels
from orderflow.channels.models import ChannelDelivery
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.intake import importer
from orderflow.orders import placement
from orderflow.orders.lifecycle import Actor
from orderflow.orders.models import Order
from tests.builders.orders import make_catalog, make_token, order_body
from tests.channels.helpers import dumps, make_channel_catalog, make_shops, woo_headers, woo_order
from tests.intake.helpers import csv_bytes, row

BAD = {"NUL": "张\x00三", "ANSI": "\x1b[31m张三\x1b[0m", "CR/LF": "张三\r\nX-Injected: 1",
       "RLO": "张三\u202egpj.exe", "C1": "张三\x9b31m", "DEL": "张三\x7f"}


@pytest.fixture
def api(db: Db, settings: Settings) -> TestClient:
    make_catalog(db)
    client = TestClient(create_app(db, settings))
    client.headers["Authorization"] = f"Bearer {make_token(db)}"
    return client


def _orders(db: Db) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(Order)) or 0)


@pytest.mark.parametrize("kind", list(BAD))
def test_the_api_refuses_control_characters_in_names_and_addresses(
        api: TestClient, db: Db, kind: str) -> None:
    body = order_body()
    body["customer"]["name"] = BAD[kind]
    body["shipping_address"]["detail"] = "文三路" + BAD[kind]

    r = api.post("/api/v1/orders", json=body)

    assert r.status_code == 422, r.text
    problems = {(e["field"], e["code"]) for e in r.json()["errors"]}
    assert ("customer.name", "text.control_character") in problems
    assert ("shipping_address.detail", "text.control_character") in problems
    assert _orders(db) == 0


def test_remarks_are_free_text_and_lose_their_control_characters(api: TestClient,
                                                                 db: Db) -> None:
    r = api.post("/api/v1/orders", json=order_body(
        buyer_remark="请\x1b[2J周末\u202e送达\r\n谢谢\x00"))

    assert r.status_code == 201, r.text
    with db.read() as s:
        remark = s.scalars(select(Order.buyer_remark)).one()
    assert remark == "请[2J周末送达\n谢谢"
    assert text.first_unsafe(remark.replace("\n", "")) is None


def test_an_address_change_refuses_them_too(api: TestClient) -> None:
    number = api.post("/api/v1/orders", json=order_body()).json()["number"]

    r = api.post(f"/api/v1/orders/{number}/address",
                 json={"recipient_name": BAD["RLO"], "city": "杭州\n市", "reason": "客户来电"})

    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} >= {"recipient_name", "city"}


def test_the_importer_refuses_them_with_the_line_and_column(db: Db, settings: Settings) -> None:
    make_catalog(db)
    data = csv_bytes([row("C1", customer_name=BAD["ANSI"]), row("C2")])

    report = importer.import_orders(db, io.BytesIO(data), filename="o.csv",
                                    actor=Actor("staff", "t"), settings=settings)

    assert [(e.line, e.code) for e in report.errors] == [(2, "text.control_character")]
    assert len(report.imported) == 1


def test_a_channel_order_with_them_is_kept_as_failed(db: Db, settings: Settings) -> None:
    channels.forget_shops()
    placement.forget_skus()
    make_channel_catalog(db)
    make_shops(db)
    data = woo_order("727-processing")
    data["shipping"]["first_name"] = "\u202eJohn"
    body = dumps(data)

    with TestClient(create_app(db, settings)) as client:
        r = client.post("/api/hooks/woo-shop", content=body, headers=woo_headers(body))

    assert r.json()["state"] == "failed"
    with db.read() as s:
        problems = s.get_one(ChannelDelivery, r.json()["delivery_id"]).problems
    assert [p["code"] for p in problems] == ["text.control_character"]
    assert _orders(db) == 0
