"""Sample documents for people to look at: `python -m orderflow.documents.samples DIR`."""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from orderflow.documents.label_pdf import render_labels
from orderflow.documents.models import (
    Address,
    Amount,
    Contact,
    LabelData,
    PackingSlipData,
    PickItem,
    PickListData,
    SlipLine,
)
from orderflow.documents.packing_slip import render_packing_slip
from orderflow.documents.pick_list import render_pick_list

CHINA = timezone(timedelta(hours=8))
PRINTED = datetime(2025, 11, 11, 9, 30, tzinfo=CHINA)
SENDER = Contact(
    "小鹿优选旗舰店",
    "0571-88886666",
    Address("浙江省", "杭州市", "余杭区", "仓前街道文一西路 1500 号 3 号仓"),
)


def _recipients() -> list[Contact]:
    park = "深圳湾科技生态园 10 栋 B 座 2301 室"
    detail = "卡拉苏河西路亚欧国际物流园区中哈合作中心国际商贸城 C 区 7 号楼 3 单元 1204 室"
    return [
        Contact(
            "张晓明",
            "13800138000",
            Address("广东省", "深圳市", "南山区", f"粤海街道高新南七道 18 号{park}"),
        ),
        Contact("王**", "131****1907", Address("北京市", "北京市", "朝阳区", "建国路 88 号 ****")),
        Contact(
            "欧阳娜娜",
            "+86 139 1234 5678",
            Address(
                "新疆维吾尔自治区",
                "伊犁哈萨克自治州",
                "霍尔果斯市",
                f"{detail}（请电话联系后再送货，工作日 9:00-18:00）",
            ),
        ),
    ]


def sample_labels() -> list[LabelData]:
    """Three domestic labels: a 2-parcel SF one, a masked COD one, a very long address."""
    zhang, masked, far = _recipients()
    return [
        LabelData(
            "SF",
            "顺丰速运",
            "SF1234567890123",
            zhang,
            service_name="顺丰特快",
            order_number="OF-20251111-0001",
            parcel_index=1,
            parcel_count=2,
            weight_grams=1250,
            sort_code="755WF-A12 001",
            remarks="易碎品 轻拿轻放",
            tracking_url="https://www.sf-express.com/track?no=SF1234567890123",
            sender=SENDER,
            printed_at=PRINTED,
        ),
        LabelData(
            "ZTO",
            "中通快递",
            "78912345678901",
            masked,
            service_name="标准快递",
            order_number="OF-20251111-0002",
            parcel_index=2,
            parcel_count=2,
            weight_grams=860,
            cod=Amount(12800),
            sort_code="300-M18 04",
            sender=SENDER,
            printed_at=PRINTED,
        ),
        LabelData(
            "YTO",
            "圆通速递",
            "YT8801234567890",
            far,
            order_number="OF-20251111-0003",
            weight_grams=23500,
            cod=Amount(99990),
            sort_code="991 K-07 33",
            remarks="到付前请核对商品数量，如有破损请拒收并联系客服 400-000-0000",
            sender=SENDER,
            printed_at=PRINTED,
        ),
    ]


def english_labels() -> list[LabelData]:
    to = Contact(
        "Alice Johnson",
        "+1 415 555 0134",
        Address("CA", "San Francisco", None, "1 Market Street, Suite 300"),
    )
    shop = Contact(
        "OrderFlow Demo Shop",
        "+86 571 8888 6666",
        Address("Zhejiang", "Hangzhou", "Yuhang", "1500 Wenyi West Rd, Warehouse 3"),
    )
    return [
        LabelData(
            "EMS",
            "China Post EMS",
            "EA123456785CN",
            to,
            shop,
            service_name="International Express",
            order_number="OF-20251111-0004",
            weight_grams=1800,
            cod=Amount(4500, "USD"),
            printed_at=PRINTED,
            remarks="Gift, fragile",
        )
    ]


def sample_packing_slip() -> PackingSlipData:
    lines = [
        SlipLine("TEA-LJ-250", "西湖龙井 明前特级 250g 礼盒装", 2, "礼盒装"),
        SlipLine("CUP-GL-01", "双层玻璃茶杯 350ml", 1, "透明"),
        SlipLine("BAG-KRAFT-M", "牛皮纸手提袋（中）", 3),
    ]
    return PackingSlipData(
        "OF-20251111-0001",
        date(2025, 11, 11),
        sample_labels()[0].recipient,
        lines,
        "小鹿优选旗舰店",
        "顺丰速运",
        "SF1234567890123",
        "麻烦帮忙多放一点防震泡沫，谢谢！",
    )


def sample_pick_list() -> PickListData:
    items = [
        PickItem("OF-20251111-0001", "TEA-LJ-250", "西湖龙井 明前特级 250g 礼盒装", 2, "A-01-03"),
        PickItem("OF-20251111-0002", "TEA-LJ-250", "西湖龙井 明前特级 250g 礼盒装", 1, "A-01-03"),
        PickItem("OF-20251111-0002", "TEA-LJ-250", "西湖龙井 明前特级 250g 礼盒装", 1, "A-01-10"),
        PickItem("OF-20251111-0001", "CUP-GL-01", "双层玻璃茶杯 350ml", 1, "B-12-01"),
        PickItem("OF-20251111-0003", "BAG-KRAFT-M", "牛皮纸手提袋（中）", 3, "A-01-2"),
        PickItem(
            "OF-20251111-0004", "SCARF-SILK-RED", "Silk scarf, red / 真丝围巾 红色", 1, "C-03-07"
        ),
        PickItem("OF-20251111-0005", "NO-BIN-1", "待上架商品（无库位）", 2, None),
    ]
    return PickListData("W-20251111-07", items, PRINTED, "杭州余杭 3 号仓")


def write_samples(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    docs = {
        "label-100x150.pdf": render_labels(sample_labels(), size="100x150"),
        "label-76x130.pdf": render_labels(sample_labels(), size="76x130"),
        "label-privacy.pdf": render_labels(sample_labels(), size="76x130", privacy=True),
        "label-en-100x150.pdf": render_labels(english_labels(), size="100x150", language="en"),
        "packing-slip.pdf": render_packing_slip(sample_packing_slip()),
        "packing-slip-en.pdf": render_packing_slip(sample_packing_slip(), language="en"),
        "pick-list.pdf": render_pick_list(sample_pick_list()),
        "pick-list-en.pdf": render_pick_list(sample_pick_list(), language="en"),
    }
    written = []
    for name, pdf in docs.items():
        (out / name).write_bytes(pdf)
        written.append(out / name)
    return written


if __name__ == "__main__":  # pragma: no cover
    for path in write_samples(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/samples")):
        sys.stdout.write(f"{path}\n")
