"""Text that cannot hide anything: names and addresses refuse control characters, and
free text (remarks) has them stripped.

Refused in single-line fields: C0 controls (NUL, ESC of ANSI escapes, CR, LF, TAB…),
DEL and C1 controls (U+0080–U+009F), line/paragraph separators (U+2028/2029) and the
bidirectional overrides, embeddings, isolates and marks (U+202A–U+202E, U+2066–U+2069,
U+200E/200F, U+061C) that make a text display differently from what it says.
"""

from __future__ import annotations

from collections.abc import Mapping

from orderflow.errors import FieldProblem

BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
SEPARATORS = frozenset("\u2028\u2029")


def is_unsafe(ch: str) -> bool:
    code = ord(ch)
    return code < 0x20 or 0x7F <= code <= 0x9F or ch in BIDI or ch in SEPARATORS


def first_unsafe(text: str) -> str | None:
    """The first refused character of a single-line field, or None."""
    return next((ch for ch in text if is_unsafe(ch)), None)


def line_problems(values: Mapping[str, str | None], prefix: str = "") -> list[FieldProblem]:
    """A field problem for each single-line field holding a refused character."""
    problems = []
    for name, value in values.items():
        bad = first_unsafe(value) if value else None
        if bad is not None:
            problems.append(FieldProblem(
                f"{prefix}.{name}" if prefix else name, "text.control_character",
                f"contains the invisible or control character U+{ord(bad):04X}; remove it"))
    return problems


def clean_free_text(text: str) -> str:
    """Free text (remarks): line breaks kept as \\n, tabs as spaces, every other refused
    character dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return "".join(ch for ch in text if ch == "\n" or not is_unsafe(ch))
