from __future__ import annotations

import pytest

from orderflow.documents import barcodes, render_labels
from orderflow.documents.models import LabelData

from .conftest import decode, make_label, need, render_page


@pytest.mark.parametrize("size", ["100x150", "76x130"])
def test_code128_and_qr_decode_back(size: str, batch: list[LabelData]) -> None:
    pdf = render_labels(batch, size=size)
    for index in (0, 2):
        found = decode(render_page(pdf, index))
        assert found.get("CODE128") == [batch[index].tracking_number]
        assert found.get("QRCODE") == [batch[index].tracking_number]


def test_qr_carries_the_tracking_url_when_given() -> None:
    url = "https://example.com/t/78912345670001?from=label"
    found = decode(render_page(render_labels([make_label(1, tracking_url=url)], size="76x130")))
    assert found["QRCODE"] == [url]
    assert found["CODE128"] == ["78912345670001"]


def test_a_long_alphanumeric_tracking_number_still_decodes_on_the_small_label() -> None:
    number = "JDVA12345678901-1-1-"
    found = decode(
        render_page(render_labels([make_label(1, tracking_number=number)], size="76x130"), dpi=203)
    )
    assert found["CODE128"] == [number]


@pytest.mark.parametrize(
    "value",
    ["SF1234567890123", "https://t.orderflow.example/SF1234567890123", "x" * 120,
     "中文测试" * 10, "A" * 300],
)
def test_the_fast_reed_solomon_step_gives_reportlabs_codewords(value: str) -> None:
    qrencoder = need("reportlab.graphics.barcode.qrencoder")
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(value)
    version = qr.calculate_version()

    fast = barcodes._codewords(version, qr.errorCorrectLevel, qr.dataList)

    assert fast == qrencoder.QRCode.createData(version, qr.errorCorrectLevel, qr.dataList)
    assert barcodes.qr_modules(value) == len(barcodes.qr_matrix(value)) == version * 4 + 17
    qr.version = version
    qr.makeImpl(False, barcodes.FIXED_MASK)  # reportlab's own placement of the same symbol
    assert barcodes.qr_matrix(value) == [[bool(m) for m in row] for row in qr.modules]
