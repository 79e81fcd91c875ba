"""Every default template of every customer milestone: SMS within two segments with the
【signature】 and the short link, in both languages; the zh-CN text of a Chinese order
holds no English word outside the order's own data."""

from __future__ import annotations

import re

import pytest

from orderflow import clock
from orderflow.notify import default_templates, templates
from orderflow.notify.sms.segments import count_segments, count_segments_cn
from tests.notify.samples_timenodes import NUMBER, TRACKING, ctx, customer_milestones

CHANNELS = ("sms", "email", "inbox")
# What the order itself brings in Latin letters: links, carrier codes and numbers.
ORDER_DATA = re.compile(r"https?://\S+|[A-Z]{2}\d{10,13}|SF|JT|EMS|TEE-W-L|CNY|" + NUMBER)


def _render(milestone: str, channel: str, language: str) -> list[str]:
    parts = default_templates.default(milestone, channel, language)
    assert parts is not None, (milestone, channel, language)
    rendered = templates.render(0, parts, ctx(milestone, language))
    return [t for t in (rendered.subject, rendered.body_text, rendered.body_html) if t]


@pytest.fixture(autouse=True)
def _now():
    from tests.notify.samples_timenodes import NOW

    clock.set_now(NOW)


@pytest.mark.parametrize("milestone", customer_milestones())
def test_every_default_sms_fits_two_segments_with_its_signature_and_short_link(milestone):
    (zh,) = _render(milestone, "sms", "zh-CN")
    (en,) = _render(milestone, "sms", "en")

    assert zh.startswith("【示例旗舰店】") and en.startswith("【示例旗舰店】")
    assert "https://shop.example.com/s/" in zh and "https://shop.example.com/s/" in en
    # Domestic billing (DOMAIN-CN §5.1): every character counts one, 70 / 67 per part,
    # the 【signature】 included; an English text with a Latin signature abroad is GSM-7.
    assert count_segments_cn(zh).segments <= 2, (len(zh), zh)
    assert count_segments_cn(en).segments <= 2, (len(en), en)
    latin = en.replace("【示例旗舰店】", "")
    assert count_segments(latin, signature="Demo Shop").segments <= 2


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("milestone", customer_milestones())
def test_a_chinese_order_s_notices_hold_no_english_outside_its_own_data(milestone, channel):
    for text in _render(milestone, channel, "zh-CN"):
        plain = re.sub(r"<[^>]+>", " ", text)  # markup is not text
        plain = re.sub(r'style="[^"]*"', " ", plain)
        words = re.findall(r"[A-Za-z]{2,}", ORDER_DATA.sub(" ", plain))
        assert words == [], (milestone, channel, words, plain)


def test_the_delay_notice_carries_its_reason_and_a_new_estimate_in_chinese():
    (sms,) = _render("order.delayed", "sms", "zh-CN")
    assert "可能延迟：订单暂时挂起，我们正在处理。最新预计2026-12-09 14:30。" in sms
    (en,) = _render("order.delayed", "sms", "en")
    assert "New estimate 09 Dec 2026, 14:30." in en
    _s, mail, _h = _render("order.delayed", "email", "en")
    assert "may be late (the order is on hold while we sort something out)" in mail


def test_the_confirmation_carries_what_the_issue_asks_for():
    subject, text, _html = _render("order.confirmed", "email", "zh-CN")
    assert subject == f"订单 {NUMBER} 已确认"
    for expected in ("2026-12-07 17:30 前以加急快递为您发出", "您的备注：请周末送货",
                     "售后说明：签收后 7 天内", "纯棉T恤 白色 L × 1", "客服电话：400-800-8888"):
        assert expected in text
    _s, en, _h = _render("order.confirmed", "email", "en")
    assert "ship it by 07 Dec 2026, 17:30 by express delivery" in en
    assert "Cotton tee, white, L x 1" in en
    assert TRACKING not in en
