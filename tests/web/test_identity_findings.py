"""Issue 18, findings 3 and 10 (links): customers are never matched by phone alone; a
customer page shows what its link's own order allows; customer links expire."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select
from starlette.testclient import TestClient

from orderflow import clock
from orderflow.config import Settings
from orderflow.customers.models import Customer
from orderflow.db import Db
from orderflow.intake import bulk
from orderflow.intake.rows import RawOrder
from orderflow.notify import fanout
from orderflow.notify.context import order_link
from orderflow.notify.models import InboxMessage
from orderflow.orders import placement
from orderflow.orders.models import Order
from orderflow.orders.schemas import OrderIn
from orderflow.web import customer_security
from tests.builders.orders import STAFF, Catalog, make_order, make_token, order_body
from tests.web.helpers import ORIGIN

OWNER = {"name": "王芳", "phone": "13900001111", "email": "wang@example.com"}
STRANGER = {"name": "李四", "phone": "13900001111", "email": "li@example.com"}


def _customer_id(db: Db, number: str) -> int:
    with db.read() as s:
        return s.scalars(select(Order.customer_id).where(Order.number == number)).one()


def _token(html: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def test_finding_3_another_persons_phone_with_another_email_is_another_customer(
        db: Db, settings: Settings, catalog: Catalog) -> None:
    owners = make_order(db, settings, customer=OWNER)
    again = make_order(db, settings, customer=OWNER)

    strangers = make_order(db, settings, customer=STRANGER)
    phone_only = make_order(db, settings, customer={"name": "李四", "phone": OWNER["phone"]})

    assert _customer_id(db, again) == _customer_id(db, owners)
    assert _customer_id(db, strangers) != _customer_id(db, owners)
    assert _customer_id(db, phone_only) not in (_customer_id(db, owners),
                                                _customer_id(db, strangers))


def test_finding_3_bulk_intake_never_matches_on_phone_alone(
        db: Db, settings: Settings, catalog: Catalog) -> None:
    owners = make_order(db, settings, customer=OWNER)
    with db.read() as s:
        skus = placement.load_skus(s, {"SKU-1"})
    items = [bulk.Pending(RawOrder([(2 + i, {})]), placement.check(
        OrderIn.model_validate(order_body(customer=c)), skus))
        for i, c in enumerate((STRANGER, OWNER))]

    numbers = [r.number for r in bulk.write_chunk(db, items, actor=STAFF, settings=settings)]
    assert _customer_id(db, numbers[0]) != _customer_id(db, owners)
    assert _customer_id(db, numbers[1]) == _customer_id(db, owners)


def _merged_by_old_rule(db: Db, stranger: str, owner: str) -> None:
    """An order attached to someone else's record (the old phone-only match, or a
    staff edit of the order's phone): the contact on the order differs from the record."""
    with db.transaction() as s:
        owner_id = s.scalars(select(Order.customer_id).where(Order.number == owner)).one()
        order = s.scalars(select(Order).where(Order.number == stranger)).one()
        order.customer_id = owner_id


def test_finding_3_a_link_for_an_order_with_another_contact_shows_only_that_order(
        client: TestClient, db: Db, settings: Settings, catalog: Catalog) -> None:
    owner = make_order(db, settings, customer=OWNER, path=["paid"])
    stranger = make_order(db, settings, customer=STRANGER)
    _merged_by_old_rule(db, stranger, owner)
    while fanout.fan_out(db, settings):
        pass

    html = client.get(customer_security.tracking_path(settings, stranger, "/inbox")).text

    shown = re.findall(r'data-testid="message"', html)
    with db.read() as s:
        own = s.scalars(select(InboxMessage).join(Order, Order.id == InboxMessage.order_id)
                        .where(Order.number == stranger)).all()
        owners = s.scalars(select(InboxMessage).join(Order, Order.id == InboxMessage.order_id)
                           .where(Order.number == owner)).all()
    assert len(shown) == len(own) >= 1
    assert owners and all(m.read_at is None for m in owners)
    assert owner not in html


def test_finding_3_preferences_through_such_a_link_change_that_contact_only(
        client: TestClient, db: Db, settings: Settings, catalog: Catalog) -> None:
    owner = make_order(db, settings, customer=OWNER)
    stranger = make_order(db, settings, customer=STRANGER)
    _merged_by_old_rule(db, stranger, owner)
    owner_id = _customer_id(db, owner)
    path = customer_security.tracking_path(settings, stranger, "/preferences")

    response = client.post(path, headers=ORIGIN, data={
        "form_token": _token(client.get(path).text), "first_channel": "email",
        "second_channel": "inbox", "language": "en", "opt_out_marketing": "1"})

    assert response.status_code == 303
    with db.read() as s:
        owner_row = s.get_one(Customer, owner_id)
        moved = s.get_one(Customer, _customer_id(db, stranger))
    assert (owner_row.language, owner_row.opt_out_marketing) == ("zh-CN", False)
    assert moved.id != owner_id
    assert (moved.email, moved.language, moved.opt_out_marketing) == (
        "li@example.com", "en", True)


def test_finding_3_number_and_phone_tail_open_the_order_read_only(
        client: TestClient, db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings, customer=OWNER)
    view = customer_security.tracking_path(
        settings, number, "/inbox", scope=customer_security.Scope.VIEW)

    response = client.get(view)

    assert response.status_code == 303
    assert "limited=1" in response.headers["location"]
    page = client.get(response.headers["location"] + "&lang=en").text
    assert "open only from the link in a message we sent you" in page


def test_finding_10_customer_links_expire_and_the_page_says_so(
        client: TestClient, db: Db, settings: Settings, catalog: Catalog) -> None:
    number = make_order(db, settings, customer=OWNER)
    path = order_link(settings, number).removeprefix(settings.base_url)
    assert client.get(path).status_code == 200

    clock.advance(timedelta(days=settings.customer_link_days, hours=2))
    expired = client.get(path + "&lang=en")
    forged = client.get(f"/track/{number}?t=not-a-token&lang=en")

    assert expired.status_code == 410
    assert "This link has expired." in expired.text
    assert forged.status_code == 404
    assert "This link is not valid." in forged.text
    assert "expired" not in forged.text


def test_finding_3_staff_link_an_order_to_a_customer_and_its_link_then_shows_their_messages(
        client: TestClient, db: Db, settings: Settings, catalog: Catalog) -> None:
    owner = make_order(db, settings, customer=OWNER, path=["paid"])
    other = make_order(db, settings, customer={**OWNER, "email": "wang.fang@work.example"})
    while fanout.fan_out(db, settings):
        pass
    owner_id = _customer_id(db, owner)
    headers = {"Authorization": f"Bearer {make_token(db)}"}
    before = client.get(customer_security.tracking_path(settings, other, "/inbox")).text

    linked = client.post(f"/api/v1/orders/{other}/customer", headers=headers,
                         json={"customer_id": owner_id, "reason": "called her back"})
    after = client.get(customer_security.tracking_path(settings, other, "/inbox")).text

    assert linked.status_code == 200
    assert _customer_id(db, other) == owner_id
    assert owner not in before
    assert owner in after
    assert [e["kind"] for e in linked.json()["timeline"]][-1] == "customer.linked"
