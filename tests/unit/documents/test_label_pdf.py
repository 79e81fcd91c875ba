from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest

from orderflow.documents import render_labels, write_labels
from orderflow.documents.models import Address, Amount, Contact, LabelData

from .conftest import MM, font_names, make_label, need, page_texts, pdf_reader

SIZES = {"100x150": (100, 150), "76x130": (76, 130)}


@pytest.mark.parametrize("size", SIZES)
def test_one_page_per_label_in_order_with_its_content(size: str, batch: list[LabelData]) -> None:
    texts = page_texts(render_labels(batch, size=size))
    assert len(texts) == len(batch)
    for text, label in zip(texts, batch, strict=True):
        flat = text.replace(" ", "").replace("\n", "")
        assert label.tracking_number in flat
        assert f"{label.parcel_index}/{label.parcel_count}" in flat
        assert f"张三{label.tracking_number[-1]}" in flat or "欧阳娜娜" in flat
        assert "13800138000" in flat or "13912345678" in flat
    assert "¥128.00" in texts[0]
    assert all("¥" not in text for text in texts[1:])


@pytest.mark.parametrize(("size", "mm"), SIZES.items())
def test_page_size_in_points(size: str, mm: tuple[int, int], batch: list[LabelData]) -> None:
    for page in pdf_reader(render_labels(batch, size=size)).pages:
        assert float(page.mediabox.width) == pytest.approx(mm[0] * MM, abs=0.01)
        assert float(page.mediabox.height) == pytest.approx(mm[1] * MM, abs=0.01)


def test_the_cjk_font_is_embedded(batch: list[LabelData]) -> None:
    pdf = render_labels(batch)
    names = font_names(pdf)
    assert any("WenQuanYi" in name for name in names), names
    reader = pdf_reader(pdf)
    fonts = reader.pages[0]["/Resources"]["/Font"]
    descriptors = [
        f.get_object()["/DescendantFonts"][0].get_object()
        for f in fonts.values()
        if "/DescendantFonts" in f.get_object()
    ]
    descriptors += [f.get_object() for f in fonts.values()]
    files = [d.get("/FontDescriptor", {}).get("/FontFile2") for d in descriptors]
    assert any(files), "no embedded TrueType font program (FontFile2)"


def test_privacy_labels_mask_recipient_name_and_phone(batch: list[LabelData]) -> None:
    texts = page_texts(render_labels(batch[:2], size="76x130", privacy=True))
    for text in texts:
        assert "138****8000" in text
        assert "13800138000" not in text.replace(" ", "")
    assert "张**" in texts[0]
    assert "张三1" not in texts[0]


def test_masked_inputs_pass_through_and_absent_fields_print_nothing() -> None:
    bare = Contact(None, None, Address(None, None, None, "自提点"))
    labels = [
        make_label(1, recipient=Contact("王**", "131****1907", Address(detail="建国路 ****"))),
        make_label(
            2,
            recipient=bare,
            sender=Contact(),
            service_name=None,
            sort_code=None,
            order_number=None,
            weight_grams=None,
            printed_at=None,
            remarks=None,
        ),
    ]
    first, second = page_texts(render_labels(labels, privacy=True))
    assert "王**" in first
    assert "131****1907" in first
    assert "王***" not in first
    assert "None" not in second
    assert "自提点" in second
    for heading in ("重量", "代收货款", "订单号", "打印时间", "备注"):
        assert heading not in second


def test_long_addresses_stay_inside_the_page(batch: list[LabelData]) -> None:
    pdfium = need("pypdfium2")
    for size, (w, h) in SIZES.items():
        document = pdfium.PdfDocument(render_labels(batch[3:], size=size))
        textpage = document[0].get_textpage()
        boxes = [textpage.get_charbox(i) for i in range(textpage.count_chars())]
        assert boxes
        for left, bottom, right, top in boxes:
            assert left >= 0
            assert right <= w * MM
            assert bottom >= 0
            assert top <= h * MM
        textpage.close()
        document.close()


def test_english_headings() -> None:
    text = page_texts(render_labels([make_label(1)], language="en"))[0]
    assert "TO" in text
    assert "FROM" in text
    assert "Weight" in text


def test_unknown_size_or_language_is_refused() -> None:
    with pytest.raises(ValueError, match="label size"):
        render_labels([make_label()], size="100x100")
    with pytest.raises(ValueError, match="language"):
        render_labels([make_label()], language="fr")


def test_a_batch_of_500_labels_with_progress() -> None:
    calls: list[tuple[int, int | None]] = []
    labels = [make_label(n, cod=Amount(n * 100) if n % 3 else None) for n in range(500)]
    started = time.perf_counter()
    pdf = render_labels(labels, progress=lambda done, total: calls.append((done, total)))
    elapsed = time.perf_counter() - started
    print(f"\n500 labels: {elapsed:.2f} s, {len(pdf) / 1e6:.2f} MB PDF")
    assert calls == [(n, 500) for n in range(1, 501)]
    assert len(pdf_reader(pdf).pages) == 500
    assert elapsed < 60


def test_a_generator_streams_into_a_file_in_bounded_memory(tmp_path: Path) -> None:
    labels = (make_label(n) for n in range(200))
    tracemalloc.start()
    with (tmp_path / "labels.pdf").open("wb") as out:
        written = write_labels(out, labels, size="76x130")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"\n200 labels to a file: peak {peak / 1e6:.1f} MB traced")
    assert written == 200
    assert peak < 50e6


def test_memory_per_label_stays_small_over_a_batch(tmp_path: Path) -> None:
    """Pages are deflated as they finish: memory grows by the compressed page only."""
    traced: dict[int, int] = {}

    def sample(done: int, _total: int | None) -> None:
        if done in (100, 400):
            traced[done] = tracemalloc.get_traced_memory()[0]

    tracemalloc.start()
    with (tmp_path / "labels.pdf").open("wb") as out:
        write_labels(out, (make_label(n) for n in range(400)), progress=sample)
    tracemalloc.stop()

    per_label = (traced[400] - traced[100]) / 300
    print(f"\n{per_label / 1024:.1f} KiB held per label")
    assert per_label < 8 * 1024  # ~15 KiB when reportlab kept the raw page streams


def test_unsized_iterables_report_no_total() -> None:
    calls: list[tuple[int, int | None]] = []
    render_labels((make_label(n) for n in range(3)), progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, None), (2, None), (3, None)]
