"""Migration 0012 rewrites the English sentences the system used to store as reasons into
their codes (rendered in the reader's language); a person's own words stay as written."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from orderflow import migrate, texts


def test_known_sentences_become_codes_and_free_text_stays(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrate.upgrade(url, "0009")
    engine = create_engine(url)
    at = datetime(2026, 12, 1, tzinfo=UTC).isoformat()
    with engine.begin() as conn:
        for reason in ("payment deadline passed", "review passed: approved automatically",
                       "customer asked to wait"):
            conn.execute(text(
                "INSERT INTO timeline_events (order_id, at, actor, kind, reason, data) "
                "VALUES (1, :at, 'system:orderflow', 'status.changed', :reason, '{}')"),
                {"at": at, "reason": reason})

    migrate.upgrade(url, "0012")

    with engine.connect() as conn:
        reasons = list(conn.execute(text("SELECT reason FROM timeline_events ORDER BY id"))
                       .scalars())
    engine.dispose()
    assert reasons == ["reason.payment_deadline", "reason.review_auto_approved",
                       "customer asked to wait"]
    assert [texts.render("zh-CN", r) for r in reasons] == [
        "超时未付款", "审核通过，自动确认", "customer asked to wait"]
    assert texts.render("zh-CN", "review: warn") == "审核结果：需人工查看"  # read-time mapping
