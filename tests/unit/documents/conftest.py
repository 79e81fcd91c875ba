"""Helpers to read back what the renderers wrote: text, fonts, pixels, barcodes."""

from __future__ import annotations

import importlib
import io
import os
from datetime import datetime, timedelta, timezone
from types import ModuleType
from typing import Any

import pytest

from orderflow.documents.models import Address, Amount, Contact, LabelData

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHINA = timezone(timedelta(hours=8))
MM = 72 / 25.4


def need(module: str) -> ModuleType:
    """Import a test-only tool; skipped locally when missing, a failure under CI."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pyzbar raises ImportError when libzbar0 is missing
        if IN_CI:
            pytest.fail(f"CI needs {module}: {exc}")
        pytest.skip(f"SKIPPED: {module} not available ({exc})")


def pdf_reader(pdf: bytes) -> Any:
    return need("pypdf").PdfReader(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pdf_reader(pdf).pages]


def font_names(pdf: bytes) -> set[str]:
    names = set()
    for page in pdf_reader(pdf).pages:
        fonts = page["/Resources"].get("/Font", {})
        names |= {str(font.get_object()["/BaseFont"]) for font in fonts.values()}
    return names


def render_page(pdf: bytes, index: int = 0, dpi: int = 300) -> Any:
    """Page `index` as a greyscale PIL image."""
    pdfium = need("pypdfium2")
    document = pdfium.PdfDocument(pdf)
    try:
        return document[index].render(scale=dpi / 72, grayscale=True).to_pil()
    finally:
        document.close()


def decode(image: Any) -> dict[str, list[str]]:
    """Symbol type -> decoded values, from pyzbar."""
    found: dict[str, list[str]] = {}
    for symbol in need("pyzbar.pyzbar").decode(image):
        found.setdefault(symbol.type, []).append(symbol.data.decode())
    return found


def make_label(n: int = 1, **changes: Any) -> LabelData:
    base: dict[str, Any] = {
        "carrier_code": "ZTO",
        "carrier_name": "中通快递",
        "tracking_number": f"7891234567{n:04d}",
        "recipient": Contact(
            f"张三{n}", "13800138000", Address("浙江省", "杭州市", "西湖区", f"文三路 {n} 号")
        ),
        "sender": Contact(
            "小鹿优选", "0571-88886666", Address("浙江省", "杭州市", "余杭区", "文一西路 1500 号")
        ),
        "service_name": "标准快递",
        "order_number": f"OF-{n:06d}",
        "parcel_index": 1,
        "parcel_count": 1,
        "weight_grams": 1250,
        "cod": None,
        "sort_code": "300-M18 04",
        "printed_at": datetime(2025, 11, 11, 9, 30, tzinfo=CHINA),
    }
    base.update(changes)
    return LabelData(**base)


@pytest.fixture
def batch() -> list[LabelData]:
    """Four labels: a COD one, a multi-parcel pair, one with a very long address."""
    long = Address(
        "新疆维吾尔自治区", "伊犁哈萨克自治州", "霍尔果斯市", "卡拉苏河西路亚欧国际物流园区" * 8
    )
    return [
        make_label(1, cod=Amount(12800)),
        make_label(2, parcel_index=1, parcel_count=2),
        make_label(3, parcel_index=2, parcel_count=2, tracking_number="SF1234567890123"),
        make_label(4, recipient=Contact("欧阳娜娜", "13912345678", long), remarks="易碎品" * 40),
    ]
