from __future__ import annotations

import pytest

from orderflow.notify.sms.segments import count_segments, count_segments_cn, with_signature


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", "GSM-7", 0, 0),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("€" * 80, "GSM-7", 160, 1),  # extension table: two septets each
        ("€" * 81, "GSM-7", 162, 2),
        ("a" * 152 + "€", "GSM-7", 154, 1),
        # 152 + 2 > 153 in a part: the escape pair moves whole to part 2
        ("a" * 152 + "€" + "a" * 10, "GSM-7", 164, 2),
        ("中" * 70, "UCS-2", 70, 1),
        ("中" * 71, "UCS-2", 71, 2),
        ("中" * 134, "UCS-2", 134, 2),
        ("中" * 135, "UCS-2", 135, 3),
        ("a" * 159 + "中", "UCS-2", 160, 3),  # one non-GSM char switches the whole text
        ("😀" * 35, "UCS-2", 70, 1),  # surrogate pairs: two UTF-16 units each
        ("😀" * 36, "UCS-2", 72, 2),
        ("中" * 66 + "😀", "UCS-2", 68, 1),
        ("中" * 69 + "😀", "UCS-2", 71, 2),
        # 66 + 2 > 67: the pair is not split, part one holds 66 units, so 134 units need
        # three parts although 2 x 67 = 134
        ("中" * 66 + "😀" + "中" * 66, "UCS-2", 134, 3),
    ],
)
def test_exact_counts(text: str, encoding: str, units: int, segments: int) -> None:
    count = count_segments(text)
    assert (count.encoding, count.units, count.segments) == (encoding, units, segments)


def test_chinese_signature_counts_toward_length() -> None:
    assert with_signature("您好", "示例商城") == "【示例商城】您好"
    assert with_signature("您好", "【示例商城】") == "【示例商城】您好"
    text = "中" * 64
    assert count_segments(text).segments == 1
    count = count_segments(text, signature="示例商城")  # 6 more characters: 70
    assert (count.units, count.segments, count.text[:6]) == (70, 1, "【示例商城】")
    assert count_segments(text + "中", signature="示例商城").segments == 2


def test_per_part_capacity() -> None:
    assert count_segments("a").per_part == 160
    assert count_segments("a" * 200).per_part == 153
    assert count_segments("中").per_part == 70
    assert count_segments("中" * 71).per_part == 67


def test_domestic_billing_counts_ascii_like_chinese() -> None:
    assert count_segments("a" * 100).segments == 1  # GSM-7 abroad
    cn = count_segments_cn("a" * 100)
    assert (cn.encoding, cn.units, cn.segments) == ("UCS-2", 100, 2)
    assert count_segments_cn("x" * 64, "示例商城").segments == 1
    assert count_segments_cn("x" * 65, "示例商城").segments == 2
    # DOMAIN-CN §5.1: 160 characters bill as 67 + 67 + 26
    assert count_segments_cn("中" * 160).segments == 3
