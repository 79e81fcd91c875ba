"""The public tracking_number_data vectors (CSV) and how we score them.

Semantics, as upstream consumers test them: a `valid` number must be detected for its format
and pass that format's checks; an `invalid` one must be not detected, or detected but flagged
invalid, *for that format*. Formats without an `id` are named by `format_name`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from orderflow.shipping.tracking_numbers import detect, validate

CSV_PATH = Path(__file__).parent / "data" / "test_vectors.csv"

# PyPI `tracking-numbers` 0.1.8 (Nov 2022, built from an older copy of the data) scores 83/192
# valid and 84/88 invalid on this snapshot (measured in the data set's README): it lacks Canada
# Post, Canpar, DPD, GOFO, Landmark, LaserShip, Spee-Dee, Yodel and YunExpress.
OLD_PACKAGE_VALID = 83
OLD_PACKAGE_INVALID = 84


@dataclass(frozen=True)
class Vector:
    courier: str
    format: str  # format_id, or format_name when the format has no id
    number: str
    valid: bool

    @property
    def label(self) -> str:
        return f"{self.courier}/{self.format}/{self.number.strip()}"


def load() -> list[Vector]:
    with CSV_PATH.open(encoding="utf-8", newline="") as handle:
        return [
            Vector(
                row["courier_code"],
                row["format_id"] or row["format_name"],
                row["number"],
                row["expected"] == "valid",
            )
            for row in csv.DictReader(handle)
        ]


def detected_for_format(vector: Vector) -> bool:
    return any(
        m.carrier == vector.courier and vector.format in (m.format_id, m.service)
        for m in detect(vector.number)
    )


def passes(vector: Vector) -> bool:
    """True when our result is what the vector expects."""
    detected = detected_for_format(vector)
    ok = validate(vector.number, vector.courier, vector.format).ok
    return (detected and ok) if vector.valid else (not detected and not ok)


def score() -> tuple[int, int, int, int]:
    """(valid passing, valid total, invalid rejected, invalid total)."""
    vectors = load()
    valid = [v for v in vectors if v.valid]
    invalid = [v for v in vectors if not v.valid]
    return sum(map(passes, valid)), len(valid), sum(map(passes, invalid)), len(invalid)


def summary_line() -> str:
    good, valid, rejected, invalid = score()
    return (
        f"tracking vectors: valid detected+validated {good}/{valid}, "
        f"invalid rejected {rejected}/{invalid} "
        f"(PyPI tracking-numbers 0.1.8: {OLD_PACKAGE_VALID}/{valid}, "
        f"{OLD_PACKAGE_INVALID}/{invalid})"
    )
