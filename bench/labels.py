"""Label benchmark: 1,000 full waybill labels (CJK text, Code128, QR, COD, long addresses)
into ONE PDF and into ZPL, with a progress bar; peak RSS sampled while rendering.

    python bench/labels.py               # 1,000 labels, 100x150
    python bench/labels.py --labels 200  # a quick run
Progress and details go to stderr; stdout ends with ONE JSON line:
{"pdf_labels_per_s": ..., "zpl_labels_per_s": ..., "peak_rss_mb": ...}
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from orderflow.documents import Address, Amount, Contact, LabelData, write_labels
from orderflow.documents.fonts import cjk_font
from orderflow.documents.zpl import render_zpl
from orderflow.shipping.numbers import make_number

CHINA = timezone(timedelta(hours=8))
PROVINCES = [("广东省", "深圳市", "南山区"), ("新疆维吾尔自治区", "伊犁哈萨克自治州", "霍尔果斯市"),
             ("北京市", "北京市", "朝阳区"), ("四川省", "成都市", "武侯区")]
CARRIERS = [("SF", "顺丰速运", "sf", "顺丰特快"), ("ZTO", "中通快递", "zto", "标准快递"),
            ("YTO", "圆通速递", "yto", "标准快递"), ("JD", "京东物流", "jd", "特快送"),
            ("EMS", "中国邮政/EMS", "ems", "邮政快递包裹")]
SENDER = Contact("小鹿优选旗舰店", "0571-88886666",
                 Address("浙江省", "杭州市", "余杭区", "仓前街道文一西路 1500 号 3 号仓"))
err = Console(stderr=True)


def rss_mb() -> float:
    """Current resident set size from /proc (peak is ru_maxrss)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def labels(n: int) -> Iterator[LabelData]:
    """`n` distinct labels, generated lazily (the renderer, not the input, is measured)."""
    printed = datetime(2026, 12, 3, 9, 30, tzinfo=CHINA)
    for i in range(n):
        code, name, tracking_code, service = CARRIERS[i % len(CARRIERS)]
        province, city, district = PROVINCES[i % len(PROVINCES)]
        detail = f"幸福路 {i} 号 阳光花园 {i % 30 + 1} 栋 {i % 9 + 1} 单元 {i % 2000 + 101} 室"
        if i % 7 == 0:
            detail += "（工作日 9:00-18:00 送货，放门口快递柜，谢谢）" * 2
        number = make_number(tracking_code, 10_000_000 + i)
        yield LabelData(
            carrier_code=code, carrier_name=name, tracking_number=number,
            recipient=Contact(f"欧阳{'明华丽娜'[i % 4]}{i}", f"139{i:08d}",
                              Address(province, city, district, detail)),
            sender=SENDER, service_name=service, order_number=f"2612030{i:05d}",
            parcel_index=1, parcel_count=1, weight_grams=300 + (i * 37) % 5000,
            cod=Amount(12800 + i) if i % 5 == 0 else None, sort_code=f"{i % 900 + 100}-M{i % 40}",
            printed_at=printed, remarks="易碎品 轻拿轻放" if i % 3 == 0 else None,
            tracking_url=f"https://t.orderflow.example/{number}")


def bench_pdf(n: int, size: str, out: Path,
              samples: list[tuple[int, float]]) -> tuple[float, float]:
    with Progress(TextColumn("PDF"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=False) as bar:
        task = bar.add_task("pdf", total=n)

        def tick(done: int, _total: int | None) -> None:
            bar.update(task, completed=done)
            if done % max(1, n // 10) == 0:
                samples.append((done, rss_mb()))

        started, cpu = time.perf_counter(), time.process_time()
        with out.open("wb") as f:
            written = write_labels(f, labels(n), size=size, progress=tick)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert written == n
    return n / elapsed, n / cpu


def bench_zpl(n: int, size: str, out: Path) -> float:
    batch = max(1, n // 20)
    with Progress(TextColumn("ZPL"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err) as bar:
        task = bar.add_task("zpl", total=n)
        started = time.perf_counter()
        source = labels(n)
        with out.open("w", encoding="utf-8") as f:
            done = 0
            while done < n:
                chunk = [next(source) for _ in range(min(batch, n - done))]
                f.write(render_zpl(chunk, size=size))
                done += len(chunk)
                bar.update(task, completed=done)
        elapsed = time.perf_counter() - started
    return n / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, default=1000)
    parser.add_argument("--size", default="100x150", choices=["100x150", "76x130"])
    parser.add_argument("--keep", type=Path, help="keep the PDF and ZPL in this directory")
    args = parser.parse_args()
    font = cjk_font()
    err.print(f"font: {font.source} (embedded: {font.embedded}); load: {os.getloadavg()}")
    next(iter(labels(1)))  # warm imports
    with tempfile.TemporaryDirectory() as tmp:
        where = args.keep or Path(tmp)
        where.mkdir(parents=True, exist_ok=True)
        samples: list[tuple[int, float]] = []
        pdf_rate, pdf_cpu_rate = bench_pdf(args.labels, args.size, where / "labels.pdf", samples)
        zpl_rate = bench_zpl(args.labels, args.size, where / "labels.zpl")
        pdf_mb = (where / "labels.pdf").stat().st_size / 2**20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    err.print(f"PDF per CPU-second (load-independent): {pdf_cpu_rate:.0f} labels/s")
    err.print(f"PDF {pdf_mb:.1f} MiB; RSS (MiB) by labels done: "
              + ", ".join(f"{d}: {m:.0f}" for d, m in samples))
    print(json.dumps({"pdf_labels_per_s": round(pdf_rate, 1),
                      "zpl_labels_per_s": round(zpl_rate, 1), "peak_rss_mb": round(peak, 1),
                      "pdf_labels_per_cpu_s": round(pdf_cpu_rate, 1),
                      "load_1m": round(os.getloadavg()[0], 2)}))


if __name__ == "__main__":
    sys.exit(main())
