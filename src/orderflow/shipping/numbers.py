"""Tracking numbers the simulated carrier issues, each in its carrier's own valid format.

Domestic formats follow the observed patterns of `tracking_numbers.CN_RULES` (DOMAIN-CN.md
§1.2); DHL Express numbers carry their mod-7 check digit, UPU S10 numbers theirs.
"""

from __future__ import annotations

import hashlib

from orderflow.shipping.tracking_numbers import expected_check_digit

_DOMESTIC = {
    "sf": ("SF", 13),
    "zto": ("78", 12),
    "yto": ("YT", 13),
    "jd": ("JDX", 12),
    "ems": ("1", 12),
    "sto": ("77", 13),
    "yunda": ("4", 14),
    "jt": ("JT", 13),
    "deppon": ("DPK", 12),
}


def serial_of(seed: str, digits: int) -> int:
    """A stable pseudo-random serial from a request id: retries get the same number."""
    return int(int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big") % 10**digits)


def make_number(tracking_code: str, serial: int) -> str:
    """The `serial`-th number of a carrier's format."""
    code = tracking_code.lower()
    if code in _DOMESTIC:
        prefix, digits = _DOMESTIC[code]
        return f"{prefix}{serial % 10**digits:0{digits}d}"
    if code == "dhl":
        body = f"{serial % 10**10:010d}"
        return body + expected_check_digit("mod7", body, {"modulo": 7})
    if code in ("s10", "ems_intl"):
        body = f"{serial % 10**8:08d}"
        return f"EA{body}{expected_check_digit('s10', body)}CN"
    return f"SIM{serial % 10**12:012d}"


def number_for(tracking_code: str, seed: str) -> str:
    return make_number(tracking_code, serial_of(seed, 14))
