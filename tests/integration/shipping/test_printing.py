"""Batch printing of real waybills: open the PDF, read each label, decode its barcode."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from orderflow import cli, cli_shipping
from orderflow.config import Settings
from orderflow.db import Db
from orderflow.fulfilment import stock
from orderflow.fulfilment import waves as fulfilment_waves
from orderflow.shipping import printing, service, waybills
from orderflow.shipping.desk import ShippingDesk
from orderflow.shipping.models import AdapterKind
from orderflow.shipping.printing import PrintJob
from orderflow.shipping.schemas import PreferencesIn
from tests.builders.orders import STAFF, make_order
from tests.integration.shipping.test_waybills import _set_adapter, _timeline
from tests.unit.documents.conftest import decode, page_texts, render_page

pytestmark = pytest.mark.clock  # reads the application's clock (see conftest)


def _orders(db: Db, settings: Settings, n: int) -> list[str]:
    numbers = []
    for i in range(n):
        numbers.append(make_order(
            db, settings, [("SKU-1", i + 1)], path=["approved"],
            customer={"name": f"张晓{'一二三'[i]}", "phone": f"1380013800{i}",
                      "email": f"c{i}@example.com"}))
    return numbers


def test_labels_come_out_in_the_given_order_with_their_waybills(
    carriers: Db, settings: Settings
) -> None:
    numbers = _orders(carriers, settings, 3)
    service.set_preferences(carriers, numbers[1], PreferencesIn(designated_carrier="SF"),
                            actor=STAFF)
    pick_order = [numbers[2], numbers[0], numbers[1]]

    seen: list[tuple[int, int]] = []
    result = printing.print_labels(carriers, PrintJob(pick_order), actor=STAFF,
                                   zone=settings.zone,
                                   progress=lambda done, total: seen.append((done, total)))

    tracking = {n: waybills.list_waybills(carriers, n)[0].tracking_number for n in numbers}
    texts = page_texts(result.content)
    assert result.printed == pick_order and result.skipped == [] and result.labels == 3
    assert seen == [(1, 3), (2, 3), (3, 3)]
    for page, number in zip(texts, pick_order, strict=True):
        assert number in page
        assert str(tracking[number]) in page.replace(" ", "")
    assert "顺丰速运" in texts[2] and "圆通速递" in texts[1]
    assert "0.40 kg" not in texts[0] and "1.00 kg" in texts[0]  # 3 x 300 g + 100 g packing
    assert "张晓三" in texts[0] and "13800138002" in texts[0]
    for index, number in enumerate(pick_order):
        assert decode(render_page(result.content, index, dpi=200))["CODE128"] == [
            tracking[number]]


def test_privacy_labels_mask_the_recipient(carriers: Db, settings: Settings) -> None:
    [number] = _orders(carriers, settings, 1)

    result = printing.print_labels(carriers, PrintJob([number], privacy=True, size="76x130"),
                                   actor=STAFF, zone=settings.zone)

    [text] = page_texts(result.content)
    assert "张**" in text and "138****8000" in text
    assert "张晓一" not in text and "13800138000" not in text


def test_a_reprint_is_logged_with_who_and_how_many_and_on_the_timeline(
    carriers: Db, settings: Settings
) -> None:
    [number] = _orders(carriers, settings, 1)

    first = printing.print_labels(carriers, PrintJob([number]), actor=STAFF, zone=settings.zone)
    again = printing.print_labels(carriers, PrintJob([number], format="zpl", copies=2),
                                  actor=STAFF, zone=settings.zone)

    history = printing.print_history(carriers, number)
    tracking = waybills.list_waybills(carriers, number)[0].tracking_number
    assert [(h.batch_id, h.reprint, h.copies, h.format, h.actor) for h in history] == [
        (first.batch_id, False, 1, "pdf", "staff:tester"),
        (again.batch_id, True, 2, "zpl", "staff:tester")]
    assert again.reprints == [number] and again.labels == 2
    zpl = again.content.decode()
    assert zpl.count("^XA") == 2 and f"^FD{tracking}^FS" in zpl
    assert [d["copies"] for d in _timeline(carriers, number, "waybill.printed")] == [1]
    assert [d["copies"] for d in _timeline(carriers, number, "waybill.reprinted")] == [2]


def test_an_order_without_a_number_from_a_manual_carrier_is_skipped_not_fatal(
    carriers: Db, settings: Settings
) -> None:
    manual, fine = _orders(carriers, settings, 2)
    _set_adapter(carriers, "YTO", AdapterKind.MANUAL)
    service.set_preferences(carriers, manual, PreferencesIn(designated_carrier="YTO"),
                            actor=STAFF)
    service.set_preferences(carriers, fine, PreferencesIn(designated_carrier="SF"), actor=STAFF)

    result = printing.print_labels(carriers, PrintJob([manual, fine, "NOPE"]), actor=STAFF,
                                   zone=settings.zone)

    assert result.printed == [fine]
    assert [n for n, _ in result.skipped] == [manual, "NOPE"]
    assert "manual carrier" in result.skipped[0][1]


def test_the_cli_prints_a_batch_with_progress_into_a_file(
    carriers: Db, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    numbers = _orders(carriers, settings, 2)
    monkeypatch.setattr(cli_shipping, "get_db", lambda: carriers)
    out = tmp_path / "labels.zpl"

    result = CliRunner().invoke(cli.app, ["labels", "print", *numbers, "--format", "zpl",
                                          "--out", str(out)])

    assert result.exit_code == 0, result.output
    assert "2 labels" in result.output and "labels.zpl" in result.output.replace("\n", "")
    zpl = out.read_text()
    assert zpl.count("^XA") == 2
    for number in numbers:
        assert f"^FD{waybills.list_waybills(carriers, number)[0].tracking_number}^FS" in zpl


def test_a_wave_prints_in_pick_order_with_its_carriers(carriers: Db, settings: Settings) -> None:
    for sku, location in [("SKU-1", "C-01-1"), ("SKU-2", "B-01-1"), ("SKU-3", "A-01-1")]:
        stock.set_bin(carriers, sku=sku, warehouse="SH", code=location)
    numbers = [make_order(carriers, settings, [(sku, 1)], path=["approved", "allocated"])
               for sku in ("SKU-1", "SKU-2", "SKU-3")]
    planned = fulfilment_waves.plan_waves(carriers, actor=STAFF, desk=ShippingDesk(settings.zone),
                                          zone=settings.zone, warehouse="SH")

    [wave] = planned
    order = printing.orders_of_wave(carriers, wave.id)
    result = printing.print_labels(carriers, PrintJob(order), actor=STAFF, zone=settings.zone)

    assert order == [numbers[2], numbers[1], numbers[0]]  # bins A, B, C
    texts = page_texts(result.content)
    assert [next(n for n in numbers if n in t) for t in texts] == order
    assert all("圆通速递" in t for t in texts)  # the wave's carrier: the cheapest to 浙江省


def test_the_packing_slip_lists_the_lines_and_the_tracking_number(
    carriers: Db, settings: Settings
) -> None:
    [number] = _orders(carriers, settings, 1)
    [waybill] = waybills.issue(carriers, number, actor=STAFF)

    pdf = printing.packing_slip(carriers, number, settings=settings)

    [text] = page_texts(pdf)
    assert number in text and "SKU-1" in text and "商品 SKU-1" in text
    assert str(waybill.tracking_number) in text and "圆通速递" in text
    assert decode(render_page(pdf, dpi=200))["CODE128"] == [number]
