"""Actions on the order page call the use cases and land on the timeline;
their errors are shown with the field at fault."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from orderflow.config import Settings
from orderflow.db import Db
from orderflow.orders.queries import get_order, timeline_of
from tests.builders.orders import NEEDS_REVIEW, Catalog, make_order
from tests.web.helpers import field_errors, post, timeline


def _last_event(db: Db, number: str) -> tuple[str, str, str | None, str | None, str | None]:
    with db.read() as s:
        e = timeline_of(s, get_order(s, number).id)[-1]
    return e.kind, e.actor, e.from_status, e.to_status, e.reason


def test_approving_an_order_lands_on_the_timeline(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings, path=["paid"], **NEEDS_REVIEW)

    response = post(client, f"/orders/{number}/approve", token)
    page = client.get(response.headers["location"]).text

    assert (response.status_code, response.headers["location"]) == (303, f"/orders/{number}")
    assert _last_event(db, number) == (
        "status.changed", "staff:alice", "awaiting_review", "approved", "reason.approved")
    assert '<div class="tl-reason">Reason: approved</div>' in page  # the code, in English
    assert '<p class="notice" role="status">Order approved.</p>' in page
    assert '<span class="badge big status-approved" data-testid="order-status">Approved</span>' \
        in page
    assert client.get(f"/orders/{number}").text.count('class="notice"') == 0


def test_holding_and_releasing_an_order_land_on_the_timeline(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings, path=["paid"], **NEEDS_REVIEW)

    held = post(client, f"/orders/{number}/hold", token, reason="address looks wrong")
    held_event = _last_event(db, number)
    page = client.get(f"/orders/{number}").text
    released = post(client, f"/orders/{number}/release", token)

    assert (held.status_code, released.status_code) == (303, 303)
    assert held_event == ("status.changed", "staff:alice", "awaiting_review", "on_hold",
                          "address looks wrong")
    assert '<div class="tl-reason">Reason: address looks wrong</div>' in page
    assert 'action="/orders/' + number + '/release"' in page
    assert _last_event(db, number) == ("status.changed", "staff:alice", "on_hold",
                                       "awaiting_review", "reason.hold_released")


def test_cancelling_a_paid_order_records_the_refund_owed(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings, path=["paid"])

    response = post(client, f"/orders/{number}/cancel", token, reason="customer asked")
    page = client.get(f"/orders/{number}").text

    assert (response.status_code, response.headers["location"]) == (303, f"/orders/{number}")
    assert timeline(page)[:2] == ["refund.owed", "status.changed"]
    assert '<strong class="tl-kind">Refund owed</strong>' in page
    assert '<dd class="warn">CN¥10.00</dd>' in page
    assert 'data-testid="actions"' not in page


def test_recording_a_payment_moves_the_order_to_review(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings)

    response = post(client, f"/orders/{number}/payments", token, method="wechat_pay",
                    amount="10.00", external_ref="WX-42")
    page = client.get(f"/orders/{number}").text

    assert (response.status_code, response.headers["location"]) == (303, f"/orders/{number}")
    assert timeline(page)[:5] == ["status.changed", "review.completed", "status.changed",
                                  "status.changed", "payment.succeeded"]
    assert re.search(r"<td>WeChat Pay</td>\s*<td>Succeeded</td>", page)
    assert '<td class="mono">WX-42</td>' in page


def test_a_missing_reason_is_shown_with_its_field(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings, path=["paid"], **NEEDS_REVIEW)

    response = post(client, f"/orders/{number}/cancel", token, reason="   ")

    assert response.status_code == 422
    assert field_errors(response.text) == ["reason"]
    assert "<strong>Reason</strong> <code>reason</code>: a reason is required" in response.text
    assert '<span class="field-error">Reason: a reason is required</span>' in response.text
    assert _last_event(db, number)[:2] == ("review.completed", "system:orderflow")  # no change


def test_a_bad_payment_amount_is_shown_with_its_field_and_kept_in_the_form(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings)

    response = post(client, f"/orders/{number}/payments", token, method="alipay",
                    amount="12.345", external_ref="A-1")

    assert response.status_code == 422
    assert field_errors(response.text) == ["amount"]
    assert "<strong>Amount</strong> <code>amount</code>: &#39;12.345&#39; has more decimals " \
           "than CNY allows (2)" in response.text
    assert 'name="amount" inputmode="decimal" maxlength="100" value="12.345" aria-invalid="true"' \
        in response.text
    assert "Traceback" not in response.text


def test_an_unknown_payment_method_is_shown_with_its_field(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings)

    response = post(client, f"/orders/{number}/payments", token, method="bitcoin", amount="10")

    assert response.status_code == 422
    assert field_errors(response.text) == ["method"]


def test_a_transition_the_lifecycle_refuses_is_explained(
        client: TestClient, token: str, db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings)

    response = post(client, f"/orders/{number}/approve", token)

    assert response.status_code == 409
    assert "<strong>This status change is not allowed.</strong>" in response.text
    assert f"order {number} cannot go from pending_payment to approved" in response.text
