"""Workers are killed (SIGKILL) at random moments, and one is paused (SIGSTOP) past
its lease, while 2,000 orders ship. Nothing may be missed; a repeat may only carry
the same Message-ID / webhook-id as the first delivery; milestones arrive in order."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import func, select

from orderflow.fulfilment import service as fulfilment
from orderflow.notify import prefs
from orderflow.notify.models import Notice, NoticeState, WebhookEndpoint
from orderflow.outbox import OutboxMessage, OutboxState
from tests.builders.orders import STAFF, make_catalog, make_order
from tests.support.clock import clock_env
from tests.support.smtp import smtp_server
from tests.support.webhooks import webhook_receiver

ORDERS = int(os.environ.get("ORDERFLOW_CRASH_ORDERS", "2000"))
WORKERS = 2
LEASE_S = 3
PATH = ["paid", "approved", "allocated", "picking", "packed"]


def spawn(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "orderflow.cli", "worker"], env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT)


def chaos(workers: list[subprocess.Popen[bytes]], env: dict[str, str], log: Path,
          stop: threading.Event, stats: dict[str, int]) -> None:
    """Kill a random worker every 1-3 s (a restarted worker needs about a second to start)."""
    rng = random.Random(7)
    paused_once = False
    while not stop.is_set():
        stop.wait(rng.uniform(1.0, 3.0))
        if stop.is_set():
            break
        i = rng.randrange(len(workers))
        if not paused_once and stats["kills"] >= 3:
            workers[i].send_signal(signal.SIGSTOP)  # paused past its lease ...
            time.sleep(LEASE_S * 2)
            workers[i].send_signal(signal.SIGCONT)  # ... then wakes up with a stale fence
            paused_once = True
            stats["pauses"] += 1
            continue
        workers[i].kill()
        workers[i].wait()
        workers[i] = spawn(env, log)
        stats["kills"] += 1


@pytest.mark.slow
def test_killed_and_paused_workers_miss_nothing_and_repeat_only_with_the_same_id(
        db, settings, tmp_path):
    make_catalog(db, {"SKU-1": ORDERS * 2})
    numbers = [make_order(db, settings, path=PATH, customer={
        "name": f"Buyer {i}", "email": f"buyer{i}@example.com", "language": "en"})
        for i in range(ORDERS)]
    with smtp_server() as (smtp_port, mailbox), webhook_receiver() as hooks:
        with db.transaction() as s:  # two emails per customer (received, shipped) + a webhook
            prefs.set_switch(s, "order.paid", "email", False)
            prefs.set_switch(s, "order.confirmed", "email", False)
            for milestone in ("order.received", "order.paid", "order.confirmed",
                              "order.shipped"):
                prefs.set_switch(s, milestone, "inbox", False)
            s.add(WebhookEndpoint(url=hooks.url, secrets=[hooks.secret], events=["order.shipped"],
                                  enabled=True, created_at=hooks.now()))
        env = {**os.environ, "ORDERFLOW_DATABASE_URL": db.url,
               "ORDERFLOW_SMTP_PORT": str(smtp_port),
               "ORDERFLOW_NOTIFY_LEASE_SECONDS": str(LEASE_S), "ORDERFLOW_TEST_MODE": "1",
               "ORDERFLOW_VAR_DIR": str(tmp_path), "ORDERFLOW_SECRET_KEY": "k" * 40,
               **clock_env()}
        log = tmp_path / "workers.log"
        workers = [spawn(env, log) for _ in range(WORKERS)]
        stop, stats = threading.Event(), {"kills": 0, "pauses": 0}
        monkey = threading.Thread(target=chaos, args=(workers, env, log, stop, stats))
        monkey.start()
        try:
            for number in numbers:
                fulfilment.ship_order(db, number, carrier="SF", tracking_number=f"SF{number}",
                                      actor=STAFF)
            time.sleep(LEASE_S * 3)  # keep killing while the backlog drains
            stop.set()
            monkey.join()
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline and _unfinished(db):
                time.sleep(0.5)
        finally:
            stop.set()
            monkey.join()
            for w in workers:
                w.send_signal(signal.SIGCONT)
                w.terminate()
            for w in workers:
                w.wait(timeout=20)

        by_order: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for msg in mailbox.messages:
            by_order[str(msg["X-OrderFlow-Order"])].append((str(msg["X-OrderFlow-Milestone"]),
                                                            str(msg["Message-ID"])))
        missed = repeats = 0
        for number in numbers:
            got = by_order.get(number, [])
            milestones = [m for m, _ in got]
            distinct = list(dict.fromkeys(milestones))
            missed += 2 - len(distinct)
            repeats += len(got) - len(distinct)
            assert distinct == ["order.received", "order.shipped"][: len(distinct)], number
            for milestone in distinct:  # every repeat carries the first delivery's Message-ID
                assert len({mid for m, mid in got if m == milestone}) == 1, (number, milestone)
        hook_missed = ORDERS - len(hooks.distinct_ids())
        print(f"\nmissed={missed + hook_missed} repeats={repeats + hooks.repeats()} "
              f"kills={stats['kills']} pauses={stats['pauses']}")
        assert stats["kills"] >= 3
        assert stats["pauses"] == 1
        assert missed == 0
        assert hook_missed == 0
        assert hooks.bad_signatures == 0
        assert not _unfinished(db)


def _unfinished(db) -> int:
    with db.read() as s:
        pending = s.scalar(select(func.count()).where(OutboxMessage.state != OutboxState.DONE)) or 0
        open_notices = s.scalar(select(func.count()).where(
            Notice.state.in_([NoticeState.QUEUED, NoticeState.SENDING]))) or 0
    return int(pending + open_notices)
