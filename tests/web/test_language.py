"""zh-CN and en: switchable from every page, remembered on the user, complete catalogs."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from starlette.testclient import TestClient

from orderflow.auth import service as auth
from orderflow.auth.service import StaffIdentity
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.orders.status import Status
from orderflow.payments.models import PaymentMethod, PaymentState
from orderflow.web import i18n
from tests.builders.orders import NEEDS_REVIEW, Catalog, make_order
from tests.web.helpers import ORIGIN, login, post

WEB = Path(i18n.__file__).parent
TEMPLATE_OPTIONS = {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}


def test_switching_language_relabels_the_page_and_is_remembered(
        client: TestClient, token: str, staff: StaffIdentity, db: Db, settings: Settings,
        catalog: Catalog) -> None:
    number = make_order(db, settings, path=["paid"], **NEEDS_REVIEW)
    english = client.get(f"/orders/{number}").text

    response = post(client, "/language", token, language="zh-CN", next=f"/orders/{number}")
    chinese = client.get(response.headers["location"]).text

    assert '<span class="badge big status-awaiting_review" data-testid="order-status">' \
           'Awaiting review</span>' in english
    assert '<html lang="en">' in english
    assert (response.status_code, response.headers["location"]) == (303, f"/orders/{number}")
    assert '<span class="badge big status-awaiting_review" data-testid="order-status">' \
           '待审核</span>' in chinese
    assert '<strong class="tl-kind">收到付款</strong>' in chinese
    assert "<td>支付宝</td>" in chinese
    assert '<span class="role">客服</span>' in chinese
    assert auth.get_user(db, staff.id).language == "zh-CN"  # type: ignore[union-attr]


def test_the_stored_language_is_used_at_the_next_sign_in(
        client: TestClient, db: Db, staff: StaffIdentity) -> None:
    auth.set_language(db, staff.id, "zh-CN")

    login(client)

    assert '<html lang="zh-CN">' in client.get("/orders").text


def test_the_login_page_switches_language_before_signing_in(client: TestClient) -> None:
    token = client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]

    response = client.post("/language", headers=ORIGIN,
                           data={"csrf_token": token, "language": "en", "next": "/login"})

    assert response.headers["location"] == "/login"
    assert "Sign in to the OrderFlow console" in client.get("/login").text


def test_an_unknown_language_changes_nothing(client: TestClient, token: str) -> None:
    post(client, "/language", token, language="fr", next="/")

    assert '<html lang="en">' in client.get("/").text


@pytest.mark.parametrize(("enum", "group"), [
    (Status, "status"), (PaymentMethod, "method"), (PaymentState, "payment_state")])
def test_every_stored_value_has_a_label(enum: type, group: str) -> None:
    assert set(i18n.LABELS[group]) == {member.value for member in enum}


def test_labels_translate_statuses_methods_and_events() -> None:
    assert [i18n.label("zh-CN", "status", s) for s in ("paid", "on_hold", "exception")] == [
        "已付款", "已挂起", "物流异常"]
    assert i18n.label("en", "status", "out_for_delivery") == "Out for delivery"
    assert i18n.label("zh-CN", "method", "wechat_pay") == "微信支付"
    assert i18n.label("zh-CN", "event", "payment.duplicate") == "重复付款（待退还）"
    assert i18n.label("zh-CN", "event", "stock.reserved") == "库存已预占"
    assert i18n.label("zh-CN", "event", "something.new") == "something.new"


def _console_msgids() -> set[str]:
    found = extract_from_dir(
        WEB, [("**/templates/**.html", "jinja2"), ("**.py", "python")],
        options_map={"**/templates/**.html": TEMPLATE_OPTIONS},
        keywords={"_": None, "N_": None, "gettext": None})
    return {m if isinstance(m, str) else m[0] for _f, _l, m, _c, _ctx in found if m}


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_console_string_is_translated_in_both_catalogs(locale: str) -> None:
    with (i18n.CATALOG_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}

    missing = sorted(_console_msgids() - translated)

    assert missing == []
    assert len(_console_msgids()) > 150
