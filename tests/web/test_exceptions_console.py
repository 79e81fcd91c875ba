"""The exceptions queue, a case page with its actions, the order page's carrier tracking
and carrier performance in the console (both databases)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from orderflow import clock
from orderflow.auth.models import Role
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.logistics import service as logistics
from orderflow.logistics.models import CaseKind, CaseState
from tests.builders.orders import STAFF, Catalog, make_order
from tests.integration.logistics.helpers import carrier_says, cases_of, status_of
from tests.web.helpers import field_errors, login, make_staff, post

pytestmark = pytest.mark.clock  # reads the application's clock (see conftest)

SHIPPED = ["paid", "approved", "allocated", "picking", "packed", "shipped"]


@pytest.fixture
def shipped(db: Db, settings: Settings, catalog: Catalog) -> str:
    return make_order(db, settings, path=SHIPPED)


def queue_rows(html: str) -> list[str]:
    return re.findall(r'<tr data-case="(\d+)"', html)


def test_the_queue_shows_open_cases_by_due_time_with_owner_and_overdue(
        client: TestClient, token: str, db: Db, settings: Settings, shipped: str,
        catalog: Catalog) -> None:
    other = make_order(db, settings, path=SHIPPED)
    lost = logistics.open_case(db, shipped, CaseKind.LOST, actor=STAFF, settings=settings)
    logistics.watch_silent_parcels(db, settings, now=clock.utcnow() + timedelta(hours=49))
    stalled = cases_of(db, other)[0].id
    logistics.assign_case(db, lost, "alice", actor=STAFF)

    page = client.get("/exceptions")
    mine = client.get("/exceptions?owner=me")
    late = client.get("/exceptions?overdue=1")

    assert page.status_code == 200
    assert queue_rows(page.text) == [str(lost), str(stalled)]  # due in 48 h; 49 + 24 h
    assert "Alice Wang" in page.text and "No carrier update" in page.text
    assert queue_rows(mine.text) == [str(lost)]
    assert queue_rows(late.text) == []


def test_a_bad_filter_names_the_field(client: TestClient, token: str) -> None:
    page = client.get("/exceptions?state=lost&kind=eaten")

    assert page.status_code == 422
    assert field_errors(page.text) == ["state", "kind"]


def test_a_case_is_worked_from_its_page(client: TestClient, token: str, db: Db,
                                        settings: Settings, shipped: str) -> None:
    make_staff(db, "bob")
    case_id = logistics.open_case(db, shipped, CaseKind.DAMAGED, actor=STAFF,
                                  settings=settings, detail="外箱破损")

    steps = [post(client, f"/exceptions/{case_id}/assign", token, owner="bob"),
             post(client, f"/exceptions/{case_id}/actions", token, action="contact_carrier",
                  note="已致电快递网点"),
             post(client, f"/exceptions/{case_id}/actions", token, action="refund",
                  amount="2.00", note="补偿"),
             post(client, f"/exceptions/{case_id}/resolve", token, outcome="delivered",
                  resolution="客户已收货"),
             post(client, f"/exceptions/{case_id}/close", token)]
    page = client.get(f"/exceptions/{case_id}")

    assert [r.status_code for r in steps] == [303] * 5
    kinds = re.findall(r'<li data-kind="([^"]+)"', page.text)
    assert kinds == ["exception.closed", "exception.resolved", "exception.refund",
                     "refund.owed", "exception.contact_carrier", "exception.assigned",
                     "status.changed", "exception.opened"]
    (case,) = cases_of(db, shipped)
    assert (case.state, case.refund_minor) == (CaseState.CLOSED, 200)
    assert status_of(db, shipped) == "delivered"


def test_a_bad_refund_is_shown_with_its_field_and_kept(client: TestClient, token: str,
                                                       db: Db, settings: Settings,
                                                       shipped: str) -> None:
    case_id = logistics.open_case(db, shipped, CaseKind.LOST, actor=STAFF, settings=settings)

    page = post(client, f"/exceptions/{case_id}/actions", token, action="refund",
                amount="9999.00")

    assert page.status_code == 422
    assert field_errors(page.text) == ["amount"]
    assert 'value="9999.00"' in page.text


def test_staff_open_a_case_from_the_order_page_which_shows_carrier_events(
        client: TestClient, token: str, db: Db, settings: Settings, shipped: str) -> None:
    carrier_says(db, shipped, "in_transit", hours_ago=1, description="【杭州】已发往上海")

    opened = post(client, f"/orders/{shipped}/exceptions", token, kind="damaged",
                  detail="客户来电")
    order_page = client.get(f"/orders/{shipped}")

    assert opened.status_code == 303
    assert opened.headers["location"] == f"/exceptions/{cases_of(db, shipped)[0].id}"
    assert "【杭州】已发往上海" in order_page.text
    assert 'data-testid="order-cases"' in order_page.text
    assert "exception.opened" in order_page.text


def test_an_unknown_kind_from_the_order_page_is_refused_with_its_field(
        client: TestClient, token: str, shipped: str) -> None:
    page = post(client, f"/orders/{shipped}/exceptions", token, kind="eaten")

    assert page.status_code == 422
    assert field_errors(page.text) == ["kind"]


def test_warehouse_staff_see_the_queue_but_cannot_act(client: TestClient, db: Db,
                                                      settings: Settings, shipped: str) -> None:
    make_staff(db, "wang", role=Role.WAREHOUSE)
    case_id = logistics.open_case(db, shipped, CaseKind.LOST, actor=STAFF, settings=settings)
    token = login(client, "wang")

    page = client.get(f"/exceptions/{case_id}")
    refused = post(client, f"/exceptions/{case_id}/close", token, note="x")

    assert page.status_code == 200 and 'data-testid="case-actions"' not in page.text
    assert refused.status_code == 403


def test_carrier_performance_lists_each_carrier_and_service(
        client: TestClient, token: str, shipped: str, db: Db) -> None:
    carrier_says(db, shipped, "delivered")

    page = client.get("/carriers/performance?days=7")

    assert page.status_code == 200
    assert re.findall(r'<tr data-carrier="([^"]+)" data-service="([^"]+)"', page.text) == [
        ("sim", "standard")]
    assert "100.0%" in page.text


def test_a_missing_case_is_a_404_page(client: TestClient, token: str) -> None:
    assert client.get("/exceptions/424242").status_code == 404


def test_take_assigns_an_unassigned_case_to_me_from_the_queue(
        client: TestClient, token: str, db: Db, settings: Settings, shipped: str) -> None:
    case_id = logistics.open_case(db, shipped, CaseKind.LOST, actor=STAFF, settings=settings)
    queue = client.get("/exceptions")

    taken = post(client, f"/exceptions/{case_id}/take", token)

    assert f'action="/exceptions/{case_id}/take"' in queue.text
    assert (taken.status_code, taken.headers["location"]) == (303, f"/exceptions/{case_id}")
    assert "Alice Wang" in client.get(f"/exceptions/{case_id}").text


def test_the_dashboard_counts_open_overdue_and_unassigned_cases(
        client: TestClient, token: str, db: Db, settings: Settings, shipped: str) -> None:
    empty = client.get("/").text
    logistics.open_case(db, shipped, CaseKind.LOST, actor=STAFF, settings=settings)

    panel = client.get("/").text.split('data-testid="exceptions-panel"', 1)[1]

    assert "No open logistics exceptions." in empty
    counts = re.findall(r'<span class="tile-count">(\d+)</span>', panel)[:3]
    assert counts == ["1", "0", "1"]


def test_the_customer_page_says_what_the_open_case_is_in_the_customers_language(
        client: TestClient, db: Db, settings: Settings, shipped: str) -> None:
    from orderflow.web.customer_security import tracking_path

    path = tracking_path(settings, shipped)
    before = client.get(path + "&lang=en").text
    case_id = logistics.open_case(db, shipped, CaseKind.LOST, actor=STAFF, settings=settings)

    english = client.get(path + "&lang=en").text
    chinese = client.get(path + "&lang=zh-CN").text
    logistics.resolve_case(db, case_id, "reshipped", actor=STAFF)
    after = client.get(path + "&lang=en").text

    assert 'data-testid="problem-notice"' not in before
    assert "the carrier reports the parcel lost" in english
    assert "快递公司报告包裹丢失" in chinese
    assert 'data-testid="problem-notice"' not in after
