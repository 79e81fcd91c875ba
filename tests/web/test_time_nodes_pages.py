"""The console side of the time nodes, on both databases: a Chinese service agent reads
the reasons of a delayed, corrected and cancelled order in Chinese; staff edit a held
delay notice and correct a tracking number from the order page; the settings page edits
the time-node settings; the customer's preferences page says what is essential."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from orderflow import clock
from orderflow.auth.models import Role
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.fulfilment import corrections
from orderflow.notify import prefs, watchdogs
from orderflow.orders import service as orders
from orderflow.outbox import OutboxMessage
from orderflow.web import customer_security as guard
from tests.builders.orders import STAFF, Catalog, make_order
from tests.web.helpers import csrf_of, login, make_staff, post

SHIPPED = ["paid", "approved", "allocated", "picking", "packed", "shipped"]
# Latin text an order page may show that is the order's own data or a code in <code>.
ORDER_DATA = re.compile(r"SIM\d+|SF\d+|\b\d{12}\b|[\w.+-]+@[\w.-]+|https?://\S+")


def visible_text(html: str, section: str) -> str:
    part = html.split(f'data-testid="{section}"', 1)[1]
    part = part.split("</section>", 1)[0] if "</section>" in part else part
    part = re.sub(r"<(code|script|style)[^>]*>.*?</\1>", " ", part, flags=re.S)
    part = re.sub(r'<[^>]*class="[^"]*mono[^"]*"[^>]*>[^<]*<', "<", part)
    part = re.sub(r"<[^>]+>", " ", part)
    return ORDER_DATA.sub(" ", part)


@pytest.fixture
def chinese_agent(db: Db, client: TestClient) -> str:
    make_staff(db, "li", role=Role.SERVICE, language="zh-CN")
    return login(client, "li")


def _late(db: Db, settings: Settings, path: list[str]) -> str:
    number = make_order(db, settings, path=path)
    with db.read() as s:
        row = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "order.confirmed")
                        .order_by(OutboxMessage.id.desc())).first()
    assert row is not None
    clock.set_now(clock.utcnow() + timedelta(days=1, hours=6))
    watchdogs.late_orders(db, settings)
    return number


@pytest.mark.clock(at="2026-12-07T06:30:00Z")  # about a working-day afternoon
def test_a_chinese_agent_reads_every_system_reason_in_chinese(
        db: Db, settings: Settings, client: TestClient, catalog: Catalog,
        chinese_agent: str) -> None:
    delayed = _late(db, settings, ["paid", "approved", "allocated"])
    login(client, "li")  # the clock jumped past the 12-hour console session
    delay_panel = client.get(f"/orders/{delayed}").text  # while the notice is held
    corrected = make_order(db, settings, path=SHIPPED)
    corrections.correct_tracking(db, corrected, carrier="SF", tracking_number="SF0000000001",
                                 actor=STAFF)
    cancelled = make_order(db, settings)
    clock.advance(timedelta(minutes=31))
    orders.expire_unpaid(db)

    for number, expected in ((delayed, "审核通过，自动确认"), (corrected, "客服已更正"),
                             (cancelled, "超时未付款")):
        page = client.get(f"/orders/{number}").text
        words = [w for w in re.findall(r"[A-Za-z]{2,}", visible_text(page, "timeline"))
                 if w != "API"]  # the actor "API" is the same word in Chinese
        assert expected in page, number
        assert words == [], (number, words)
    panel = visible_text(delay_panel, "time-nodes")
    assert "仓库仍在备货" in panel
    assert re.findall(r"[A-Za-z]{2,}", panel) == []


@pytest.mark.clock(at="2026-12-07T06:30:00Z")  # about a working-day afternoon
def test_staff_edit_the_held_delay_notice_and_correct_a_tracking_number(
        db: Db, settings: Settings, client: TestClient, catalog: Catalog, token: str) -> None:
    delayed = _late(db, settings, ["paid"])
    token = login(client)  # the clock jumped past the 12-hour console session
    shipped = make_order(db, settings, path=SHIPPED)
    page = client.get(f"/orders/{delayed}").text
    assert 'data-testid="held-delay"' in page

    bad = post(client, f"/orders/{delayed}/delay-notice", token, reason="late.on_hold",
               new_estimate="2020-01-01T10:00")
    good = post(client, f"/orders/{delayed}/delay-notice", token, reason="late.on_hold",
                new_estimate="2026-12-10T12:00")
    wrong = post(client, f"/orders/{shipped}/shipment-correction", token, carrier="SF",
                 tracking_number="12")
    fixed = post(client, f"/orders/{shipped}/shipment-correction", token, carrier="SF",
                 tracking_number="SF1234567890")

    assert bad.status_code == 422 and "New estimate" in bad.text
    assert good.status_code == 303
    with db.read() as s:
        payloads = [r.payload for r in s.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "order.delayed"))]
        kinds = [r.kind for r in s.scalars(select(OutboxMessage))]
    assert payloads[0]["reason"] == "late.on_hold"
    assert payloads[0]["new_estimate"].startswith("2026-12-10T04:00")
    assert wrong.status_code == 422
    assert fixed.status_code == 303
    assert kinds.count("order.shipment_corrected") == 1


def test_warehouse_staff_see_no_time_node_forms(
        db: Db, settings: Settings, client: TestClient, catalog: Catalog) -> None:
    number = make_order(db, settings, path=SHIPPED)
    make_staff(db, "wu", role=Role.WAREHOUSE)
    token = login(client, "wu")

    page = client.get(f"/orders/{number}").text
    refused = post(client, f"/orders/{number}/shipment-correction", token, carrier="SF",
                   tracking_number="SF1234567890")

    assert 'data-testid="time-nodes"' not in page
    assert refused.status_code == 403


def test_the_settings_page_edits_the_time_node_settings_and_names_bad_fields(
        db: Db, client: TestClient, token: str) -> None:
    page = client.get("/notify/settings").text
    assert 'data-testid="timenodes"' in page
    form = {"confirm_coalesce_minutes": "5", "payment_reminder_minutes": "15",
            "delay_hold_minutes": "30", "aftersales_summary.zh-CN": "支持七天无理由退货。",
            "aftersales_summary.en": "", "channel_policy.order.confirmed": "first",
            "mq.order.delayed.sms.start": "20:00", "mq.order.delayed.sms.end": "09:00"}
    form |= {f"channel_policy.{c}": "all" for c in (
        "order.shipped", "order.delayed", "order.exception", "order.cancelled",
        "payment.reminder", "payment.failed", "order.shipment_corrected")}

    bad = post(client, "/notify/settings/timenodes", csrf_of(page),
               **{**form, "delay_hold_minutes": "x", "mq.order.delayed.sms.end": ""})
    good = post(client, "/notify/settings/timenodes", csrf_of(page), **form)

    assert bad.status_code == 422
    assert 'aria-invalid="true"' in bad.text
    assert good.status_code == 303
    with db.read() as s:
        current = prefs.load(s)
    assert current.minutes("payment_reminder_minutes") == 15
    assert current.channel_policy("order.confirmed") == "first"
    assert current.values["aftersales_summary"] == {"zh-CN": "支持七天无理由退货。"}
    assert current.quiet("sms", milestone="order.delayed") is not None


def test_the_preferences_page_says_which_notices_are_essential(
        db: Db, settings: Settings, client: TestClient, catalog: Catalog) -> None:
    number = make_order(db, settings)

    page = client.get(guard.tracking_path(settings, number, "/preferences")
                      + "&lang=en").text

    part = page.split('data-testid="essential"', 1)[1]
    always, optional = part.split("Not sent when you opt out", 1)
    assert 'data-milestone="order.shipped"' in always
    assert 'data-milestone="order.packing"' in optional
    assert 'data-milestone="review.requested"' in optional
    assert 'data-milestone="order.packing"' not in always


def test_a_short_link_leads_to_the_signed_order_page(
        db: Db, settings: Settings, client: TestClient, catalog: Catalog) -> None:
    from orderflow import shortlinks

    number = make_order(db, settings)

    good = client.get(f"/s/{shortlinks.token(settings, number)}")
    bad = client.get(f"/s/{number}-AAAAAAAAAA")

    assert good.status_code == 303
    assert good.headers["location"] == guard.tracking_path(settings, number)
    assert bad.status_code == 404 or "not valid" in bad.text


@pytest.mark.clock
def test_the_dashboard_flags_a_year_whose_holidays_are_not_announced(
        db: Db, client: TestClient, token: str) -> None:
    from orderflow.review import service as review

    flagged = client.get("/").text
    review.update_config(db, {"closed_days": ["2027-02-08"]}, actor=STAFF)
    entered = client.get("/").text

    assert flagged.count('data-testid="calendar-unannounced"') == 1  # 2027, not 2026
    assert "2027" in flagged.split('data-testid="calendar-unannounced"', 1)[1][:200]
    assert 'data-testid="calendar-unannounced"' not in entered


@pytest.mark.clock(at="2026-12-07T06:30:00Z")  # about a working-day afternoon
def test_the_coverage_panel_counts_confirmations_delays_and_corrections(
        db: Db, settings: Settings, client: TestClient, catalog: Catalog, token: str) -> None:
    from orderflow.notify import fanout, service

    number = make_order(db, settings, path=["paid"])
    d = service.dispatcher(db, settings, {"email": _Ok(), "sms": _Ok()})
    for _ in range(5):
        fanout.fan_out(db, settings)
        d.run_once()
    clock.set_now(clock.utcnow() + timedelta(days=1, hours=6))
    watchdogs.late_orders(db, settings)
    login(client)  # the clock jumped past the 12-hour console session

    cov = watchdogs.coverage(db)
    page = client.get("/").text

    assert (cov.paid, cov.paid_confirmed, cov.late, cov.late_told) == (1, 1, 1, 0)
    assert 'data-testid="coverage-delay"' in page
    assert number


class _Ok:
    def send(self, message):  # type: ignore[no-untyped-def]
        from orderflow.notify.channels import SendResult

        return SendResult("ok")
