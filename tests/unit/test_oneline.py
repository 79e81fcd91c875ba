"""One pasted address line into name, phone and the division fields."""

from __future__ import annotations

import pytest

from orderflow.intake.oneline import parse_line

CASES = [
    ("张三 13800138000 广东省深圳市南山区高新南七道12号",
     ("张三", "13800138000", "广东省", "深圳市", "南山区", "高新南七道12号")),
    ("收货人：李四，手机：138-1234-5678，地址：浙江省杭州市西湖区文三路100号",
     ("李四", "138-1234-5678", "浙江省", "杭州市", "西湖区", "文三路100号")),
    ("上海市浦东新区世纪大道100号 陈七 021-12345678",
     ("陈七", "021-12345678", "上海市", "上海市", "浦东新区", "世纪大道100号")),
    ("深圳市南山区高新南七道12号 Tom 13800138000",
     ("Tom", "13800138000", "广东省", "深圳市", "南山区", "高新南七道12号")),
    ("海曙区中山西路1号", (None, None, "浙江省", "宁波市", "海曙区", "中山西路1号")),
    ("吉林省朝阳区建国路1号", (None, None, "吉林省", "长春市", "朝阳区", "建国路1号")),
    ("王**，131****1907，广东省广州市天河区体育西路1号",
     ("王**", "131****1907", "广东省", "广州市", "天河区", "体育西路1号")),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_a_line_is_split_into_name_phone_and_divisions(text, expected):
    p = parse_line(text)

    assert (p.name, p.phone, p.province, p.city, p.district, p.detail) == expected
    assert p.candidates == []


def test_a_street_is_recognised_in_the_detail():
    p = parse_line("广东省深圳市南山区粤海街道科技园10栋")

    assert (p.street, p.detail) == ("粤海街道", "粤海街道科技园10栋")


def test_a_district_in_several_cities_is_ambiguous_with_every_candidate():
    p = parse_line("朝阳区建国路88号")

    assert p.ambiguous
    assert (p.province, p.city, p.district) == (None, None, "朝阳区")
    assert p.candidates == ["北京市 北京市 朝阳区", "吉林省 长春市 朝阳区"]
