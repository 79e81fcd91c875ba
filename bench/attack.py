"""Resource attacks against a real `orderflow serve`: /healthz latency and server memory
while it is being attacked.

For each database (SQLite, and PostgreSQL when reachable) a fresh database, one
`orderflow serve` process (access log on, so every attack passes through the log
masking) and, at the same time:
  - long URLs: GET with a 60,000-character query string (expected 414);
  - large bodies: 20 MB POSTs to a carrier hook and to the order API, with a
    Content-Length (refused at once) and chunked (counted while streaming; 413);
  - XLSX bombs: a signed-in staff member uploads a 60 KB workbook that unpacks to
    50 MB to /orders/import (refused before openpyxl opens it);
  - 1,000 tracking look-ups from 100 client addresses (127.0.0.2-101, bound as source
    addresses: the server trusts no X-Forwarded-For), 10 wrong guesses each;
while a separate process asks /healthz every 20 ms and the server's RSS (with its
children) is sampled from /proc. The last line is one JSON object:
`healthz_p99_ms_under_attack` (target < 100) and `peak_rss_mb_under_attack`
(target < 500), the worst of the databases, plus the figures per database.
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections import Counter
from multiprocessing.synchronize import Event as EventType
from pathlib import Path
from typing import Any

import httpx
from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.intake import fresh_database, log

from orderflow.auth import service as auth
from orderflow.auth.models import Role
from orderflow.db import Db

LONG_URL_CHARS = 60_000
BIG_BODY = 20 * 1024 * 1024
ADDRESSES = 100
LOOKUPS_PER_ADDRESS = 10
PASSWORD = "bench-attack-password"


# --- the server ---------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(url: str, tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "ORDERFLOW_DATABASE_URL": url, "ORDERFLOW_VAR_DIR": str(tmp),
           "ORDERFLOW_SECRET_KEY": secrets.token_urlsafe(48),
           "ORDERFLOW_TRACKING_SIMULATED_SECRET": secrets.token_urlsafe(32)}
    log_file = (tmp / "serve.log").open("wb")  # the access log: masked, bounded lines
    proc = subprocess.Popen([sys.executable, "-m", "orderflow.cli", "serve", "--host",
                             "127.0.0.1", "--port", str(port)], env=env, stdout=log_file,
                            stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not start")


def rss_mb(pid: int) -> float:
    """Resident memory of the process and its children, from /proc."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        found = re.search(r"VmRSS:\s+(\d+) kB", status)
        total += int(found.group(1)) if found else 0
    return total / 1024


# --- /healthz, from its own process ---------------------------------------------------------

def probe(base: str, stop: EventType, out: Any) -> None:
    times: list[float] = []
    errors = 0
    with httpx.Client(timeout=30) as client:
        while not stop.is_set():
            start = time.perf_counter()
            try:
                ok = client.get(f"{base}/healthz").status_code == 200
            except httpx.HTTPError:
                ok = False
            times.append((time.perf_counter() - start) * 1000)
            errors += not ok
            time.sleep(0.02)
    out.put((times, errors))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else 0.0


# --- the attacks ---------------------------------------------------------------------------

class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: Counter[str] = Counter()

    def add(self, name: str, outcome: str) -> None:
        with self.lock:
            self.counts[f"{name}:{outcome}"] += 1


def long_urls(base: str, tally: Tally, rounds: int) -> None:
    query = "q=" + ("a@b.c%40" * (LONG_URL_CHARS // 8))[:LONG_URL_CHARS]
    with httpx.Client(timeout=60) as client:
        for n in range(rounds):
            path = ("/track?", "/api/v1/orders?", "/orders?")[n % 3]
            try:
                tally.add("long_url", str(client.get(base + path + query).status_code))
            except httpx.HTTPError as exc:
                tally.add("long_url", type(exc).__name__)


def _raw_post(base: str, path: str, size: int) -> str:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json"
                     f"\r\nContent-Length: {size}\r\n\r\n".encode())
        piece, sent = b"x" * 65536, 0
        try:
            while sent < size:
                sock.sendall(piece)
                sent += len(piece)
        except OSError:
            pass  # answered and closed: the body was refused early
        head = sock.recv(64)
    return head.split(b" ")[1].decode() if head.startswith(b"HTTP/") else "closed"


def big_bodies(base: str, tally: Tally, rounds: int) -> None:
    def chunks() -> Any:
        piece = b"{" * 65536
        for _ in range(BIG_BODY // len(piece)):
            yield piece

    with httpx.Client(timeout=60) as client:
        for n in range(rounds):
            path = ("/api/carrier-hooks/simulated", "/api/v1/orders", "/api/hooks/shop")[n % 3]
            tally.add("big_body", _raw_post(base, path, BIG_BODY))
            try:
                status = client.post(base + path, content=chunks()).status_code
                tally.add("big_body_chunked", str(status))
            except httpx.HTTPError:
                tally.add("big_body_chunked", "closed")


def xlsx_bomb(unpacked: int) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["external_id", "customer_name", "phone", "province", "city", "district",
                  "address", "sku", "quantity"])
    plain = io.BytesIO()
    book.save(plain)
    real = zipfile.ZipFile(io.BytesIO(plain.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for item in real.infolist():
            data = real.read(item.filename)
            if item.filename.endswith("sheet1.xml"):
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * unpacked, 1)
            z.writestr(item.filename, data)
    return out.getvalue()


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    return found.group(1) if found else ""


def bomb_uploads(base: str, tally: Tally, rounds: int, username: str) -> None:
    bomb = xlsx_bomb(50 * 1024 * 1024)
    origin = {"Origin": base}
    with httpx.Client(base_url=base, timeout=60, follow_redirects=False) as client:
        token = _csrf(client.get("/login").text)
        client.post("/login", headers=origin, data={"username": username, "password": PASSWORD,
                                                    "csrf_token": token, "next": "/"})
        token = _csrf(client.get("/orders/import").text)
        for _ in range(rounds):
            reply = client.post("/orders/import", headers=origin, data={"csrf_token": token},
                                files={"file": ("bomb.xlsx", bomb, "application/vnd.ms-excel")})
            refused = "xlsx_bomb" in reply.text or "inflates" in reply.text
            tally.add("xlsx_bomb", f"{reply.status_code}{'-refused' if refused else ''}")
            tally.add("xlsx_bomb_page_kb", str(len(reply.content) // 1024))


def lookups(base: str, tally: Tally, address: str) -> None:
    transport = httpx.HTTPTransport(local_address=address)  # the server sees `address`
    with httpx.Client(base_url=base, transport=transport, timeout=60) as client:
        form = client.get("/track").text
        found = re.search(r'name="form_token" value="([^"]+)"', form)
        token = found.group(1) if found else ""
        for n in range(LOOKUPS_PER_ADDRESS):
            reply = client.post("/track", headers={"Origin": base}, data={
                "number": f"2612{secrets.randbelow(10**8):08d}", "phone_tail": f"{n:04d}",
                "form_token": token})
            tally.add("lookup", str(reply.status_code))


# --- one database ------------------------------------------------------------------------

def run_backend(backend: str, tmp: Path, rounds: int,
                attacks: set[str]) -> dict[str, float] | None:
    url = fresh_database(backend, tmp, "orderflow_bench_attack")
    if url is None:
        return None
    db = Db(url)
    auth.create_user(db, "attacked", PASSWORD, role=Role.SERVICE)
    db.dispose()
    proc, base = start_server(url, tmp)
    baseline = rss_mb(proc.pid)
    log(f"{backend}: server pid {proc.pid} at {base}, RSS {baseline:.0f} MB before the attacks")
    stop = multiprocessing.Event()
    results: Any = multiprocessing.Queue()
    prober = multiprocessing.Process(target=probe, args=(base, stop, results))
    prober.start()
    time.sleep(5.0)  # the idle baseline on this machine, before any attack
    stop.set()
    idle, _ = results.get(timeout=60)
    prober.join()
    idle_p99 = percentile(idle, 0.99)
    log(f"{backend}: /healthz idle: {len(idle)} probes, p50 {percentile(idle, 0.5):.1f} ms, "
        f"p99 {idle_p99:.1f} ms (load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    stop = multiprocessing.Event()
    prober = multiprocessing.Process(target=probe, args=(base, stop, results))
    prober.start()
    tally = Tally()
    attackers = [threading.Thread(target=run, args=args) for name, run, args in (
        ("long_url", long_urls, (base, tally, rounds * 3)),
        ("big_body", big_bodies, (base, tally, rounds)),
        ("xlsx", bomb_uploads, (base, tally, rounds, "attacked"))) if name in attacks]
    addresses = [f"127.0.0.{n}" for n in range(2, 2 + ADDRESSES)]

    def spread() -> None:
        for group in range(0, ADDRESSES, 10):  # ten addresses at a time
            batch = [threading.Thread(target=lookups, args=(base, tally, a))
                     for a in addresses[group:group + 10]]
            for t in batch:
                t.start()
            for t in batch:
                t.join()

    if "lookups" in attacks:
        attackers.append(threading.Thread(target=spread))
    peak = baseline
    started = time.monotonic()
    for t in attackers:
        t.start()
    while any(t.is_alive() for t in attackers):
        time.sleep(0.25)
        peak = max(peak, rss_mb(proc.pid))
        if int((time.monotonic() - started) * 4) % 8 == 0:
            done = sum(v for k, v in tally.counts.items() if k.startswith("lookup:"))
            log(f"{backend}: {time.monotonic() - started:5.1f}s  look-ups {done}/"
                f"{ADDRESSES * LOOKUPS_PER_ADDRESS}  long URLs "
                f"{sum(v for k, v in tally.counts.items() if k.startswith('long_url'))}  "
                f"big bodies {sum(v for k, v in tally.counts.items() if k.startswith('big'))}  "
                f"bombs {sum(v for k, v in tally.counts.items() if k.startswith('xlsx_bomb:'))}"
                f"  RSS {peak:.0f} MB")
    attack_s = time.monotonic() - started
    stop.set()
    times, errors = results.get(timeout=60)
    prober.join()
    proc.terminate()
    proc.wait(timeout=30)
    longest_log_line = max((len(line) for line in (tmp / "serve.log").read_text(
        errors="replace").splitlines()), default=0)
    log(f"{backend}: outcomes {dict(sorted(tally.counts.items()))}")
    p50, p99 = percentile(times, 0.50), percentile(times, 0.99)
    log(f"{backend}: {attack_s:.1f} s of attacks; /healthz {len(times)} probes, p50 {p50:.1f} "
        f"ms, p99 {p99:.1f} ms, max {max(times, default=0):.1f} ms, {errors} failed; server "
        f"RSS peak {peak:.0f} MB (baseline {baseline:.0f}); longest log line "
        f"{longest_log_line} chars")
    limited = tally.counts["lookup:429"]
    return {f"healthz_p99_ms_idle_{backend}": round(idle_p99, 1),
            f"healthz_p50_ms_{backend}": round(p50, 1),
            f"healthz_p99_ms_under_attack_{backend}": round(p99, 1),
            f"healthz_failures_{backend}": errors,
            f"peak_rss_mb_under_attack_{backend}": round(peak, 1),
            f"attack_seconds_{backend}": round(attack_s, 1),
            f"lookups_{backend}": ADDRESSES * LOOKUPS_PER_ADDRESS,
            f"lookups_limited_{backend}": limited,
            f"longest_log_line_{backend}": longest_log_line}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--rounds", type=int, default=6, help="repeats of each resource attack")
    parser.add_argument("--quick", action="store_true", help="two rounds of each attack")
    parser.add_argument("--attacks", default="long_url,big_body,xlsx,lookups",
                        help="which attacks run (together)")
    args = parser.parse_args()
    rounds = 2 if args.quick else args.rounds
    figures: dict[str, float] = {}
    for backend in args.backends.split(","):
        tmp = Path(tempfile.mkdtemp(prefix=f"orderflow-attack-{backend}-"))
        try:
            found = run_backend(backend, tmp, rounds, set(args.attacks.split(",")))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        if found:
            figures.update(found)
    p99s = [v for k, v in figures.items() if k.startswith("healthz_p99_ms_under_attack_")]
    peaks = [v for k, v in figures.items() if k.startswith("peak_rss_mb_under_attack_")]
    out = {"healthz_p99_ms_under_attack": max(p99s, default=None),
           "peak_rss_mb_under_attack": max(peaks, default=None), **figures,
           "load_1m": round(os.getloadavg()[0], 2)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
