"""The customer is told once at every after-sales step, in their language."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from orderflow.aftersales import policy, receiving, service
from orderflow.aftersales.schemas import PolicyIn, ReceiveIn
from orderflow.notify import default_templates, fanout, milestones
from orderflow.notify.models import Notice
from tests.builders.orders import make_catalog
from tests.integration.aftersales.helpers import STAFF, delivered, open_case


def test_every_after_sales_milestone_has_templates_in_both_languages():
    codes = [c for c in milestones.MILESTONES if c.startswith("aftersales.")]

    assert len(codes) == 5
    for code in [*codes, "order.refund_issued"]:
        assert code in default_templates.ZH
        assert code in default_templates.EN


@pytest.mark.parametrize(("language", "approved", "refunded"), [
    ("zh-CN", "请将商品寄回：上海市浦东新区退货仓", "已发起，将原路退回"),
    ("en", "Please send the goods to: 上海市浦东新区退货仓", "to the way you paid"),
])
def test_each_step_is_told_once_in_the_customers_language(db, settings, language, approved,
                                                          refunded):
    make_catalog(db)
    policy.set_policy(db, PolicyIn(return_address="上海市浦东新区退货仓"), actor=STAFF)
    number = delivered(db, settings, [("SKU-1", 1)])
    from orderflow.orders.models import Order

    with db.transaction() as s:
        s.scalars(select(Order).where(Order.number == number)).one().language = language
    case_id = open_case(db, number, "return_refund", "quality_damaged")
    service.approve_case(db, case_id, actor=STAFF)
    receiving.receive(db, ReceiveIn(scan=number), actor=STAFF)
    service.refund_case(db, case_id, actor=STAFF)

    fanout.fan_out(db, settings)
    fanout.fan_out(db, settings)

    with db.read() as s:
        inbox = {n.milestone: n.body_text for n in s.scalars(
            select(Notice).where(Notice.channel == "inbox"))}
        count = len(list(s.scalars(select(Notice).where(
            Notice.channel == "inbox", Notice.milestone.like("aftersales.%")))))
    assert count == 3  # requested, approved, received: once each
    assert f"{number}-R1" in inbox["aftersales.requested"]
    assert approved in inbox["aftersales.approved"]
    assert refunded in inbox["order.refund_issued"]


def test_cases_and_refunds_reach_subscribed_webhooks(db, settings):
    from orderflow.notify import service as notify

    make_catalog(db)
    notify.add_endpoint(db, "http://127.0.0.1:9/hooks", description="erp", test_mode=True,
                        events=["aftersales.requested", "aftersales.received",
                                "order.refund_issued"])
    number = delivered(db, settings, [("SKU-1", 1)])
    case_id = open_case(db, number, "return_refund", "quality_damaged")
    service.approve_case(db, case_id, actor=STAFF)
    receiving.receive(db, ReceiveIn(scan=number), actor=STAFF)
    service.refund_case(db, case_id, actor=STAFF)

    fanout.fan_out(db, settings)

    with db.read() as s:
        hooks = [(n.milestone, n.params["data"]) for n in s.scalars(
            select(Notice).where(Notice.channel == "webhook").order_by(Notice.id))]
    assert [m for m, _d in hooks] == ["aftersales.requested", "aftersales.received",
                                      "order.refund_issued"]
    assert hooks[0][1]["case_number"] == f"{number}-R1"
    assert hooks[2][1]["amount"] == "10.00"
