from __future__ import annotations

import io

from sqlalchemy import func, select

from orderflow.intake.importer import ImportReport, import_orders
from orderflow.inventory import queries as stock
from orderflow.inventory.models import Reservation
from orderflow.orders import queries
from orderflow.orders.models import Order, OrderLine
from orderflow.outbox import OutboxMessage
from tests.builders.orders import STAFF, make_catalog
from tests.intake.helpers import CN_HEADER, csv_bytes, row, xlsx_bytes


def run(db, settings, data: bytes, filename: str = "orders.csv", **kw) -> ImportReport:
    return import_orders(db, io.BytesIO(data), filename=filename, actor=STAFF, settings=settings,
                         **kw)


def count(db, model) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def reserved(db, sku: str) -> int:
    with db.read() as s:
        return sum(lv.reserved for lv in stock.stock_levels(s, sku))


def errors_of(report: ImportReport) -> set[tuple[int, str, str]]:
    return {(e.line, e.field, e.code) for e in report.errors}


def test_csv_orders_with_several_lines_are_imported_and_reserved(db, settings):
    make_catalog(db)
    data = csv_bytes([row("A1", "SKU-1", 2), row("A1", "SKU-2", 1), row("B1", "SKU-3", 4)])

    report = run(db, settings, data)

    assert report.errors == []
    assert [line for line, _ in report.imported] == [2, 4]
    assert report.orders_seen == 2
    with db.read() as s:
        order = queries.get_order(s, report.imported[0][1])
        assert [(ln.sku_code, ln.ordered, ln.reserved) for ln in queries.lines_of(s, order.id)] \
            == [("SKU-1", 2, 2), ("SKU-2", 1, 1)]
        assert order.external_id == "A1"
        assert order.channel == "import"
    assert (reserved(db, "SKU-1"), reserved(db, "SKU-3")) == (2, 4)


def test_xlsx_is_read_like_csv(db, settings):
    make_catalog(db)
    data = xlsx_bytes([row("X1", "SKU-1", 2, unit_price=12.5, phone=13800138000),
                       row("X1", "SKU-2", 1, unit_price=10)])

    report = run(db, settings, data, filename="orders.xlsx")

    assert report.errors == []
    with db.read() as s:
        order = queries.get_order(s, report.imported[0][1])
    assert (order.total_minor, order.recipient_phone) == (3500, "+8613800138000")


def test_gb18030_file_with_chinese_headers(db, settings):
    make_catalog(db)
    values = [row("中1", "SKU-1", 1, customer_name="李四")]
    data = csv_bytes(values, header=CN_HEADER, encoding="gb18030")

    report = run(db, settings, data)

    assert report.errors == []
    with db.read() as s:
        order = queries.get_order(s, report.imported[0][1])
    assert (order.recipient_name, order.external_id, order.city) == ("李四", "中1", "杭州市")


def test_utf8_bom_is_accepted(db, settings):
    make_catalog(db)
    report = run(db, settings, b"\xef\xbb\xbf" + csv_bytes([row("B1")]))
    assert report.errors == []
    assert len(report.imported) == 1


def test_unknown_and_missing_headers_stop_the_import_up_front(db, settings):
    make_catalog(db)
    data = b"external_id,colour,quantity\nA1,red,1\n"

    report = run(db, settings, data)

    assert errors_of(report) == {(1, "colour", "import.unknown_column"),
                                 (1, "sku", "import.missing_column"),
                                 (1, "address", "import.missing_column"),
                                 (1, "phone", "import.missing_column")}
    assert report.imported == []
    assert count(db, Order) == 0


def test_every_problem_is_reported_by_line_and_column_while_good_orders_land(db, settings):
    make_catalog(db)
    rows = [
        row("OK1"),                                            # 2
        row("BAD1", "SKU-1", "two"),                           # 3 quantity
        row("BAD1", "NOPE", 1),                                # 4 unknown SKU
        row("BAD2", phone="12", email=None),                   # 5 phone
        row("BAD3", district=None, total="99.00"),             # 6 district, total
        row("BAD4", cod="maybe", language="fr"),               # 7 cod, language
        row("BAD5", "SKU-1", 1, unit_price="1.234"),           # 8 unit price decimals
        row("OK2", "SKU-2", 3),                                # 9
    ]

    report = run(db, settings, csv_bytes(rows))

    assert [line for line, _ in report.imported] == [2, 9]
    assert errors_of(report) == {
        (3, "quantity", "import.quantity_invalid"), (4, "sku", "sku.unknown"),
        (5, "phone", "phone.invalid"), (6, "district", "address.missing"),
        (6, "total", "money.total_mismatch"), (7, "cod", "import.flag_invalid"),
        (7, "language", "validation.literal_error"), (8, "unit_price", "money.invalid"),
    }
    assert all(e.message for e in report.errors)
    assert count(db, Order) == 2


def test_rows_of_one_order_that_disagree_refuse_the_order_naming_both_lines(db, settings):
    make_catalog(db)
    data = csv_bytes([row("A1", "SKU-1"), row("A1", "SKU-2", city="宁波市"), row("B1")])

    report = run(db, settings, data)

    assert [line for line, _ in report.imported] == [4]
    assert sorted((e.line, e.field, e.code, e.params["other"]) for e in report.errors) == [
        (2, "city", "import.order_field_differs", 3), (3, "city", "import.order_field_differs", 2)]
    assert count(db, Order) == 1


def test_importing_the_same_file_twice_creates_nothing_new(db, settings):
    make_catalog(db)
    data = csv_bytes([row("A1"), row("A1", "SKU-2"), row("B1")])
    first = run(db, settings, data)

    again = run(db, settings, data)

    assert again.imported == []
    assert again.errors == []
    assert again.duplicates == first.imported
    assert count(db, Order) == 2
    assert reserved(db, "SKU-1") == 2


def test_the_same_external_id_twice_in_a_file_is_one_order(db, settings):
    make_catalog(db)
    report = run(db, settings, csv_bytes([row("A1"), row("B1"), row("A1")]))
    assert [line for line, _ in report.imported] == [2, 3]
    assert report.duplicates == [(4, report.imported[0][1])]


def test_out_of_stock_orders_fail_naming_the_sku_and_nothing_is_oversold(db, settings):
    make_catalog(db, {"SKU-1": 3, "SKU-2": 100})
    rows = [row("A1", "SKU-1", 2), row("B1", "SKU-2", 1), row("B1", "SKU-1", 2),
            row("C1", "SKU-1", 1)]

    report = run(db, settings, csv_bytes(rows))

    assert [line for line, _ in report.imported] == [2, 5]
    assert [(e.line, e.field, e.code) for e in report.errors] == \
        [(4, "quantity", "stock.insufficient")]
    assert "SKU-1" in report.errors[0].message
    assert (reserved(db, "SKU-1"), reserved(db, "SKU-2")) == (3, 0)
    assert count(db, OrderLine) == 2


def test_an_order_is_never_split_across_chunks(db, settings):
    make_catalog(db)
    rows = [row("A1"), row("B1", "SKU-1"), row("B1", "SKU-2"), row("B1", "SKU-3"), row("C1")]
    seen: list[int] = []

    report = run(db, settings, csv_bytes(rows), chunk_size=1,
                 progress=lambda done, _total: seen.append(done))

    assert [line for line, _ in report.imported] == [2, 3, 6]
    assert seen == [1, 2, 3]
    with db.read() as s:
        b1 = queries.get_order(s, report.imported[1][1])
        assert len(queries.lines_of(s, b1.id)) == 3


def test_a_failure_mid_order_leaves_nothing_of_that_order(db, settings):
    make_catalog(db)
    pay = {"payment_method": "支付宝", "payment_amount": "10.00", "payment_ref": "P-1"}
    rows = [row("A1", **pay), row("B1"), row("C1", **pay)]  # C1 reuses A1's payment reference

    report = run(db, settings, csv_bytes(rows), chunk_size=10)

    assert [line for line, _ in report.imported] == [2, 3]
    assert [(e.line, e.code) for e in report.errors] == [(4, "payment.reference_reused")]
    with db.read() as s:
        assert s.scalars(select(Order).where(Order.external_id == "C1")).first() is None
        assert s.scalar(select(func.sum(Reservation.quantity))) == 2
        assert s.scalar(select(func.count()).select_from(OutboxMessage)
                        .where(OutboxMessage.kind == "order.received")) == 2
    assert reserved(db, "SKU-1") == 2


def test_a_bulk_write_that_fails_is_redone_order_by_order(db, settings, monkeypatch):
    from orderflow.intake import bulk

    make_catalog(db)
    real = bulk.insert_many

    def failing(s, table, rows):
        if table is bulk.OUTBOX:
            raise bulk.IntegrityError("INSERT", {}, Exception("simulated"))
        real(s, table, rows)

    monkeypatch.setattr(bulk, "insert_many", failing)
    report = run(db, settings, csv_bytes([row("A1"), row("B1", "SKU-2", 2)]))

    assert report.errors == []
    assert len(report.imported) == 2
    assert count(db, Order) == 2
    assert count(db, OrderLine) == 2
    assert (reserved(db, "SKU-1"), reserved(db, "SKU-2")) == (1, 2)


# --- files the importer refuses as a whole (nothing is written) --------------------------


def test_an_empty_file_is_refused_on_line_one(db, settings):
    make_catalog(db)

    report = run(db, settings, b"")

    assert [(e.line, e.field, e.code, e.message) for e in report.errors] == [
        (1, "", "import.empty", "the file is empty")]
    assert (report.imported, report.orders_seen, count(db, Order)) == ([], 0, 0)


def test_a_header_without_rows_imports_nothing_and_refuses_nothing(db, settings):
    make_catalog(db)

    report = run(db, settings, csv_bytes([]))

    assert (report.errors, report.imported, report.orders_seen) == ([], [], 0)


def test_a_duplicate_column_stops_the_import_naming_both_spellings(db, settings):
    make_catalog(db)
    data = ("external_id,customer_name,phone,province,city,district,address,sku,quantity,数量\n"
            "D1,张三,13800138000,浙江省,杭州市,西湖区,文三路 100 号,SKU-1,1,1\n").encode()

    report = run(db, settings, data)

    assert [(e.line, e.field, e.code) for e in report.errors] == [
        (1, "数量", "import.duplicate_column")]
    assert report.errors[0].message == "column '数量' repeats 'quantity'"
    assert (report.imported, count(db, Order)) == ([], 0)


def test_a_utf16_csv_with_its_byte_order_mark_is_read(db, settings):
    make_catalog(db)
    data = csv_bytes([row("U1", customer_name="王五")], encoding="utf-16")  # BOM + LE

    report = run(db, settings, data)

    assert report.errors == []
    with db.read() as s:
        order = queries.get_order(s, report.imported[0][1])
    assert (order.recipient_name, order.external_id) == ("王五", "U1")


def test_a_file_neither_utf8_nor_gb18030_is_refused_naming_the_encoding(db, settings):
    make_catalog(db)
    data = csv_bytes([row("E1")]) + b"E2,\xff\xfe\xff,13800138000\n"

    report = run(db, settings, data)

    [error] = report.errors
    assert (error.line, error.field, error.code) == (1, "", "import.encoding")
    assert error.message.startswith("the file is neither UTF-8 nor GB18030 (byte ")
    assert (report.imported, count(db, Order)) == ([], 0)


def test_utf16_without_a_byte_order_mark_is_refused_not_read_as_gb18030(db, settings):
    make_catalog(db)
    data = csv_bytes([row("E1")], encoding="utf-16-le")

    report = run(db, settings, data)

    assert [(e.code, e.message) for e in report.errors] == [(
        "import.encoding",
        "the file has NUL bytes, as UTF-16 without a byte-order mark has; save it as CSV UTF-8")]
    assert count(db, Order) == 0


def test_a_broken_utf16_file_is_refused(db, settings):
    make_catalog(db)

    report = run(db, settings, b"\xff\xfe" + "a,b\n".encode("utf-16-le") + b"\x00\xd8")

    [error] = report.errors
    assert error.code == "import.encoding"
    assert error.message.startswith("the file starts with a UTF-16 byte-order mark but is not")


def test_an_xlsx_that_is_not_a_workbook_is_refused(db, settings):
    make_catalog(db)

    report = run(db, settings, b"external_id,sku\n", filename="orders.xlsx")

    assert [(e.line, e.code) for e in report.errors] == [(1, "import.unreadable")]
    assert "not a readable XLSX workbook" in report.errors[0].message
