"""Finding 1: one long URL or one huge body must not freeze the server. Every URL, header
block and body is bounded before anything parses it; log lines are bounded and masked in
linear time, so /healthz keeps answering while the attack runs."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx

from orderflow import logs


def _healthz_during(url: str, attack: threading.Thread) -> list[float]:
    """/healthz latencies (s) while the attack thread runs."""
    attack.start()
    times: list[float] = []
    with httpx.Client(timeout=10) as client:
        while attack.is_alive() or len(times) < 5:
            start = time.perf_counter()
            assert client.get(f"{url}/healthz").status_code == 200
            times.append(time.perf_counter() - start)
            time.sleep(0.02)
    attack.join()
    return times


def test_a_60000_character_url_is_refused_and_healthz_keeps_answering(served: str) -> None:
    answers: list[int] = []

    def attack() -> None:
        with httpx.Client(timeout=30) as client:
            for _ in range(5):
                answers.append(client.get(f"{served}/track?q={'a@b' * 20000}").status_code)

    times = _healthz_during(served, threading.Thread(target=attack))

    assert answers == [414] * 5
    assert max(times) < 2.0


def _chunks(total: int) -> Iterator[bytes]:
    piece = b"x" * 65536
    for _ in range(total // len(piece)):
        yield piece


def _send_raw(url: str, path: str, size: int) -> bytes:
    """A POST of `size` bytes with a Content-Length; stops when the server answers."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {size}\r\n\r\n".encode())
        sent = 0
        try:
            while sent < size:
                sock.sendall(b"x" * 65536)
                sent += 65536
        except OSError:
            pass  # the server answered and closed: what we want
        return sock.recv(4096)


def test_a_20_mb_body_is_refused_and_healthz_keeps_answering(served: str) -> None:
    statuses: list[int] = []
    heads: list[bytes] = []

    def attack() -> None:
        heads.append(_send_raw(served, "/api/carrier-hooks/simulated", 20 * 1024 * 1024))
        heads.append(_send_raw(served, "/api/v1/orders", 20 * 1024 * 1024))
        with httpx.Client(timeout=30) as client:  # chunked: no Content-Length to trust
            try:
                statuses.append(client.post(f"{served}/api/carrier-hooks/simulated",
                                            content=_chunks(20 * 1024 * 1024)).status_code)
            except httpx.TransportError:
                statuses.append(413)  # refused mid-stream and closed

    times = _healthz_during(served, threading.Thread(target=attack))

    assert all(head.startswith(b"HTTP/1.1 413") for head in heads), heads
    assert b"application/problem+json" in heads[0]
    assert b"x-content-type-options: nosniff" in heads[0].lower()
    assert statuses == [413]
    assert max(times) < 2.0


def test_log_lines_are_bounded_and_masked_in_linear_time() -> None:
    for text in ("a" * 60_000, "a@" * 30_000, "%40a" * 20_000, "a." * 30_000 + "@x.cn"):
        start = time.perf_counter()
        masked = logs.mask(text)
        assert time.perf_counter() - start < 0.1
        assert len(masked) <= logs.MAX_LINE + 20
        assert masked.endswith("more)")
