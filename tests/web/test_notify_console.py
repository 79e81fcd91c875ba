"""The notification screens through the console, on both databases: templates, switches
and timing, notices and dead letters, the local mailbox and SMS sink, webhooks, the
dashboard panels and the order page's notices."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from orderflow import clock
from orderflow.auth.models import Role
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.notify import fanout, prefs, service, smtp_sink
from orderflow.notify.mailer import SmtpChannel
from orderflow.notify.milestones import MILESTONES
from orderflow.notify.models import Notice, NoticeState, Template
from orderflow.orders.queries import get_order, timeline_of
from tests.builders.orders import Catalog, make_order
from tests.support.channels import RecordingChannel
from tests.support.server import BoundController, listening_socket, port_of
from tests.web.helpers import ORIGIN, csrf_of, field_errors, login, make_staff, post

pytestmark = pytest.mark.clock  # reads the application's clock (see conftest)

SHIPPED = ["paid", "approved", "allocated", "picking", "packed", "shipped"]
NO_EMAIL = {"name": "李娜", "phone": "13800138000", "language": "zh-CN"}
EN = {"name": "Emma Wilson", "phone": "13800138000", "email": "emma@example.com",
      "language": "en"}
EDIT = "/notify/templates/edit?milestone=order.received&channel=email&language=en"


def drain(db: Db, settings: Settings, channels: dict, rounds: int = 20) -> None:  # type: ignore[type-arg]
    d = service.dispatcher(db, settings, channels)
    for _ in range(rounds):
        if fanout.fan_out(db, settings) + d.run_once() == 0:
            return


def notices(db: Db, **where: object) -> list[Notice]:
    with db.read() as s:
        stmt = select(Notice).order_by(Notice.id)
        for k, v in where.items():
            stmt = stmt.where(getattr(Notice, k) == v)
        return list(s.scalars(stmt))


def dead_letter(db: Db, settings: Settings) -> tuple[str, Notice]:
    """A real dead notice: the only channel (SMS) fails permanently, no email to fall to."""
    sms = RecordingChannel()
    sms.permanent()
    with db.transaction() as s:  # the shipping SMS is the first one
        prefs.set_switch(s, "order.confirmed", "sms", False)
    number = make_order(db, settings, path=SHIPPED, customer=NO_EMAIL)
    drain(db, settings, {"sms": sms})
    (dead,) = notices(db, state=NoticeState.DEAD)
    return number, dead


def template_form(token: str, **fields: str) -> dict[str, str]:
    return {"csrf_token": token, "milestone": "order.received", "channel": "email",
            "language": "en", **fields}


# --- templates -------------------------------------------------------------------------


def test_the_matrix_shows_built_in_and_saved_versions(client: TestClient, token: str,
                                                       db: Db) -> None:
    with db.transaction() as s:
        s.add(Template(milestone="order.shipped", channel="sms", language="zh-CN", version=3,
                       subject=None, body_text="{{ order_number }}", body_html=None,
                       created_by="staff:x", created_at=clock.utcnow()))

    page = client.get("/notify/templates").text

    cell = re.search(r'data-cell="order.shipped/sms/zh-CN">\s*<a [^>]+>\s*(\S+)', page)
    assert cell and cell.group(1) == "v3"
    facing = sum(1 for m in MILESTONES.values() if m.customer_facing)
    assert page.count('class="version builtin"') == facing * 6 - 1


def test_saving_an_unknown_variable_is_refused_naming_it_and_keeps_the_input(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    make_order(db, settings, customer=EN)

    response = client.post("/notify/templates/save", headers=ORIGIN, data=template_form(
        token, subject="Order {{ order_numbr }}", body_text="Hi {{ customer_name }}",
        body_html=""))

    assert response.status_code == 422
    assert field_errors(response.text) == ["subject"]
    assert "unknown variable(s) order_numbr" in response.text
    assert '<strong>Subject</strong> <code>subject</code>' in response.text
    assert 'name="subject" maxlength="20000" value="Order {{ order_numbr }}" aria-invalid="true"' \
        in response.text
    assert ">Hi {{ customer_name }}</textarea>" in response.text
    with db.read() as s:
        assert s.scalars(select(Template)).all() == []


def test_a_valid_save_creates_version_one_then_two_and_previews_the_real_order(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    make_order(db, settings, customer=EN)
    newest = make_order(db, settings, customer=EN)
    body = {"subject": "Got it: {{ order_number }}",
            "body_text": "Hello {{ customer_name }}, order {{ order_number }} ({{ total }}).",
            "body_html": "<p>Order <b>{{ order_number }}</b></p><script>alert(1)</script>"}

    previewed = client.post("/notify/templates/preview", headers=ORIGIN,
                            data=template_form(token, **body))
    first = client.post("/notify/templates/save", headers=ORIGIN,
                        data=template_form(token, order=newest, **body))
    page = client.get(first.headers["location"]).text
    second = client.post("/notify/templates/save", headers=ORIGIN,
                         data=template_form(token, **body))

    assert previewed.status_code == 200
    assert f'<span data-testid="preview-subject">Got it: {newest}</span>' in previewed.text
    assert f"Hello Emma Wilson, order {newest} (10.00)." in previewed.text
    assert "<script>alert(1)</script>" not in previewed.text  # only inside the iframe's srcdoc
    assert 'sandbox="" referrerpolicy="no-referrer"' in previewed.text
    assert (first.status_code, second.status_code) == (303, 303)
    assert "Live: version 1" in page
    assert "Template saved as a new version." in page
    assert "Live: version 2" in client.get(EDIT).text
    with db.read() as s:
        rows = s.scalars(select(Template).order_by(Template.version)).all()
    assert [(t.version, t.created_by) for t in rows] == [(1, "staff:alice"), (2, "staff:alice")]


def test_the_editor_previews_on_the_newest_order_by_default_and_on_one_chosen(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    older = make_order(db, settings, customer=EN)
    newest = make_order(db, settings, customer=EN)

    default = client.get(EDIT).text
    chosen = client.get(EDIT + f"&order={older}").text
    missing = client.get(EDIT + "&order=999999")

    assert f"We received your order {newest}" in default
    assert f"We received your order {older}" in chosen
    assert "Order not found" in missing.text
    assert client.get("/notify/templates/edit?milestone=order.nope&channel=email&language=en") \
        .status_code == 404


# --- switches and timing ------------------------------------------------------------------


def test_switches_are_saved_from_the_checkboxes(client: TestClient, token: str, db: Db) -> None:
    response = client.post("/notify/settings/switches", headers=ORIGIN, data={
        "csrf_token": token, "switch": ["order.shipped:email", "order.shipped:sms"]})

    assert response.status_code == 303
    with db.read() as s:
        current = prefs.load(s)
    assert current.enabled("order.shipped", "sms")
    assert not current.enabled("order.received", "email")
    assert not current.enabled("order.shipped", "inbox")
    page = client.get("/notify/settings").text
    assert 'value="order.shipped:sms" aria-label="Shipped · SMS" checked' in page
    assert 'value="order.received:email" aria-label="Order received · Email" >' in page


def _timing(token: str, **changes: str) -> dict[str, str]:
    form = {"csrf_token": token, "quiet_hours.sms.start": "21:00", "quiet_hours.sms.end": "08:00",
            "quiet_hours.email.start": "", "quiet_hours.email.end": "",
            "holiday_quiet_hours.sms.start": "20:00", "holiday_quiet_hours.sms.end": "10:00",
            "holiday_calendar": "CN", "holiday_country": "", "coalesce_minutes": "5",
            "max_attempts.email": "8", "max_attempts.sms": "6", "max_attempts.webhook": "10"}
    form.update(changes)
    return form


def test_quiet_hours_and_timing_are_saved(client: TestClient, token: str, db: Db) -> None:
    response = client.post("/notify/settings/timing", headers=ORIGIN, data=_timing(
        token, **{"quiet_hours.email.start": "22:30", "quiet_hours.email.end": "07:00",
                  "max_attempts.sms": "3"}))

    assert response.status_code == 303
    with db.read() as s:
        current = prefs.load(s)
    assert current.values["quiet_hours"] == {"sms": ["21:00", "08:00"],
                                             "email": ["22:30", "07:00"]}
    assert (current.calendar, current.coalesce_minutes, current.max_attempts("sms")) == (
        "CN", 5, 3)


def test_bad_timing_is_refused_whole_naming_each_field(client: TestClient, token: str,
                                                        db: Db) -> None:
    response = client.post("/notify/settings/timing", headers=ORIGIN, data=_timing(
        token, **{"quiet_hours.sms.start": "25:00", "quiet_hours.email.start": "22:00",
                  "holiday_calendar": "other", "holiday_country": "XX",
                  "coalesce_minutes": "-1", "max_attempts.webhook": "0"}))

    assert response.status_code == 422
    assert field_errors(response.text) == [
        "quiet_hours.email.end", "quiet_hours.sms.start", "holiday_calendar",
        "coalesce_minutes", "max_attempts.webhook"]
    assert "<strong>SMS quiet hours: start</strong>" in response.text
    assert "use a 24-hour time such as 21:00" in response.text
    assert 'name="quiet_hours.sms.start" value="25:00"' in response.text
    with db.read() as s:
        assert prefs.load(s).values["quiet_hours"] == prefs.DEFAULTS["quiet_hours"]


# --- notices and dead letters ---------------------------------------------------------------


def test_the_notice_list_filters_by_state_and_channel(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    number, dead = dead_letter(db, settings)

    dead_page = client.get("/notify/notices?state=dead").text
    inbox_page = client.get("/notify/notices?channel=inbox").text
    everything = client.get("/notify/notices").text

    assert re.findall(r'data-notice="(\d+)"', dead_page) == [str(dead.id)]
    assert f'<a class="mono" href="/orders/{number}">{number}</a>' in dead_page
    assert "138****8000" in dead_page and "13800138000" not in dead_page
    assert "sms.unsubscribed: number unsubscribed" in dead_page
    inbox = [str(n.id) for n in reversed(notices(db, channel="inbox"))]
    assert re.findall(r'data-notice="(\d+)"', inbox_page) == inbox
    assert len(re.findall(r'data-notice="(\d+)"', everything)) == len(notices(db))


def test_resending_from_the_dead_letter_list_makes_a_new_notice_and_a_timeline_row(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    number, dead = dead_letter(db, settings)
    page = client.get("/notify/notices?state=dead").text
    assert f'action="/notify/notices/{dead.id}/resend"' in page

    response = post(client, f"/notify/notices/{dead.id}/resend", csrf_of(page),
                    next="/notify/notices?state=dead")
    after = client.get(response.headers["location"]).text

    assert (response.status_code, response.headers["location"]) == (
        303, "/notify/notices?state=dead")
    assert "The notice was queued again as a new notice." in after
    (new,) = [n for n in notices(db, channel="sms") if n.id != dead.id]
    assert (new.state, new.milestone) == (NoticeState.QUEUED, "order.shipped")
    with db.read() as s:
        kinds = [e.kind for e in timeline_of(s, get_order(s, number).id)]
    assert kinds[-1] == "notice.resent"
    order_page = client.get(f"/orders/{number}").text
    assert '<strong class="tl-kind">Notice re-sent</strong>' in order_page
    assert f'data-notice="{new.id}" data-state="queued"' in order_page
    detail = client.get(f"/notify/notices/detail?id={dead.id}").text
    assert f'<a href="/notify/notices/detail?id={new.id}">#{new.id}</a>' in detail


def test_a_notice_still_queued_cannot_be_resent(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    make_order(db, settings, customer=EN)
    fanout.fan_out(db, settings)
    (queued,) = notices(db, channel="email")

    response = post(client, f"/notify/notices/{queued.id}/resend", token)

    assert response.status_code == 409
    assert "This notice is still being delivered." in response.text


def test_the_notice_page_shows_content_history_and_ids(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    _, dead = dead_letter(db, settings)

    page = client.get(f"/notify/notices/detail?id={dead.id}").text

    assert '<span class="badge big notice-dead" data-testid="notice-state">Dead letter</span>' \
        in page
    assert dead.message_id in page
    assert dead.body_text in page
    assert re.findall(r'<li data-state="([a-z]+)">', page) == ["dead", "queued"]
    assert client.get("/notify/notices/detail?id=999999").status_code == 404


# --- the local sinks ---------------------------------------------------------------------------


@pytest.fixture
def smtp_sink_port(settings: Settings) -> Iterator[int]:
    sock = listening_socket()  # the sink's own handler, on a socket bound once
    controller = BoundController(smtp_sink.MaildirHandler(settings.var_dir / "mail"), sock)
    controller.start()
    try:
        yield port_of(sock)
    finally:
        controller.stop()
        sock.close()


def test_the_mailbox_lists_what_the_local_smtp_sink_received(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog,
        smtp_sink_port: int) -> None:
    st = replace(settings, smtp_port=smtp_sink_port)
    number = make_order(db, st, customer=EN)
    drain(db, st, {"email": SmtpChannel(st)})
    (sent,) = notices(db, channel="email")

    listing = client.get("/notify/mailbox").text
    key = re.search(r'href="/notify/mailbox/message\?key=([^"]+)"', listing)
    message = client.get(f"/notify/mailbox/message?key={key.group(1)}").text if key else ""

    assert f"We received your order {number}</a>" in listing
    assert "emma@example.com" in listing
    assert sent.message_id in listing
    assert f"Thank you! We received your order {number}" in message
    assert re.search(r'<iframe class="mail-frame" sandbox="" [^>]*srcdoc="&lt;div', message)
    assert "<div style=" not in message
    assert client.get("/notify/mailbox/message?key=nope").status_code == 404


def test_the_sms_page_lists_the_local_sink_masked_with_segments(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    from orderflow.notify.sms.local import LocalSmsSink

    with db.transaction() as s:
        prefs.set_switch(s, "order.confirmed", "sms", False)
    number = make_order(db, settings, path=SHIPPED, customer=NO_EMAIL)
    drain(db, settings, {"sms": LocalSmsSink(settings.var_dir / "sms")})

    page = client.get("/notify/sms").text

    assert f"订单{number}已发货" in page
    assert "+86138****8000" in page and "13800138000" not in page
    assert '<td class="num">2</td>' in page  # 126 characters with the link: two segments
    assert "UCS-2 · 126" in page  # with the short link to the order page


# --- webhooks -----------------------------------------------------------------------------------


def _add_endpoint(client: TestClient, token: str, **extra: object) -> str:
    response = client.post("/notify/webhooks", headers=ORIGIN, data={
        "csrf_token": token, "url": "http://127.0.0.1:9/hooks",
        "events": ["order.received", "order.paid"], "description": "ERP", **extra})
    assert response.status_code == 201, response.text
    return response.text


def test_adding_an_endpoint_shows_the_secret_once_then_rotate_retire_and_disable(
        client: TestClient, token: str, db: Db) -> None:
    created = _add_endpoint(client, token)
    secret = re.search(r'data-testid="secret-value">(whsec_[^<]+)<', created)
    listing = client.get("/notify/webhooks").text

    assert secret is not None
    assert secret.group(1) not in listing
    assert 'data-testid="secret"' not in listing
    (endpoint,) = service.list_endpoints(db)
    assert (endpoint.url, endpoint.events, endpoint.secrets) == (
        "http://127.0.0.1:9/hooks", ["order.paid", "order.received"], [secret.group(1)])

    rotated = post(client, f"/notify/webhooks/{endpoint.id}/rotate", token)
    new_secret = re.search(r'data-testid="secret-value">(whsec_[^<]+)<', rotated.text)
    assert rotated.status_code == 200 and new_secret
    assert service.list_endpoints(db)[0].secrets == [new_secret.group(1), secret.group(1)]
    retired = post(client, f"/notify/webhooks/{endpoint.id}/retire-old-secret", token)
    assert retired.status_code == 303
    assert service.list_endpoints(db)[0].secrets == [new_secret.group(1)]

    disabled = post(client, f"/notify/webhooks/{endpoint.id}/enabled", token, enabled="0")
    page = client.get("/notify/webhooks").text
    assert disabled.status_code == 303
    assert "Endpoint disabled." in page
    assert (service.list_endpoints(db)[0].enabled,
            service.list_endpoints(db)[0].disabled_reason) == (False, "disabled by staff")
    post(client, f"/notify/webhooks/{endpoint.id}/enabled", token, enabled="1")
    assert service.list_endpoints(db)[0].enabled


def test_a_bad_endpoint_is_refused_naming_the_fields(client: TestClient, token: str,
                                                     db: Db) -> None:
    response = client.post("/notify/webhooks", headers=ORIGIN, data={
        "csrf_token": token, "url": "ftp://example.com", "events": ["order.nope"]})

    assert response.status_code == 422
    assert field_errors(response.text) == ["events", "url"]
    assert 'value="ftp://example.com"' in response.text
    assert service.list_endpoints(db) == []


def test_replaying_a_range_requeues_its_deliveries(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    _add_endpoint(client, token)
    (endpoint,) = service.list_endpoints(db)
    make_order(db, settings, path=["paid"], customer=EN)
    drain(db, settings, {"webhook": RecordingChannel(name="webhook"),
                         "email": RecordingChannel(name="email")})
    hooks = notices(db, channel="webhook")
    assert [n.state for n in hooks] == [NoticeState.SENT, NoticeState.SENT]
    page = client.get(f"/notify/webhooks/deliveries?endpoint={endpoint.id}").text
    assert re.findall(r'data-notice="(\d+)"', page) == [str(n.id) for n in reversed(hooks)]

    local_now = clock.utcnow().astimezone(settings.zone).replace(tzinfo=None)
    response = post(client, f"/notify/webhooks/{endpoint.id}/replay", token,
                    since=(local_now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
                    until=(local_now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    after = client.get(response.headers["location"]).text

    assert response.status_code == 303
    assert "2 deliveries were queued again." in after
    assert [n.state for n in notices(db, channel="webhook")] == [NoticeState.QUEUED] * 2
    assert [n.message_id for n in notices(db, channel="webhook")] == [n.message_id for n in hooks]

    earlier = post(client, f"/notify/webhooks/{endpoint.id}/replay", token,
                   since=(local_now - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
                   until=(local_now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    assert "0 deliveries were queued again." in client.get(earlier.headers["location"]).text

    backwards = post(client, f"/notify/webhooks/{endpoint.id}/replay", token,
                     since="2026-01-02T00:00", until="2026-01-01T00:00")
    assert backwards.status_code == 422
    assert field_errors(backwards.text) == ["until"]


# --- dashboard, order page, roles ----------------------------------------------------------------


def test_the_dashboard_shows_alerts_dead_letters_and_coverage(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    number, _ = dead_letter(db, settings)

    page = client.get("/").text

    assert re.search(r'data-testid="dead-count">\s*<span class="tile-count">1</span>', page)
    assert 'href="/notify/notices?state=dead"' in page
    assert f'<a class="mono" href="/orders/{number}">Order {number}</a>' in page
    assert '<li data-kind="notice.dead">' in page
    coverage = dict(re.findall(r"<dt>([^<]+)</dt>\s*<dd><strong>([^<]+)</strong>", page))
    figures = re.findall(r'<span class="muted">\((\d+) / (\d+)\)</span>', page)
    assert coverage == {"Shipped orders told within 15 minutes": "0.0%",  # shipped, untold
                        "Paid orders confirmed": "0.0%",  # paid, the SMS went nowhere
                        "Waiting to be sent": "0"}  # no provider is down: nothing held
    # shipped told, paid confirmed; then late orders told and corrections told (none yet)
    assert figures == [("0", "1"), ("0", "1"), ("0", "0"), ("0", "0")]


def test_warehouse_staff_may_neither_read_nor_change_notifications(
        client: TestClient, db: Db, settings: Settings, catalog: Catalog) -> None:
    make_staff(db, "wei", role=Role.WAREHOUSE)
    _, dead = dead_letter(db, settings)
    before = [(n.id, n.state) for n in notices(db)]
    token = login(client, "wei")

    pages = [client.get(p) for p in ("/notify/notices?state=dead", "/notify/templates", EDIT,
                                     "/notify/settings", "/notify/webhooks", "/notify/mailbox",
                                     "/notify/sms")]
    refused = [post(client, f"/notify/notices/{dead.id}/resend", token),
               client.post("/notify/templates/save", headers=ORIGIN, data=template_form(
                   token, subject="x", body_text="y")),
               post(client, "/notify/settings/switches", token),
               client.post("/notify/settings/timing", headers=ORIGIN, data=_timing(token)),
               post(client, "/notify/webhooks", token, url="http://127.0.0.1:9/x",
                    events="order.paid")]

    # Every customer's messages are behind notify:read, which the warehouse lacks
    # (issue 18, finding 11; orderflow.auth.permissions).
    assert [r.status_code for r in pages] == [403] * 7
    assert [r.status_code for r in refused] == [403] * 5
    # nothing was re-sent, saved or switched: the notices are the ones before the refusals
    assert [(n.id, n.state) for n in notices(db)] == before
    assert [n.id for n in notices(db, state=NoticeState.DEAD)] == [dead.id]
    assert len(notices(db, channel="sms")) == 1
    with db.read() as s:
        assert s.scalars(select(Template)).all() == []
    assert service.list_endpoints(db) == []
