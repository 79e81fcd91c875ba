"""The notification screens in a real browser: the template editor (a bad variable is
refused, the fix previews on a real order and saves version 1), re-sending a dead letter,
and screenshots of every notify page in both languages."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from orderflow.auth import service as auth
from orderflow.auth.models import Role
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.notify import fanout, service, smtp_sink
from orderflow.notify.mailer import SmtpChannel
from orderflow.notify.models import Notice, NoticeState
from orderflow.notify.sms.local import LocalSmsSink
from tests.builders.orders import make_catalog, make_order
from tests.e2e.conftest import PASSWORD, SCREENSHOTS, sign_in
from tests.support.channels import RecordingChannel
from tests.support.server import BoundController, listening_socket, port_of

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
SHIPPED = ["paid", "approved", "allocated", "picking", "packed", "shipped"]
EN = {"name": "Emma Wilson", "phone": "13900139000", "email": "emma@example.com",
      "language": "en"}
NO_EMAIL = {"name": "李娜", "phone": "13800138000", "language": "zh-CN"}


def drain(db: Db, settings: Settings, channels: dict) -> None:  # type: ignore[type-arg]
    d = service.dispatcher(db, settings, channels)
    for _ in range(20):
        if fanout.fan_out(db, settings) + d.run_once() == 0:
            return


@pytest.fixture
def staff(db: Db) -> None:
    auth.create_user(db, "alice", PASSWORD, role=Role.SERVICE, display_name="王小丽",
                     language="en")





def test_the_template_editor_refuses_a_bad_variable_previews_and_saves(
        page: Page, base_url: str, db: Db, settings: Settings, staff: None) -> None:
    make_catalog(db)
    number = make_order(db, settings, customer=EN)
    sign_in(page, base_url, "/notify/templates")
    page.click("[data-cell='order.received/email/en'] a")
    expect(page.get_by_test_id("live-version")).to_have_text("Live: built-in (version 0)")

    page.fill("input[name=subject]", "Thanks! Order {{ order_numbr }}")
    page.get_by_test_id("save").click()

    expect(page.get_by_test_id("error")).to_contain_text("unknown variable(s) order_numbr")
    expect(page.locator("[data-field-error=subject]")).to_contain_text("Subject")
    expect(page.locator("input[name=subject]")).to_have_value("Thanks! Order {{ order_numbr }}")

    page.fill("input[name=subject]", "Thanks! Order {{ order_number }}")
    page.get_by_test_id("preview").click()
    expect(page.get_by_test_id("preview-subject")).to_have_text(f"Thanks! Order {number}")
    expect(page.get_by_test_id("error")).to_have_count(0)

    page.get_by_test_id("save").click()
    expect(page.locator(".notice")).to_have_text("Template saved as a new version.")
    expect(page.get_by_test_id("live-version")).to_have_text("Live: version 1")
    expect(page.locator("[data-testid=history] tbody tr")).to_have_count(1)
    expect(page.locator("[data-testid=history] tbody td").first).to_have_text("1")
    page.click("text=All templates")
    expect(page.locator("[data-cell='order.received/email/en'] a")).to_have_text("v1")


def test_a_dead_letter_is_resent_from_the_list(
        page: Page, base_url: str, db: Db, settings: Settings, staff: None) -> None:
    make_catalog(db)
    sms = RecordingChannel()
    sms.permanent()
    number = make_order(db, settings, path=SHIPPED, customer=NO_EMAIL)
    drain(db, settings, {"sms": sms})
    sign_in(page, base_url)

    tile = page.get_by_test_id("dead-count")
    expect(tile.locator(".tile-count")).to_have_text("1")
    tile.click()
    rows = page.locator("[data-testid=notice-table] tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("sms.unsubscribed: number unsubscribed")
    rows.first.get_by_test_id("resend").click()

    expect(page.locator(".notice")).to_have_text("The notice was queued again as a new notice.")
    expect(page).to_have_url(re.compile(r"/notify/notices\?state=dead$"))
    page.goto(base_url + f"/orders/{number}")
    panel = page.get_by_test_id("order-notices")
    expect(panel.locator("tr[data-state=queued]")).to_have_count(1)
    expect(panel.locator("tr[data-state=dead]")).to_have_count(1)
    expect(page.locator("[data-testid=timeline] li").first.locator(".tl-kind")).to_have_text(
        "Notice re-sent")


def _notify_shop(db: Db, settings: Settings) -> dict[str, str]:
    """Mail through the real local SMTP sink, SMS through the local sink, one dead letter,
    one webhook endpoint with deliveries, a saved template version."""
    make_catalog(db)
    sock = listening_socket()  # the sink's own handler, on a socket bound once
    port = port_of(sock)
    controller = BoundController(smtp_sink.MaildirHandler(settings.var_dir / "mail"), sock)
    controller.start()
    try:
        st = replace(settings, smtp_port=port)
        endpoint, _ = service.add_endpoint(db, "http://127.0.0.1:9/hooks",
                                           events=["order.paid", "order.shipped"],
                                           description="ERP", test_mode=True)
        shipped = make_order(db, st, path=SHIPPED, customer=EN)
        local_sms = make_order(db, st, path=SHIPPED, customer={**NO_EMAIL, "phone": "13700137000"})
        drain(db, st, {"email": SmtpChannel(st), "sms": LocalSmsSink(st.var_dir / "sms"),
                       "webhook": RecordingChannel(name="webhook")})
        sms = RecordingChannel()
        sms.permanent()
        dead = make_order(db, st, path=SHIPPED, customer=NO_EMAIL)
        drain(db, st, {"sms": sms, "webhook": RecordingChannel(name="webhook")})
    finally:
        controller.stop()
        sock.close()
    with db.read() as s:
        dead_id = s.scalar(select(Notice.id).where(Notice.state == NoticeState.DEAD))
    mails = smtp_sink.read(settings.var_dir / "mail")
    return {"shipped": shipped, "sms": local_sms, "dead": dead, "dead_id": str(dead_id),
            "endpoint": str(endpoint.id), "mail": mails[0].key}


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_screenshots_of_every_notify_page(browser: Browser, base_url: str, db: Db,
                                          settings: Settings, staff: None,
                                          language: str) -> None:
    shop = _notify_shop(db, settings)
    context = browser.new_context(viewport=DESKTOP, locale=language)
    page = context.new_page()
    auth.set_language(db, 1, language)
    sign_in(page, base_url)
    shots = {
        "notify-dashboard": "/",
        "notify-templates": "/notify/templates",
        "notify-template-edit": "/notify/templates/edit?milestone=order.shipped&channel=email"
                                f"&language={language}&order={shop['shipped']}",
        "notify-settings": "/notify/settings",
        "notify-notices": "/notify/notices",
        "notify-dead-letters": "/notify/notices?state=dead",
        "notify-notice": f"/notify/notices/detail?id={shop['dead_id']}",
        "notify-mailbox": "/notify/mailbox",
        "notify-mail": f"/notify/mailbox/message?key={shop['mail']}",
        "notify-sms": "/notify/sms",
        "notify-webhooks": "/notify/webhooks",
        "notify-deliveries": f"/notify/webhooks/deliveries?endpoint={shop['endpoint']}",
        "notify-order-notices": f"/orders/{shop['dead']}",
    }
    for name, path in shots.items():
        response = page.goto(base_url + path)
        assert response is not None, path
        assert response.status == 200, path
        expect(page.locator("html")).to_have_attribute("lang", language)
        if name == "notify-mail":  # the HTML part renders inside the sandboxed frame
            expect(page.frame_locator("[data-testid=mail-html]").locator("h2")).to_contain_text(
                shop["shipped"])
        for i in range(page.locator("iframe.mail-frame").count()):  # srcdoc loads on its own
            expect(page.frame_locator("iframe.mail-frame").nth(i).locator("h2")).to_be_visible()
        page.screenshot(path=SCREENSHOTS / f"{name}.{language}.png", full_page=True)

    page.goto(base_url + "/notify/settings")
    page.fill("input[name='quiet_hours.sms.start']", "25:00")
    page.click("form[action='/notify/settings/timing'] button[type=submit]")
    expect(page.locator("[data-field='quiet_hours.sms.start']")).to_have_count(1)
    page.screenshot(path=SCREENSHOTS / f"notify-settings-error.{language}.png", full_page=True)

    page.goto(base_url + "/notify/webhooks")
    page.locator("[data-testid=rotate]").first.click()
    expect(page.get_by_test_id("secret-value")).to_contain_text("whsec_")
    page.screenshot(path=SCREENSHOTS / f"notify-webhook-secret.{language}.png", full_page=True)
    context.close()
