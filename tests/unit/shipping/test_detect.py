"""detect()/validate() behaviour beyond the vectors: normalisation, S10/EMS, reasons."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderflow.shipping.tracking_numbers import carriers, detect, normalise, validate
from tests.unit.shipping.vectors import Vector, load


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        (" 1z 5r89 3903 5756 7127\n", "1Z5R89390357567127"),
        ("EA-123-456-785-CN", "EA123456785CN"),
        ("ＳＦ１０２３５７４６２６２９２", "SF1023574626292"),  # full-width, from a Chinese IME
        ("ea\u3000123456785cn", "EA123456785CN"),  # ideographic space
        ("1LS7119013618127\u20131", "1LS71190136181271"),  # en dash
    ],
)
def test_normalise_strips_spaces_and_dashes_and_upper_cases(raw: str, plain: str) -> None:
    assert normalise(raw) == plain


def test_normalise_can_keep_dashes() -> None:
    assert normalise("1ls7 1190 1361 8127-1", keep_dashes=True) == "1LS7119013618127-1"


def test_lower_case_spaced_and_dashed_input_is_detected() -> None:
    (match,) = detect("1z5r-8939-0357-5671-27")
    assert (match.carrier, match.number, match.check_digit) == ("ups", "1Z5R89390357567127", "7")
    assert match.serial == "5R8939035756712"
    assert match.info["Service Type"] == "UPS United States Ground"
    assert match.tracking_url is not None
    assert match.tracking_url.endswith("trackNums=1Z5R89390357567127")


def test_a_format_that_needs_its_dash_keeps_it() -> None:
    (match,) = [m for m in detect("1LS7119013618127-1") if m.carrier == "lasership"]
    assert match.number == "1LS7119013618127-1"


def test_ems_cn_number_is_validated_by_s10() -> None:
    (match,) = detect("EA 123 456 785 CN")
    assert (match.carrier, match.courier_name) == ("s10", "China Post")
    assert match.info == {"Service Type": "EMS", "Courier": "China Post"}
    assert validate("EA123456785CN", "s10").ok


def test_ems_cn_number_with_a_wrong_check_digit_fails_with_expected_and_given() -> None:
    result = validate("EA123456784CN", "s10")
    assert (result.ok, result.reason, result.expected, result.given) == (
        False,
        "checksum",
        "5",
        "4",
    )
    assert detect("EA123456784CN") == []


@pytest.mark.parametrize(
    ("number", "why"),
    [
        ("EE000000005CN", "remainder 0 -> check 5"),
        ("EE000040000CN", "remainder 1 -> check 0"),
        ("EM263999513JP", "快递100's example, sum 206"),
    ],
)
def test_s10_edge_cases_validate(number: str, why: str) -> None:
    assert validate(number, "s10").ok, why


def test_s10_unknown_country_fails_the_courier_lookup() -> None:
    result = validate("RB123456785XX", "s10")
    assert (result.ok, result.reason) == (False, "lookup")


def test_pattern_mismatch_and_unknown_carrier() -> None:
    assert validate("hello", "ups").reason == "pattern"
    assert validate("1Z5R89390357567127", "sf-express").reason == "unknown carrier"
    assert validate("1Z5R89390357567127", "ups", "no such format").reason == "unknown carrier"


def test_validate_picks_the_format_that_passes() -> None:
    result = validate("0414 4176 0228 964", "FedEx")
    assert (result.ok, result.service) == (True, "FedEx Ground")


def test_every_data_set_courier_is_loaded() -> None:
    assert len(carriers()) == 18
    assert sum(len(v) for v in carriers().values()) == 39


def test_empty_and_oversized_input() -> None:
    assert detect("") == []
    assert detect(" - ") == []
    assert detect("1" * 10_000) == []


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_detect_never_raises_on_arbitrary_text(text: str) -> None:
    for match in detect(text):
        assert validate(match.number, match.carrier, match.service).ok


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"[A-Z0-9 \-]{0,40}", fullmatch=True))
def test_whatever_is_detected_in_tracking_like_text_validates_for_its_carrier(text: str) -> None:
    for match in detect(text):
        assert match.carrier in KNOWN_CARRIERS
        assert validate(match.number, match.carrier, match.service).ok, match


VALID_VECTORS = [v for v in load() if v.valid and "-" not in v.number]
KNOWN_CARRIERS = {v.courier for v in load()} | {"s10"}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(VALID_VECTORS), st.data())
def test_a_valid_number_typed_with_spaces_dashes_or_lower_case_is_detected_for_its_carrier(
        vector: Vector, data: st.DataObject) -> None:
    """Every valid vector of ../shared/data/tracking-numbers (copied into data/), however a
    person types it, is detected as its courier and format."""
    plain = normalise(vector.number)
    cuts = sorted(data.draw(st.sets(st.integers(1, len(plain) - 1), max_size=4)))
    pieces = [plain[i:j] for i, j in zip([0, *cuts], [*cuts, len(plain)], strict=True)]
    separators = data.draw(st.lists(st.sampled_from([" ", "-", "\u3000", "  "]),
                                    min_size=len(pieces) - 1, max_size=len(pieces) - 1))
    typed = pieces[0] + "".join(s + p for s, p in zip(separators, pieces[1:], strict=True))
    if data.draw(st.booleans()):
        typed = typed.lower()
    typed = data.draw(st.sampled_from(["", " ", "\n"])) + typed + data.draw(
        st.sampled_from(["", " ", "\t"]))

    found = detect(typed)

    assert any(m.carrier == vector.courier and vector.format in (m.format_id, m.service)
               and m.number == plain for m in found), (typed, vector.label, found)
