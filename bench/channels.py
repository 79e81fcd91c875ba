"""Channel webhook benchmark: how fast a signed delivery gets its 2xx, over real HTTP
to a uvicorn server on a fresh SQLite database (stored in the inbox and applied inline).

    python bench/channels.py            # 1,000 deliveries: 600 new orders, 200 updates,
                                        # 200 duplicates; 4 concurrent senders
    python bench/channels.py --quick    # 200 deliveries

Ends with ONE line of JSON with the figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.channels.helpers import (
    dumps,
    make_channel_catalog,
    make_shops,
    paid_shopify_order,
    shopify_headers,
    woo_headers,
    woo_order,
)
from tests.support.server import free_port

from orderflow import migrate
from orderflow.app import create_app
from orderflow.config import Settings
from orderflow.db import Db


def deliveries(total: int) -> list[tuple[str, bytes, dict[str, str]]]:
    new, updates = total * 6 // 10, total * 2 // 10
    out = []
    for i in range(new):
        if i % 2:
            o = woo_order()
            o["id"] = 10_000 + i
            body = dumps(o)
            out.append(("woo-shop", body, woo_headers(body)))
        else:
            o = paid_shopify_order()
            o["id"] = 9_000_000_000 + i
            o["financial_status"] = "pending"
            body = dumps(o)
            out.append(("shopify-us", body, shopify_headers(body)))
    for i in range(0, 2 * updates, 2):
        o = paid_shopify_order()
        o.update(id=9_000_000_000 + i, updated_at="2008-01-11T10:00:00-05:00")
        o["shipping_address"]["address1"] = f"Main Street {i}"
        body = dumps(o)
        out.append(("shopify-us", body, shopify_headers(body, topic="orders/updated")))
    out += out[: total - len(out)]  # duplicates: the same delivery again
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    total = 200 if args.quick else 1000
    tmp = Path(tempfile.mkdtemp(prefix="of-bench-channels-"))
    url = f"sqlite:///{tmp / 'bench.db'}"
    migrate.upgrade(url)
    db = Db(url, pool_size=20)
    settings = Settings(database_url=url, secret_key="bench", var_dir=tmp)
    make_channel_catalog(db, stock=10**8)
    make_shops(db)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(db, settings), host="127.0.0.1",
                                           port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    work = deliveries(total)
    latencies: list[float] = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        def send(item: tuple[str, bytes, dict[str, str]]) -> int:
            shop, body, headers = item
            start = time.perf_counter()
            status = client.post(f"/api/hooks/{shop}", content=body, headers=headers).status_code
            latencies.append((time.perf_counter() - start) * 1000)
            return status
        began = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            statuses = list(pool.map(send, work))
        elapsed = time.perf_counter() - began
    server.should_exit = True
    cuts = statistics.quantiles(latencies, n=100)
    result = {"channel_deliveries": total, "clients": args.clients,
              "channel_deliveries_per_s": round(total / elapsed, 1),
              "channel_webhook_p50_ms": round(cuts[49], 1),
              "channel_webhook_p95_ms": round(cuts[94], 1),
              "channel_webhook_max_ms": round(max(latencies), 1),
              "non_2xx": sum(1 for s in statuses if s >= 300)}
    print(f"{total} deliveries in {elapsed:.1f}s ({result['channel_deliveries_per_s']}/s); "
          f"answer p50 {result['channel_webhook_p50_ms']} ms, "
          f"p95 {result['channel_webhook_p95_ms']} ms, max {result['channel_webhook_max_ms']} ms")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
