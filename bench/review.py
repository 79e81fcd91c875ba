"""Review benchmark: the review rules (审单) over 100,000 orders.

    python bench/review.py               # 100,000 orders through the pure rules
    python bench/review.py --orders 20000
    python bench/review.py --db 2000     # also review_order() on SQLite, with its reads/writes

The orders are generated, real-looking: Chinese addresses from the division table
(full and short names, some pasted whole into the detail line, some with a district
of another city), international ones with postal codes, mobile and landline phones,
remarks, COD, likely duplicates and stock conflicts. Each order goes through every
rule family, the classification and the promise date — what review_order() computes
before it writes. Prints progress and orders/s; ends with ONE line of JSON with the
key review_orders_per_s (see docs/guide/desk-review.md for figures).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from orderflow.review import classify, divisions, promise, rules
from orderflow.review.config import ReviewConfig
from orderflow.review.facts import LineFacts, Neighbour, OrderFacts, StockFacts

ZONE = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 9, 28, 0, 0, tzinfo=UTC)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
STREETS = ["人民路", "解放路", "中山路", "建设路", "文三路", "科苑路", "长江路", "和平街"]
REMARKS = [None] * 12 + ["请加急", "麻烦改地址", "要开发票", "please ship ASAP", "送货前电话联系"]
INTL = [
    ("US", "CA", "San Francisco", "94105", "+14155550123"),
    ("GB", None, "London", "SW1A 1AA", "+447911123456"),
    ("DE", None, "Berlin", "10117", "+4915112345678"),
    ("JP", "東京都", "千代田区", "100-0001", "+819012345678"),
    ("US", "TX", "Austin", "7870", "+15125550199"),  # a bad ZIP
]


def _districts() -> list[tuple[str, str, str]]:
    table = divisions.load()
    out = []
    for p in table.provinces.values():
        for c in p.children.values():
            if not c.children:  # a county addressed as a city (海南 陵水)
                out.append((p.name, c.name, ""))
            for d in c.children.values():
                if d.name != "市辖区":
                    out.append((p.name, c.name, d.name))
    return out


def make_orders(count: int, seed: int = 20261203) -> list[OrderFacts]:
    rng = random.Random(seed)
    places = _districts()
    made: list[OrderFacts] = []
    for i in range(count):
        placed = START + timedelta(seconds=i * 3)
        qty = rng.randint(1, 3)
        price = rng.choice([1990, 5800, 16800, 39900, 129900])
        sku = f"SKU-{rng.randrange(200):03d}"
        lines = (
            LineFacts(
                sku,
                qty,
                price,
                price * qty,
                rng.choice(["tea", "teaware"]),
                unreserved=qty if rng.random() < 0.02 else 0,
            ),
        )
        total = price * qty + rng.choice([0, 0, 800])
        base = {
            "number": f"2609{i:08d}",
            "postal_code": None,
            "recipient_name": rng.choice(SURNAMES) + "先生",
            "pii_masked": False,
            "currency": "CNY",
            "subtotal_minor": price * qty,
            "shipping_minor": total - price * qty,
            "discount_minor": 0,
            "total_minor": total,
            "paid_minor": total,
            "cod": False,
            "buyer_remark": rng.choice(REMARKS),
            "seller_remark": None,
            "placed_at": placed,
            "paid_at": placed + timedelta(minutes=2),
            "lines": lines,
            "previous_orders": rng.choice([0, 0, 1, 3, 8]),
            "previous_spend_minor": rng.randrange(10**6),
            "wants_sms": True,
        }
        roll = rng.random()
        if roll < 0.08:
            country, state, city, postal, phone = rng.choice(INTL)
            facts = OrderFacts(
                country=country,
                province=state,
                city=city,
                district=None,
                detail=f"{rng.randint(1, 999)} Main Street",
                **{**base, "postal_code": postal},  # type: ignore[arg-type]
                recipient_phone=phone,
            )
        else:
            p, c, d = rng.choice(places)
            detail = f"{rng.choice(STREETS)}{rng.randint(1, 999)}号{rng.randint(1, 30)}栋"
            phone = (
                f"+86{rng.choice(['138', '139', '186', '192', '150'])}{rng.randrange(10**8):08d}"
            )
            if roll < 0.10:
                phone = f"+8610{rng.randrange(10**8):08d}"  # a Beijing landline
            if roll < 0.20:  # everything pasted into the detail line
                fields = {
                    "province": None,
                    "city": None,
                    "district": None,
                    "detail": p + c + d + detail,
                }
            elif roll < 0.22:  # a district of another city
                fields = {
                    "province": p,
                    "city": c,
                    "district": rng.choice(places)[2],
                    "detail": detail,
                }
            elif roll < 0.35:  # short names
                fields = {
                    "province": divisions.short_name(p),
                    "city": divisions.short_name(c),
                    "district": d,
                    "detail": detail,
                }
            else:
                fields = {"province": p, "city": c, "district": d, "detail": detail}
            cod = roll > 0.95
            facts = OrderFacts(
                country="CN",
                recipient_phone=phone,
                **fields,  # type: ignore[arg-type]
                **{**base, "cod": cod, "paid_minor": 0 if cod else total},
            )  # type: ignore[arg-type]
        if rng.random() < 0.05:  # a likely duplicate placed an hour earlier
            twin = Neighbour(
                f"2609{i:08d}X",
                placed - timedelta(hours=1),
                True,
                True,
                rules.address_key(
                    facts.country, facts.province, facts.city, facts.district, facts.detail
                ),
                rules.items_key([(sku, qty)]),
            )
            facts = OrderFacts(**{**_as_dict(facts), "neighbours": (twin,)})
        if lines[0].unreserved:
            facts = OrderFacts(**{**_as_dict(facts), "stock": {sku: StockFacts(2, 3, 2)}})
        made.append(facts)
    return made


def _as_dict(facts: OrderFacts) -> dict[str, object]:
    return {name: getattr(facts, name) for name in OrderFacts.__slots__}  # type: ignore[attr-defined]


def review_all(
    orders: list[OrderFacts], cfg: ReviewConfig, *, quiet: bool = False
) -> tuple[float, dict[str, int]]:
    outcomes = {"pass": 0, "warn": 0, "block": 0}
    started = last = time.perf_counter()
    for i, facts in enumerate(orders, 1):
        verdict = rules.review(facts, cfg)
        kind = classify.customer_type(facts.previous_orders, facts.previous_spend_minor, cfg)
        ship_by = promise.ship_by(facts.paid_at or facts.placed_at, ZONE, cfg)
        classify.urgency(facts.shipping_service, ship_by, facts.placed_at, kind, cfg)
        classify.payment_status(facts.total_minor, facts.paid_minor, 0, facts.cod)
        classify.category([line.category for line in facts.lines])
        outcomes[verdict.outcome] += 1
        now = time.perf_counter()
        if not quiet and (i % 10_000 == 0 or now - last > 5):
            print(f"  {i:>7,} orders  {i / (now - started):>9,.0f} orders/s", file=sys.stderr)
            last = now
    return time.perf_counter() - started, outcomes


def db_pass(count: int) -> float:
    """review_order() itself on SQLite: load facts, rules, store, move the order."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the test builders
    from tests.builders.orders import make_catalog, make_order

    from orderflow import migrate
    from orderflow.config import Settings
    from orderflow.db import Db
    from orderflow.orders import queries
    from orderflow.orders.lifecycle import Actor
    from orderflow.review import service

    tmp = Path(tempfile.mkdtemp(prefix="review-bench-"))
    url = f"sqlite:///{tmp / 'bench.db'}"
    migrate.upgrade(url)
    db = Db(url)
    settings = Settings(database_url=url, secret_key="bench", var_dir=tmp)
    make_catalog(db, {"SKU-1": 10**7})
    numbers = [
        make_order(
            db, settings, lines=[("SKU-1", 1)], customer={"name": "王五", "phone": f"139{i:08d}"}
        )
        for i in range(count)
    ]
    actor = Actor("staff", "bench")
    started = time.perf_counter()
    for number in numbers:
        with db.transaction() as s:
            service.review_order(
                s, queries.get_order_for_change(s, number), actor, settings=settings
            )
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--db", type=int, default=0, help="also time review_order() on SQLite")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    cfg = ReviewConfig()
    t0 = time.perf_counter()
    divisions.load()
    load_s = time.perf_counter() - t0
    print(
        f"division table loaded in {load_s * 1000:.0f} ms; generating {args.orders:,} orders",
        file=sys.stderr,
    )
    orders = make_orders(args.orders)
    review_all(orders[:2000], cfg, quiet=True)  # warm the caches (phone parses, names)
    print("reviewing", file=sys.stderr)
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
    elapsed, outcomes = review_all(orders, cfg)
    if args.profile:
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
    rate = args.orders / elapsed
    print(
        f"reviewed {args.orders:,} orders in {elapsed:.1f} s: {rate:,.0f} orders/s "
        f"(pass {outcomes['pass']:,}, warn {outcomes['warn']:,}, block {outcomes['block']:,})",
        file=sys.stderr,
    )
    result: dict[str, object] = {
        "review_orders_per_s": round(rate),
        "orders": args.orders,
        "outcomes": outcomes,
        "division_load_ms": round(load_s * 1000),
        "load_1min": round(os.getloadavg()[0], 2),
    }
    if args.db:
        db_rate = db_pass(args.db)
        print(
            f"review_order() on SQLite: {db_rate:,.0f} orders/s over {args.db:,}", file=sys.stderr
        )
        result["db_review_orders_per_s"] = round(db_rate)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
