"""Each checksum algorithm on hand-computed examples (arithmetic in the comments)."""

from __future__ import annotations

import pytest

from orderflow.shipping.tracking_numbers import (
    CHECKSUMS,
    expected_check_digit,
    luhn,
    mod7,
    mod10,
    mod_37_36,
    s10,
    sum_product_with_weightings_and_modulo,
)

UPS = {"evens_multiplier": 1, "odds_multiplier": 2, "modulo": 10}
USPS_IMPB_N = {"evens_multiplier": 3, "odds_multiplier": 1, "reverse": True}
FEDEX_12 = {"weightings": [3, 1, 7, 3, 1, 7, 3, 1, 7, 3, 1], "modulo1": 11, "modulo2": 10}


def test_mod10_multiplies_even_positions_by_evens_and_odd_by_odds() -> None:
    # "12345", positions 0..4: 1*1 + 2*2 + 3*1 + 4*2 + 5*1 = 21 -> 10 - 1 = 9
    assert mod10("12345", UPS) == "9"
    # UPS Waybill K 150623562 0: 1+10+0+12+2+6+5+12+2 = 50 -> 0
    assert mod10("150623562", UPS) == "0"


def test_mod10_maps_letters_to_ascii_minus_3_mod_10() -> None:
    # 1Z 5R8939035756712 7: R = (82 - 3) % 10 = 9. Evens 5+8+3+0+5+5+7+2 = 35,
    # odds (9+9+9+3+7+6+1) * 2 = 88, total 123 -> 7
    assert mod10("5R8939035756712", UPS) == "7"


def test_mod10_reverse_counts_positions_from_the_right() -> None:
    # "12345" reversed is 54321: 5*3 + 4 + 3*3 + 2 + 1*3 = 33 -> 7
    assert mod10("12345", USPS_IMPB_N) == "7"


def test_mod10_reverse_differs_on_even_lengths() -> None:
    # reversed 4321: 4*3 + 3 + 2*3 + 1 = 22 -> 8; forward 1234: 1*3 + 2 + 3*3 + 4 = 18 -> 2
    assert mod10("1234", USPS_IMPB_N) == "8"
    assert mod10("1234", {**USPS_IMPB_N, "reverse": False}) == "2"


def test_mod10_zero_total_gives_zero() -> None:
    assert mod10("0000", UPS) == "0"


def test_mod7_reads_the_serial_as_one_integer() -> None:
    # DHL 331881002 5: 7 * 47411571 = 331880997, remainder 5
    assert mod7("331881002", {"modulo": 7}) == "5"


def test_sum_product_with_weightings_and_two_moduli() -> None:
    # FedEx 98657878885 5: 27+8+42+15+7+56+21+8+56+24+5 = 269; 269 % 11 = 5; 5 % 10 = 5
    assert sum_product_with_weightings_and_modulo("98657878885", FEDEX_12) == "5"


def test_sum_product_remainder_ten_becomes_zero() -> None:
    # 5 * 2 = 10; 10 % 11 = 10; 10 % 10 = 0
    params = {"weightings": [2], "modulo1": 11, "modulo2": 10}
    assert sum_product_with_weightings_and_modulo("5", params) == "0"


def test_s10_weights_8_6_4_2_3_5_9_7() -> None:
    # 12345678: 8+12+12+8+15+30+63+56 = 204; 204 % 11 = 6; 11 - 6 = 5
    assert s10("12345678", {}) == "5"
    # 快递100's EM 26399951 3 JP: 16+36+12+18+27+45+45+7 = 206; 206 % 11 = 8; 11 - 8 = 3
    assert s10("26399951", {"weightings": [8, 6, 4, 2, 3, 5, 9, 7], "modulo": 11}) == "3"


@pytest.mark.parametrize(
    ("serial", "check", "why"),
    [
        ("00000000", "5", "sum 0, remainder 0 -> 11 -> 5"),
        ("00004000", "0", "4*3 = 12, remainder 1 -> 10 -> 0"),
        ("00000200", "1", "2*5 = 10, remainder 10 -> 1"),
        ("00000011", "6", "9 + 7 = 16, remainder 5 -> 6"),
    ],
)
def test_s10_edge_remainders(serial: str, check: str, why: str) -> None:
    assert s10(serial, {}) == check, why


def test_luhn() -> None:
    # 7992739871, from the right: 1*2=2, 7, 8*2=16->7, 9, 3*2=6, 7, 2*2=4, 9, 9*2=18->9, 7;
    # total 67 -> 3 (the textbook 79927398713)
    assert luhn("7992739871", {"modulo": 10}) == "3"
    # Old Dominion 0720956276 3
    assert luhn("0720956276", {}) == "3"


def test_mod_37_36_single_characters() -> None:
    # "0": 36+0 = 36, *2 = 72, -37 = 35; check = 37 - 35 = 2
    assert mod_37_36("0", {}) == "2"
    # "A" (10): 36+10 = 46, -36 = 10, *2 = 20; check = 37 - 20 = 17 -> "H"
    assert mod_37_36("A", {}) == "H"


def test_mod_37_36_dpd_parcel_number() -> None:
    # DPD 09 9800 0002 0033 F: running 35,16,13,5,10,20,3,6,12,28,19,1,8,22; 37 - 22 = 15 -> F
    params = {"modulo": 36, "alphabet": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
    assert mod_37_36("09980000020033", params) == "F"


def test_every_algorithm_the_specs_use_is_registered() -> None:
    assert set(CHECKSUMS) == {
        "mod10",
        "mod7",
        "s10",
        "luhn",
        "mod_37_36",
        "sum_product_with_weightings_and_modulo",
    }
    assert expected_check_digit("s10", "12345678") == "5"
