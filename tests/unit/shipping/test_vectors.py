"""Every vector of the public tracking_number_data snapshot, one test each (ids name the
courier/format/number, so a failure says which)."""

from __future__ import annotations

import json
from collections import defaultdict
from importlib import resources

import pytest

from orderflow.shipping.tracking_numbers import detect, validate
from tests.unit.shipping.vectors import Vector, detected_for_format, load, score

VECTORS = load()
VALID = [v for v in VECTORS if v.valid]
INVALID = [v for v in VECTORS if not v.valid]


def test_the_snapshot_has_192_valid_and_88_invalid_vectors() -> None:
    assert (len(VALID), len(INVALID)) == (192, 88)


@pytest.mark.parametrize("vector", VALID, ids=[v.label for v in VALID])
def test_valid_vector_is_detected_and_validates(vector: Vector) -> None:
    assert detected_for_format(vector), [(m.carrier, m.service) for m in detect(vector.number)]
    result = validate(vector.number, vector.courier, vector.format)
    assert result.ok, result


@pytest.mark.parametrize("vector", INVALID, ids=[v.label for v in INVALID])
def test_invalid_vector_is_rejected_for_its_format(vector: Vector) -> None:
    assert not detected_for_format(vector)
    result = validate(vector.number, vector.courier, vector.format)
    assert not result.ok
    assert result.reason in ("pattern", "checksum", "lookup")


def test_score_beats_the_old_pypi_package() -> None:
    # Old PyPI `tracking-numbers` 0.1.8: 83/192 valid, 84/88 invalid on this same snapshot.
    assert score() == (192, 192, 88, 88)


def test_the_one_invalid_vector_that_is_valid_for_a_sibling_format() -> None:
    # Purolator "alpha + 9" lists 331426749957 as invalid: it is a valid Purolator (12) number,
    # so it is rejected for its format but the carrier as a whole accepts it.
    assert not validate("331426749957", "purolator", "purolator_alpha").ok
    assert validate("331426749957", "purolator").service == "Purolator (12)"


def _vendored_test_numbers() -> dict[tuple[str, str], dict[str, list[str]]]:
    folder = resources.files("orderflow.shipping") / "tracking_data" / "couriers"
    table: dict[tuple[str, str], dict[str, list[str]]] = {}
    for entry in folder.iterdir():
        courier = json.loads(entry.read_text(encoding="utf-8"))
        for fmt in courier["tracking_numbers"]:
            key = (courier["courier_code"], fmt.get("id") or fmt["name"])
            table[key] = fmt["test_numbers"]
    return table


def test_csv_agrees_with_the_vendored_specs() -> None:
    from_csv: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(
        lambda: {"valid": [], "invalid": []}
    )
    for v in VECTORS:
        from_csv[(v.courier, v.format)]["valid" if v.valid else "invalid"].append(v.number)
    assert dict(from_csv) == _vendored_test_numbers()
