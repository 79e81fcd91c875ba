"""Tracking-number detection and validation.

Two layers:

* **Strict, spec-driven** (`detect`, `validate`): the courier specs of the public
  `tracking_number_data` set (vendored in `tracking_data/couriers`, MIT) — one anchored regex per
  format with named groups (`SerialNumber`, `CheckDigit`, `ServiceType`, `CountryCode`, ...), a
  checksum (`mod10`, `mod7`, `s10`, `luhn`, `mod_37_36`, `sum_product_with_weightings_and_modulo`)
  parameterised in the JSON, optional `serial_number_format.prepend_if`, lookup tables
  (`additional`) and required lookups (`validation.additional.exists`). UPU S10 covers China Post /
  EMS international items (`E?` + 8 digits + check digit + `CN`).
* **Lenient, Chinese domestic** (`detect_cn`, `check_cn`): prefix/length patterns observed in public
  code (docs/DOMAIN-CN.md §1.2). Those formats drift, have no checksum and are not normative, so a
  mismatch is only a warning — a waybill the carrier really issued is always accepted. The one
  strict check is UPU S10 for EMS international numbers.

Pure: the only I/O is reading the packaged JSON once (cached).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any, Final, Literal
from urllib.parse import quote

__all__ = [
    "CnCheck",
    "CnGuess",
    "CnWarning",
    "Match",
    "Validation",
    "carriers",
    "check_cn",
    "detect",
    "detect_cn",
    "expected_check_digit",
    "normalise",
    "validate",
]

MAX_LENGTH: Final = 64  # longest format in the data set is 34 characters
_DASHES: Final = re.compile(r"[-\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")
_WHITESPACE: Final = re.compile(r"\s+")
_NAMED_GROUP: Final = re.compile(r"\(\?<(?=[A-Za-z_])")  # Ruby/JS (?<Name>...) -> (?P<Name>...)
_BASE36: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

Reason = Literal["pattern", "checksum", "lookup", "unknown carrier"]


# --------------------------------------------------------------------------- normalisation


def normalise(number: str, *, keep_dashes: bool = False) -> str:
    """NFKC (full-width ０-９/Ａ-Ｚ from Chinese IMEs become ASCII), upper-case, drop whitespace
    and - unless `keep_dashes` - dashes. The specs' regexes tolerate whitespace; one format
    (LaserShip 1LS7 (18), `...-1`) needs its dash, so `detect` tries both forms."""
    text = _WHITESPACE.sub("", unicodedata.normalize("NFKC", number).upper())
    return text if keep_dashes else _DASHES.sub("", text)


def _variants(number: str) -> tuple[str, ...]:
    with_dashes = normalise(number, keep_dashes=True)
    plain = _DASHES.sub("", with_dashes)
    return (with_dashes,) if plain == with_dashes else (with_dashes, plain)


# --------------------------------------------------------------------------- checksums
# Each algorithm returns the *expected* check character for a serial, so a failure can report
# expected vs given. Parameters come from the spec's `validation.checksum` object.

Params = Mapping[str, Any]


def _char_value(char: str) -> int:
    """Digits are themselves; letters map to (ASCII code - 3) mod 10 (UPS 1Z convention)."""
    return int(char) if "0" <= char <= "9" else (ord(char) - 3) % 10


def _complement(total: int, modulo: int) -> int:
    return (modulo - total % modulo) % modulo


def mod10(serial: str, params: Params) -> str:
    """Weighted mod 10. Multipliers alternate by 0-based position: even positions take
    `evens_multiplier`, odd ones `odds_multiplier`; `reverse` counts from the right."""
    chars = serial[::-1] if params.get("reverse") else serial
    evens, odds = int(params.get("evens_multiplier", 1)), int(params.get("odds_multiplier", 1))
    total = sum(_char_value(c) * (odds if i % 2 else evens) for i, c in enumerate(chars))
    return str(_complement(total, int(params.get("modulo", 10))))


def mod7(serial: str, params: Params) -> str:
    """The serial read as one integer, modulo 7."""
    return str(int(serial) % int(params.get("modulo", 7)))


def _weighted_sum(serial: str, weights: list[int]) -> int:
    return sum(int(c) * w for c, w in zip(serial, weights, strict=False))


def sum_product_with_weightings_and_modulo(serial: str, params: Params) -> str:
    """Sum of digit x weight, then `% modulo1 % modulo2` (FedEx Express: 3,1,7 / 11 / 10)."""
    total = _weighted_sum(serial, list(params["weightings"]))
    return str(total % int(params["modulo1"]) % int(params["modulo2"]))


S10_WEIGHTS: Final = (8, 6, 4, 2, 3, 5, 9, 7)


def s10(serial: str, params: Params) -> str:
    """UPU S10: c = 11 - (sum mod 11); c = 10 -> 0 (remainder 1), c = 11 -> 5 (remainder 0)."""
    modulo = int(params.get("modulo", 11))
    remainder = _weighted_sum(serial, list(params.get("weightings", S10_WEIGHTS))) % modulo
    check = modulo - remainder
    return str({10: 0, 11: 5}.get(check, check))


def luhn(serial: str, params: Params) -> str:
    """Luhn: from the right, double every other digit starting with the one next to the check
    digit, subtract 9 from products over 9, complement to the modulo."""
    total = 0
    for i, char in enumerate(reversed(serial)):
        value = int(char) * (2 if i % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str(_complement(total, int(params.get("modulo", 10))))


def mod_37_36(serial: str, params: Params) -> str:
    """ISO/IEC 7064 MOD 37,36 (hybrid system, DPD): running value starts at 36; per character
    add its base-36 value, reduce mod 36 (keeping 36 for 0), double, reduce mod 37; the check
    character is alphabet[(37 - running) mod 36]."""
    modulo = int(params.get("modulo", 36))
    alphabet = str(params.get("alphabet", _BASE36))
    running = modulo
    for char in serial:
        running += _BASE36.index(char)
        if running > modulo:
            running -= modulo
        running *= 2
        if running > modulo:
            running -= modulo + 1
    return alphabet[(modulo + 1 - running) % modulo]


CHECKSUMS: Final[Mapping[str, Callable[[str, Params], str]]] = {
    "mod10": mod10,
    "mod7": mod7,
    "sum_product_with_weightings_and_modulo": sum_product_with_weightings_and_modulo,
    "s10": s10,
    "luhn": luhn,
    "mod_37_36": mod_37_36,
}


def expected_check_digit(algorithm: str, serial: str, params: Params | None = None) -> str:
    """The check character `algorithm` gives for `serial` (KeyError for an unknown name)."""
    return CHECKSUMS[algorithm](serial, params or {})


# --------------------------------------------------------------------------- specs


@dataclass(frozen=True, slots=True)
class _Lookup:
    name: str
    group: str
    entries: tuple[Mapping[str, Any], ...]

    def find(self, value: str) -> Mapping[str, Any] | None:
        for entry in self.entries:
            if "matches" in entry and entry["matches"] == value:
                return entry
            if "matches_regex" in entry and re.search(entry["matches_regex"], value):
                return entry
        return None


@dataclass(frozen=True, slots=True)
class _Spec:
    courier_code: str
    courier_name: str
    name: str
    format_id: str | None
    regex: re.Pattern[str]
    checksum: Mapping[str, Any] | None
    prepend_if: tuple[re.Pattern[str], str] | None
    lookups: tuple[_Lookup, ...]
    required: tuple[str, ...]
    tracking_url: str | None

    def answers_to(self, service: str) -> bool:
        wanted = service.casefold()
        return wanted in (self.name.casefold(), (self.format_id or "").casefold())


def _compile(regex: str | list[str]) -> re.Pattern[str]:
    joined = "".join(regex) if isinstance(regex, list) else regex
    return re.compile(_NAMED_GROUP.sub("(?P<", joined), re.ASCII)


def _prepend_rule(validation: Mapping[str, Any]) -> tuple[re.Pattern[str], str] | None:
    rule = validation.get("serial_number_format", {}).get("prepend_if")
    return (re.compile(rule["matches_regex"], re.ASCII), rule["content"]) if rule else None


def _lookups(raw: Any) -> tuple[_Lookup, ...]:
    items = raw if isinstance(raw, list) else []
    return tuple(
        _Lookup(a["name"], a["regex_group_name"], tuple(a["lookup"]))
        for a in items
        if "regex_group_name" in a
    )


def _spec(courier: Mapping[str, Any], fmt: Mapping[str, Any]) -> _Spec:
    validation = fmt.get("validation") or {}
    checksum = validation.get("checksum")
    if checksum and checksum["name"] not in CHECKSUMS:
        raise ValueError(f"unsupported checksum {checksum['name']!r} in {fmt['name']!r}")
    return _Spec(
        courier_code=courier["courier_code"],
        courier_name=courier["name"],
        name=fmt["name"],
        format_id=fmt.get("id"),
        regex=_compile(fmt["regex"]),
        checksum=checksum,
        prepend_if=_prepend_rule(validation),
        lookups=_lookups(fmt.get("additional")),
        required=tuple((validation.get("additional") or {}).get("exists", ())),
        tracking_url=fmt.get("tracking_url"),
    )


def _courier_files() -> Iterator[Mapping[str, Any]]:
    folder = resources.files(__package__ or "orderflow.shipping") / "tracking_data" / "couriers"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            yield json.loads(entry.read_text(encoding="utf-8"))


@cache
def _specs() -> tuple[_Spec, ...]:
    return tuple(
        _spec(courier, fmt) for courier in _courier_files() for fmt in courier["tracking_numbers"]
    )


def carriers() -> dict[str, tuple[str, ...]]:
    """courier_code -> names of its formats, as loaded from the specs."""
    table: dict[str, tuple[str, ...]] = {}
    for spec in _specs():
        table[spec.courier_code] = (*table.get(spec.courier_code, ()), spec.name)
    return table


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Match:
    carrier: str  # courier_code of the spec file, e.g. "ups", "s10"
    courier_name: str  # for S10: the issuing post from the country lookup, e.g. "China Post"
    service: str  # the format's name, e.g. "UPS Waybill"
    format_id: str | None
    number: str  # normalised
    serial: str | None
    check_digit: str | None
    tracking_url_template: str | None
    groups: Mapping[str, str] = field(default_factory=dict)
    info: Mapping[str, str] = field(default_factory=dict)  # lookup name -> matched entry name

    @property
    def tracking_url(self) -> str | None:
        template = self.tracking_url_template
        return template.replace("%s", quote(self.number, safe="")) if template else None


@dataclass(frozen=True, slots=True)
class Validation:
    ok: bool
    carrier: str
    number: str
    reason: Reason | None = None
    service: str | None = None
    expected: str | None = None  # check digit, for reason "checksum"
    given: str | None = None
    detail: str = ""
    match: Match | None = None


# --------------------------------------------------------------------------- evaluation


def _clean_groups(found: re.Match[str]) -> dict[str, str]:
    return {k: _WHITESPACE.sub("", v) for k, v in found.groupdict().items() if v is not None}


def _serial(spec: _Spec, groups: Mapping[str, str]) -> str | None:
    serial = groups.get("SerialNumber")
    if serial is not None and spec.prepend_if and spec.prepend_if[0].search(serial):
        return spec.prepend_if[1] + serial
    return serial


def _entry_label(entry: Mapping[str, Any]) -> str:
    for key in ("name", "courier", "country", "matches"):
        if entry.get(key):
            return str(entry[key])
    return ""


def _resolve_lookups(spec: _Spec, groups: Mapping[str, str]) -> dict[str, Mapping[str, Any]]:
    resolved: dict[str, Mapping[str, Any]] = {}
    for lookup in spec.lookups:
        value = groups.get(lookup.group)
        entry = lookup.find(value) if value is not None else None
        if entry is not None:
            resolved[lookup.name] = entry
    return resolved


def _build_match(spec: _Spec, number: str, groups: dict[str, str]) -> Match:
    resolved = _resolve_lookups(spec, groups)
    courier = resolved.get("Courier", {}).get("courier") or spec.courier_name
    return Match(
        carrier=spec.courier_code,
        courier_name=str(courier),
        service=spec.name,
        format_id=spec.format_id,
        number=number,
        serial=_serial(spec, groups),
        check_digit=groups.get("CheckDigit"),
        tracking_url_template=spec.tracking_url,
        groups=groups,
        info={name: _entry_label(entry) for name, entry in resolved.items()},
    )


def _match_spec(spec: _Spec, variants: tuple[str, ...]) -> Match | None:
    for candidate in variants:
        found = spec.regex.fullmatch(candidate)
        if found:
            return _build_match(spec, candidate, _clean_groups(found))
    return None


def _check(spec: _Spec, match: Match) -> Validation:
    base = Validation(
        ok=False, carrier=spec.courier_code, number=match.number, service=spec.name, match=match
    )
    if spec.checksum:
        expected = _expected(spec, match)
        if expected is None or expected != match.check_digit:
            return replace(
                base,
                reason="checksum",
                expected=expected,
                given=match.check_digit,
                detail=f"{spec.checksum['name']} check digit",
            )
    missing = [name for name in spec.required if name not in match.info]
    if missing:
        return replace(base, reason="lookup", detail=f"no {', '.join(missing)} for this value")
    return replace(base, ok=True)


def _expected(spec: _Spec, match: Match) -> str | None:
    if spec.checksum is None or not match.serial or not match.check_digit:
        return None
    try:
        return CHECKSUMS[spec.checksum["name"]](match.serial, spec.checksum)
    except (ValueError, IndexError):  # a character outside the algorithm's alphabet
        return None


def _evaluate(spec: _Spec, variants: tuple[str, ...]) -> Validation | None:
    match = _match_spec(spec, variants)
    return _check(spec, match) if match else None


# --------------------------------------------------------------------------- public API


def detect(number: str) -> list[Match]:
    """Every format whose pattern matches the whole number and whose checks pass."""
    variants = _variants(number)
    if not variants[-1] or len(variants[0]) > MAX_LENGTH:
        return []
    found = (_evaluate(spec, variants) for spec in _specs())
    return [v.match for v in found if v is not None and v.ok and v.match is not None]


_REASON_RANK: Final[Mapping[str | None, int]] = {None: 0, "checksum": 1, "lookup": 2}


def validate(number: str, carrier: str, service: str | None = None) -> Validation:
    """Validate `number` for a courier_code (optionally one format, by id or name).
    Not ok with reason "unknown carrier", "pattern", "checksum" (expected vs given digit) or
    "lookup" (e.g. an S10 country code no post uses)."""
    specs = [s for s in _specs() if s.courier_code == carrier.strip().lower()]
    if service is not None:
        specs = [s for s in specs if s.answers_to(service)]
    plain = normalise(number)
    if not specs:
        detail = f"no format {service!r} for {carrier!r}" if service else ""
        return Validation(False, carrier, plain, reason="unknown carrier", detail=detail)
    variants = _variants(number)
    if len(variants[0]) <= MAX_LENGTH:
        outcomes = [v for v in (_evaluate(s, variants) for s in specs) if v is not None]
        if outcomes:
            return min(outcomes, key=lambda v: _REASON_RANK[v.reason])
    return Validation(
        False,
        carrier,
        plain,
        reason="pattern",
        service=service,
        detail="matches no format of this carrier",
    )


# --------------------------------------------------------------------------- China (lenient)
# Patterns, examples and sources: docs/DOMAIN-CN.md §1.2 (observed in public code 2022–2024,
# not normative). [S34]/[S33]/[S35] are that document's source keys. Carrier ids are internal;
# aliases are the 快递100 `com` and 快递鸟 `ShipperCode` values of §1.1.

Confidence = Literal["high", "low"]


@dataclass(frozen=True, slots=True)
class _CnRule:
    carrier: str
    name: str
    pattern: re.Pattern[str]
    confidence: Confidence
    source: str


def _rule(carrier: str, name: str, pattern: str, confidence: Confidence, src: str) -> _CnRule:
    return _CnRule(
        carrier, name, re.compile(pattern, re.ASCII), confidence, f"DOMAIN-CN.md §1.2 {src}"
    )


CN_RULES: Final[tuple[_CnRule, ...]] = (
    _rule("sf", "顺丰速运 SF Express", r"SF[A-Z0-9]\d{12}", "high", "[S34]"),
    _rule("sf", "顺丰速运 SF Express", r"\d{12}", "low", "[S35] (12 digits, obsolete)"),
    _rule("yto", "圆通速递 YTO", r"YT\d{13}", "high", "[S34]"),
    _rule("zto", "中通快递 ZTO", r"7[3-68]\d{12}", "high", "[S34]"),
    _rule("zto", "中通快递 ZTO", r"\d{12}|\d{15}", "low", "[S33] (12- and 15-digit forms)"),
    _rule("sto", "申通快递 STO", r"(77|43)\d{12,15}", "high", "[S34]"),
    _rule("yunda", "韵达快递 Yunda", r"[34]\d{14}|5\d{12}", "high", "[S34]"),
    _rule("yunda", "韵达快递 Yunda", r"\d{13}|\d{15}", "low", "[S33]"),
    _rule("jt", "极兔速递 J&T", r"JT\d{13}", "high", "[S34]"),
    _rule("jd", "京东物流 JD Logistics", r"JD[XK]\d{12}|JDV[A-Z]\d{11}", "high", "[S33]"),
    _rule("ems", "EMS / 邮政快递包裹 (domestic)", r"[981]\d{12}", "high", "[S34]"),
    _rule("deppon", "德邦 Deppon", r"DPK\d{12}", "high", "[S34]"),
    _rule("best", "百世快递 Best", r"JT\d{12,13}", "low", "[S33] (§1.1 note: J&T network)"),
)
_S10_SHAPE: Final = re.compile(r"[A-Z]{2}\d{9}[A-Z]{2}", re.ASCII)  # §1.2 EMS international [S33]
_KUAIDI100_LIMITS: Final = re.compile(r"[A-Z0-9]{6,32}")  # §1.2: 快递100 num min 6 / max 32
CN_ALIASES: Final[Mapping[str, str]] = {
    "shunfeng": "sf",
    "zhongtong": "zto",
    "yuantong": "yto",
    "shentong": "sto",
    "yd": "yunda",
    "jdl": "jd",
    "jtexpress": "jt",
    "jtsd": "jt",
    "youzhengguonei": "ems",
    "yzpy": "ems",
    "chinapost": "ems",
    "china_post": "ems",
    "debangkuaidi": "deppon",
    "debangwuliu": "deppon",
    "dbl": "deppon",
    "db": "deppon",
    "dbkd": "deppon",
    "huitongkuaidi": "best",
    "htky": "best",
}


@dataclass(frozen=True, slots=True)
class CnGuess:
    carrier: str
    name: str
    confidence: Confidence
    source: str
    pattern: str


@dataclass(frozen=True, slots=True)
class CnWarning:
    code: str  # "charset_length" | "unknown_carrier" | "pattern_mismatch" | "weak_pattern" | "s10"
    message: str
    suggestions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CnCheck:
    accepted: bool  # always True, except an S10-shaped EMS number whose check digit is wrong
    carrier: str
    number: str
    warnings: tuple[CnWarning, ...] = ()
    s10: Validation | None = None


def _s10_guess(number: str) -> CnGuess | None:
    if not _S10_SHAPE.fullmatch(number) or not validate(number, "s10").ok:
        return None
    confidence: Confidence = "high" if number.endswith("CN") else "low"
    return CnGuess(
        "ems",
        "EMS / China Post international (UPU S10)",
        confidence,
        "DOMAIN-CN.md §1.2 (UPU S10)",
        _S10_SHAPE.pattern,
    )


def detect_cn(number: str) -> list[CnGuess]:
    """Likely Chinese carriers from the observed formats, strongest first. Suggestions only."""
    plain = normalise(number)
    guesses = [
        CnGuess(r.carrier, r.name, r.confidence, r.source, r.pattern.pattern)
        for r in CN_RULES
        if r.pattern.fullmatch(plain)
    ]
    s10_guess = _s10_guess(plain)
    guesses += [s10_guess] if s10_guess else []
    return sorted(guesses, key=lambda g: g.confidence != "high")


def _cn_carrier(carrier: str) -> str:
    key = carrier.strip().lower()
    return CN_ALIASES.get(key, key)


def _pattern_warnings(carrier: str, plain: str) -> list[CnWarning]:
    if carrier not in {r.carrier for r in CN_RULES}:
        return [CnWarning("unknown_carrier", f"no Chinese format data for {carrier!r}")]
    guesses = detect_cn(plain)
    own = [g for g in guesses if g.carrier == carrier]
    others = tuple(dict.fromkeys(g.carrier for g in guesses if g.carrier != carrier))
    if not own:
        expected = " | ".join(r.pattern.pattern for r in CN_RULES if r.carrier == carrier)
        return [CnWarning("pattern_mismatch", f"not a known {carrier} format ({expected})", others)]
    if all(g.confidence == "low" for g in own):
        return [CnWarning("weak_pattern", f"only a legacy/broad {carrier} format fits", others)]
    return []


def _s10_check(carrier: str, plain: str) -> tuple[Validation | None, list[CnWarning]]:
    if carrier != "ems" or not _S10_SHAPE.fullmatch(plain):
        return None, []
    result = validate(plain, "s10")
    if result.ok:
        return result, []
    why = (
        f"expected {result.expected}, got {result.given}"
        if result.reason == "checksum"
        else (result.detail)
    )
    return result, [CnWarning("s10", f"UPU S10 check failed ({result.reason}: {why})")]


def check_cn(number: str, carrier: str) -> CnCheck:
    """Check a waybill against a Chinese carrier's observed formats. Mismatches are warnings;
    the number is accepted regardless — except an EMS/China Post international number in UPU
    S10 form, which carries a real check digit and is validated strictly (§1.2)."""
    plain = normalise(number)
    code = _cn_carrier(carrier)
    warnings: list[CnWarning] = []
    if not _KUAIDI100_LIMITS.fullmatch(plain):
        warnings.append(CnWarning("charset_length", "expected 6-32 letters/digits (快递100)"))
    warnings += _pattern_warnings(code, plain)
    s10_result, s10_warnings = _s10_check(code, plain)
    if s10_result is not None:
        warnings = [w for w in warnings if w.code != "pattern_mismatch"]
    warnings += s10_warnings
    accepted = s10_result is None or s10_result.ok
    return CnCheck(accepted, code, plain, tuple(warnings), s10_result)
