"""Chinese domestic carriers: suggestions from DOMAIN-CN.md §1.2, warn-never-refuse."""

from __future__ import annotations

import pytest

from orderflow.shipping.tracking_numbers import check_cn, detect_cn


def carriers_of(number: str, confidence: str = "high") -> set[str]:
    return {g.carrier for g in detect_cn(number) if g.confidence == confidence}


@pytest.mark.parametrize(
    ("number", "carrier"),
    [
        ("SF1023574626292", "sf"),  # §1.2 example [S36]
        ("YT9693083639795", "yto"),  # [S2]
        ("73" + "1" * 12, "zto"),
        ("78" + "1" * 12, "zto"),
        ("77316523125896", "sto"),  # [S33]
        ("462598779470531", "yunda"),  # [S33]
        ("JT0006968326954", "jt"),  # [S33]
        ("JDVA11408814483", "jd"),  # [S33]
        ("JDX000000000001", "jd"),
        ("1136281381675", "ems"),  # domestic, [S4]
        ("1240921381750", "ems"),  # [S33]
        ("DPK364112047425", "deppon"),  # [S33]
        ("EA123456785CN", "ems"),  # international, UPU S10
    ],
)
def test_doc_examples_are_suggested_with_high_confidence(number: str, carrier: str) -> None:
    assert carrier in carriers_of(number)


def test_guesses_cite_the_doc_and_strong_ones_come_first() -> None:
    guesses = detect_cn("432542035598773")  # the doc's ZTO example, also STO/Yunda-shaped
    assert all(g.source.startswith("DOMAIN-CN.md §1.2") for g in guesses)
    confidences = [g.confidence for g in guesses]
    assert confidences == sorted(confidences, key=lambda c: c != "high")
    assert "zto" in carriers_of("432542035598773", "low")


def test_sf_legacy_twelve_digits_is_only_a_weak_guess() -> None:
    assert "sf" in carriers_of("123456789012", "low")
    assert "sf" not in carriers_of("123456789012")


def test_zto_prefixes_follow_the_doc_regex() -> None:
    assert "zto" not in carriers_of("79" + "1" * 12)
    assert "zto" not in carriers_of("77" + "1" * 12)  # 77 + 12 digits is STO


def test_nothing_chinese_about_a_ups_number() -> None:
    assert detect_cn("1Z5R89390357567127") == []


def test_a_matching_number_has_no_warnings() -> None:
    result = check_cn("sf 1023 5746 26292", "SF")
    assert (result.accepted, result.carrier, result.warnings) == (True, "sf", ())


def test_provider_codes_are_accepted_as_aliases() -> None:
    assert check_cn("YT9693083639795", "yuantong").carrier == "yto"
    assert check_cn("3950055201640", "YD").carrier == "yunda"


@pytest.mark.parametrize(
    ("number", "carrier", "code"),
    [
        ("YT9693083639795", "sf", "pattern_mismatch"),  # a YTO number booked as SF
        ("SF12345", "sf", "pattern_mismatch"),
        ("ab", "jd", "charset_length"),
        ("JD0001234567890123", "jdl", "pattern_mismatch"),  # a future JD format
        ("123456789012", "shunfeng", "weak_pattern"),
        ("SF1023574626292", "cainiao", "unknown_carrier"),
    ],
)
def test_mismatches_warn_but_are_never_refused(number: str, carrier: str, code: str) -> None:
    result = check_cn(number, carrier)
    assert result.accepted
    assert code in {w.code for w in result.warnings}
    assert all(w.message for w in result.warnings)


def test_mismatch_warning_suggests_the_carriers_that_fit() -> None:
    (warning,) = check_cn("YT9693083639795", "sf").warnings
    assert warning.suggestions == ("yto",)


def test_ems_international_s10_is_checked_strictly() -> None:
    good = check_cn("EA123456785CN", "ems")
    assert good.accepted
    assert good.warnings == ()
    assert good.s10 is not None
    assert good.s10.ok
    bad = check_cn("EA123456784CN", "chinapost")
    assert not bad.accepted
    assert [w.code for w in bad.warnings] == ["s10"]
    assert "expected 5, got 4" in bad.warnings[0].message


def test_ems_domestic_numbers_stay_lenient() -> None:
    assert check_cn("1136281381675", "ems").warnings == ()
    assert check_cn("2136281381675", "ems").accepted
