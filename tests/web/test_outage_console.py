"""What staff see of a provider outage on the dashboard: the open circuit with the notices
it holds, the backlog and its age, and the alert."""

from __future__ import annotations

from datetime import timedelta

from starlette.testclient import TestClient

from orderflow import clock
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.notify import fanout, service
from tests.builders.orders import Catalog, make_order
from tests.integration.notify.test_circuits import Flaky
from tests.web.helpers import post

SHIPPED = ["paid", "approved", "allocated", "picking", "packed", "shipped"]


def test_the_dashboard_names_the_provider_that_is_down_and_what_it_holds(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    make_order(db, settings, path=SHIPPED, customer={"name": "李娜", "phone": "13800138000"})
    d = service.dispatcher(db, settings, {"sms": Flaky(down=True)})
    fanout.fan_out(db, settings)
    d.run_once()
    clock.advance(timedelta(minutes=3))

    page = client.get("/").text

    assert 'data-circuit="notify:sms"' in page
    assert "sms provider" in page
    assert "notices held, none failed" in page
    assert '<li data-kind="circuit.opened">' in page
    assert "oldest 3 min" in page


def test_the_dashboard_in_chinese_says_the_same(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    make_order(db, settings, path=SHIPPED, customer={"name": "李娜", "phone": "13800138000"})
    d = service.dispatcher(db, settings, {"sms": Flaky(down=True)})
    fanout.fan_out(db, settings)
    d.run_once()

    post(client, "/language", token, language="zh-CN", next="/")
    page = client.get("/").text

    assert "服务商不可用" in page
    assert "待发送" in page
    assert "条通知暂存待发，无一失败" in page
