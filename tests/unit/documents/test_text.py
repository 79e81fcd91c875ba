from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from orderflow.documents.text import ELLIPSIS, estimate_width, fit, wrap


def test_cjk_breaks_anywhere_and_ascii_words_stay_whole() -> None:
    lines = wrap("浙江省杭州市西湖区 文三路 90 号 Building-12", 8, 1, estimate_width)
    assert all(estimate_width(line, 1) <= 8 for line in lines)
    assert "Building-12" in lines
    assert "".join(lines).replace(" ", "") == "浙江省杭州市西湖区文三路90号Building-12"


def test_fit_shrinks_before_cutting() -> None:
    size, lines = fit("一二三四五六七八九十" * 2, (10, 4), (4, 1), estimate_width)
    assert size < 4
    assert "".join(lines) == "一二三四五六七八九十" * 2


def test_fit_cuts_with_an_ellipsis_at_the_smallest_size() -> None:
    size, lines = fit("很长的地址" * 100, (20, 6), (4, 2), estimate_width)
    assert size == 2
    assert len(lines) * size * 1.2 <= 6
    assert lines[-1].endswith(ELLIPSIS)


@given(st.text(min_size=1, max_size=300), st.floats(5, 80), st.floats(2, 40))
def test_fitted_text_never_leaves_its_box(text: str, width: float, height: float) -> None:
    size, lines = fit(text, (width, height), (4, 1.5), estimate_width)
    assert all(estimate_width(line, size) <= width + 1e-6 for line in lines)
    assert len(lines) <= max(1, int(height // (size * 1.2)))
