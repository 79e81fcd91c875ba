"""The review rules on real-looking Chinese and international orders."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from orderflow.review import messages, rules
from orderflow.review.config import ReviewConfig
from orderflow.review.facts import LineFacts, Neighbour, OrderFacts, StockFacts

CFG = ReviewConfig()
NOW = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)


def cn_order(**changes: object) -> OrderFacts:
    base = OrderFacts(
        number="261203000017", country="CN", province="浙江省", city="杭州市",
        district="西湖区", detail="文三路 100 号 华星科技大厦 5 楼", postal_code=None,
        recipient_name="张三", recipient_phone="+8613800138000", pii_masked=False,
        currency="CNY", subtotal_minor=33600, shipping_minor=0, discount_minor=0,
        total_minor=33600, paid_minor=33600, cod=False, buyer_remark=None,
        seller_remark=None, placed_at=NOW, paid_at=NOW,
        lines=(LineFacts("TEA-001", 2, 16800, 33600, "tea"),), previous_orders=2,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def intl_order(**changes: object) -> OrderFacts:
    base = cn_order(country="US", province="CA", city="San Francisco", district=None,
                    detail="1 Market St, Suite 300", postal_code="94105",
                    recipient_name="Jane Doe", recipient_phone="+14155550123",
                    currency="USD")
    return replace(base, **changes)  # type: ignore[arg-type]


def codes(facts: OrderFacts, cfg: ReviewConfig = CFG) -> dict[str, str]:
    return {f.code: f.outcome for f in rules.review(facts, cfg).findings}


def test_a_clean_chinese_order_passes_and_its_address_is_normalised():
    verdict = rules.review(cn_order(), CFG)

    assert verdict.outcome == "pass"
    assert verdict.findings == ()
    assert verdict.rules == dict.fromkeys(
        ("completeness", "validity", "address", "duplicates", "risk"), "pass")
    assert verdict.address == rules.Normalised(
        "浙江省", "杭州市", "西湖区", "文三路 100 号 华星科技大厦 5 楼", "330106", False)


@pytest.mark.parametrize(("province", "city", "district", "detail", "expected"), [
    # short names and missing suffixes are normalised
    ("浙江", "杭州", "西湖区", "文三路100号",
     ("浙江省", "杭州市", "西湖区", "文三路100号", "330106")),
    # everything pasted into the detail line
    (None, None, None, "广东省深圳市南山区科技园科苑路15号",
     ("广东省", "深圳市", "南山区", "科技园科苑路15号", "440305")),
    # a municipality: the city is the province
    ("上海市", "上海市", "浦东新区", "张江路 88 弄 3 号", ("上海市", "上海市", "浦东新区",
                                                     "张江路 88 弄 3 号", "310115")),
    # 朝阳区 of Beijing, not of 长春
    ("北京", "北京市", "朝阳区", "北苑路华贸城 2 号楼", ("北京市", "北京市", "朝阳区",
                                                 "北苑路华贸城 2 号楼", "110105")),
    # a district created after cpca's snapshot (2021)
    ("浙江省", "杭州市", "临平区", "南苑街道 1 号", ("浙江省", "杭州市", "临平区",
                                               "南苑街道 1 号", "330113")),
    # the district only in the detail
    ("广东省", "广州市", None, "天河区体育西路 191 号", ("广东省", "广州市", "天河区",
                                                   "体育西路191号", "440106")),
])
def test_chinese_addresses_are_parsed_into_province_city_district(
        province, city, district, detail, expected):
    verdict = rules.review(cn_order(province=province, city=city, district=district,
                                    detail=detail), CFG)

    a = verdict.address
    assert a is not None
    assert (a.province, a.city, a.district, a.detail, a.adcode) == expected
    assert "address" not in {f.rule for f in verdict.findings}


def test_a_district_of_another_city_is_blocked_and_says_where_it_belongs():
    verdict = rules.review(cn_order(city="深圳市", province="广东省", district="天河区"), CFG)

    [finding] = verdict.findings
    assert (finding.code, finding.outcome) == ("address.district", "block")
    assert messages.render(finding.code, finding.params, "en") == (
        "'天河区' is not a district of 深圳市 (it is in 广州市).")
    assert messages.render(finding.code, finding.params, "zh-CN") == (
        "「天河区」不在深圳市(属于广州市)。")


def test_a_city_of_another_province_and_an_unreadable_address_are_blocked():
    assert codes(cn_order(province="江苏省", city="杭州市")) == {"address.city": "block"}
    assert codes(cn_order(province=None, city=None, district=None,
                          detail="火星基地 1 号")) == {"address.unparseable": "block"}


def test_remote_regions_are_marked_and_the_merchant_can_let_them_pass():
    remote = cn_order(province="新疆维吾尔自治区", city="乌鲁木齐市", district="天山区",
                      detail="人民路 2 号")

    assert codes(remote) == {"address.remote": "warn"}
    assert rules.review(remote, CFG).address.remote is True  # type: ignore[union-attr]
    relaxed = ReviewConfig(severity={"address.remote": "pass"})
    assert rules.review(remote, relaxed).outcome == "pass"


@pytest.mark.parametrize(("phone", "wants_sms", "expected"), [
    ("+8613800138000", True, {}),
    ("+8619212345678", True, {}),  # 中国广电 192
    ("+861062345678", True, {"address.phone_not_mobile": "warn"}),  # 010 landline
    ("+861062345678", False, {}),
    ("12345678901", True, {"address.phone_invalid": "block"}),
    ("138****8000", True, {}),  # masked by the platform: nothing to check
])
def test_the_phone_must_be_a_valid_mobile_where_sms_is_wanted(phone, wants_sms, expected):
    assert codes(cn_order(recipient_phone=phone, wants_sms=wants_sms)) == expected


@pytest.mark.parametrize(("changes", "expected"), [
    ({}, {}),
    ({"postal_code": "9410"}, {"address.postal_code": "block"}),
    ({"postal_code": None}, {"address.postal_missing": "block"}),
    ({"country": "GB", "city": "London", "postal_code": "SW1A 1AA", "province": None,
      "recipient_phone": "+447911123456"}, {}),
    ({"country": "GB", "city": "London", "postal_code": "12345",
      "recipient_phone": "+447911123456"}, {"address.postal_code": "block"}),
    ({"country": "JP", "province": "東京都", "city": "千代田区", "postal_code": "100-0001",
      "recipient_phone": "+819012345678"}, {}),
    ({"province": None}, {"address.state_missing": "block"}),
    ({"country": "DE", "city": "Berlin", "postal_code": "10117",
      "recipient_phone": "+4915112345678"}, {}),
    ({"country": "XX"}, {"address.country": "block"}),
    ({"recipient_phone": "+1415555"}, {"address.phone_invalid": "block"}),
])
def test_international_addresses_are_checked_against_the_country_format(changes, expected):
    assert codes(intl_order(**changes)) == expected


def test_completeness_names_everything_missing():
    found = codes(cn_order(recipient_name=" ", recipient_phone=None, province=None, city=None,
                           district=None, detail="", lines=(), paid_minor=0))

    assert found == {"complete.recipient": "block", "complete.phone": "block",
                     "complete.address": "block", "complete.lines": "block",
                     "complete.payment": "block", "valid.subtotal": "block",
                     "address.unparseable": "block"}


def test_validity_blocked_customer_unpaid_and_inconsistent_amounts():
    found = codes(cn_order(customer_blocked=True, customer_blocked_reason="chargebacks",
                           paid_minor=10000, total_minor=33700,
                           lines=(LineFacts("TEA-001", 2, 16800, 33500, "tea"),)))

    assert found == {"valid.customer_blocked": "block", "valid.unpaid": "block",
                     "valid.line_total": "block", "valid.subtotal": "block",
                     "valid.total": "block"}


def test_cash_on_delivery_is_refused_in_excluded_regions_and_above_the_limit():
    cod = cn_order(cod=True, paid_minor=0)
    tibet = replace(cod, province="西藏自治区", city="拉萨市", district="城关区",
                    detail="北京中路 10 号")
    big = replace(cod, total_minor=150000, subtotal_minor=150000,
                  lines=(LineFacts("TEA-001", 10, 15000, 150000, "tea"),))

    assert codes(cod) == {}
    assert codes(tibet) == {"valid.cod_region": "block", "address.remote": "warn"}
    assert codes(big) == {"valid.cod_amount": "block"}


def test_a_likely_duplicate_inside_the_window_is_blocked():
    mine = cn_order()
    twin = Neighbour("261203000009", NOW - timedelta(hours=3), True, True,
                     rules.address_key("CN", "浙江省", "杭州市", "西湖区",
                                       "文三路１００号 华星科技大厦5楼"),
                     rules.items_key([("TEA-001", 2)]))
    other_items = replace(twin, number="261203000010", items_key="TEA-001x3")
    too_old = replace(twin, number="261201000001", placed_at=NOW - timedelta(hours=30))

    verdict = rules.review(replace(mine, neighbours=(twin, other_items, too_old)), CFG)

    [finding] = verdict.findings
    assert finding.code == "dup.likely"
    assert finding.params["others"] == "261203000009"
    assert messages.render(finding.code, finding.params, "en") == (
        "Likely a duplicate of 261203000009: same customer, same address and items "
        "within 24 h.")
    wider = ReviewConfig(duplicate_window_hours=48)
    assert rules.review(replace(mine, neighbours=(too_old,)), wider).outcome == "block"


def test_the_same_sku_over_several_orders_beyond_stock_and_a_failed_reservation_block():
    short = cn_order(lines=(LineFacts("TEA-001", 2, 16800, 33600, "tea", unreserved=2),),
                     stock={"TEA-001": StockFacts(available=5, other_demand=4, other_orders=2)})
    enough = replace(short, stock={"TEA-001": StockFacts(6, 4, 2)})

    assert codes(short) == {"dup.stock_conflict": "block"}
    [f] = rules.review(short, CFG).findings
    assert f.params == {"sku": "TEA-001", "demand": 6, "orders": 3, "available": 5}
    assert codes(enough) == {}
    assert codes(cn_order(reservation_failed="SKU TEA-001 is out of stock")) == {
        "dup.reservation_failed": "block"}


@pytest.mark.parametrize(("buyer", "seller", "word"), [
    ("麻烦改地址到公司", None, "改地址"),
    ("请加急,明天要用", None, "加急"),
    (None, "客户要开发票:抬头 某某公司", "发票"),
    ("Please CHANGE ADDRESS to my office", None, "CHANGE ADDRESS"),
    ("urgent please", None, "urgent"),
    ("need an Invoice", None, "Invoice"),
])
def test_remarks_with_words_that_need_a_person_warn(buyer, seller, word):
    verdict = rules.review(cn_order(buyer_remark=buyer, seller_remark=seller), CFG)

    [finding] = verdict.findings
    assert (finding.code, finding.outcome, finding.params["word"]) == ("risk.remark", "warn", word)


def test_high_value_and_first_order_high_value():
    big = cn_order(total_minor=250000, subtotal_minor=250000, paid_minor=250000,
                   lines=(LineFacts("TEA-009", 1, 250000, 250000, "tea"),))
    first = replace(big, total_minor=90000, subtotal_minor=90000, paid_minor=90000,
                    lines=(LineFacts("TEA-009", 1, 90000, 90000, "tea"),), previous_orders=0)

    assert codes(big) == {"risk.high_value": "warn"}
    assert codes(first) == {"risk.first_order_high_value": "warn"}
    assert codes(replace(first, previous_orders=3)) == {}


def test_a_disabled_rule_family_does_not_run():
    cfg = ReviewConfig(disabled_rules=["risk"])

    verdict = rules.review(cn_order(buyer_remark="加急"), cfg)

    assert verdict.outcome == "pass"
    assert "risk" not in verdict.rules


def test_every_finding_code_has_both_languages():
    for code, (en, zh) in messages.MESSAGES.items():
        assert en and zh and en != zh, code


@pytest.mark.parametrize(("province", "city", "district", "detail"), [
    ("海南省", "陵水黎族自治县", None, "英州镇清水湾 1 号"),
    ("海南省", "省直辖县级行政区划", "陵水黎族自治县", "英州镇清水湾 1 号"),
    (None, None, None, "湖北省仙桃市沔阳大道 1 号"),
    ("广东省", "东莞市", None, "长安镇振安路 8 号"),  # a city without districts
])
def test_counties_under_the_province_and_cities_without_districts_pass(
        province, city, district, detail):
    verdict = rules.review(cn_order(province=province, city=city, district=district,
                                    detail=detail), CFG)

    assert verdict.outcome == "pass"
