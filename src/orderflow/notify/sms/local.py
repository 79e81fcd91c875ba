"""A built-in SMS "provider" for the demo and tests: one JSON line per message in a file.

``LocalSmsSink(directory).send(message)`` appends to ``<directory>/sms.jsonl``;
``recent(directory, limit)`` reads the newest lines back (newest first) for the console's
"sent SMS" page. The recipient is stored masked: the file is read by people.
The file rolls over to ``sms.jsonl.1`` past ``max_bytes`` so it cannot grow without end.
"""

from __future__ import annotations

import json
import os
import threading
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from orderflow.notify.channels import Outgoing, SendResult
from orderflow.notify.sms.phones import mask_phone, to_e164
from orderflow.notify.sms.segments import count_segments, count_segments_cn

FILE_NAME = "sms.jsonl"
_lock = threading.Lock()


def _file(path: str | os.PathLike[str]) -> Path:
    p = Path(path)
    return p / FILE_NAME if p.is_dir() or not p.suffix else p


@dataclass
class LocalSmsSink:
    directory: Path
    signature: str | None = None  # prefixed as 【signature】, as a Chinese provider would
    max_bytes: int = 1_000_000
    name: str = "sms"

    def send(self, message: Outgoing) -> SendResult:
        number = to_e164(message.recipient)  # same refusals as a real provider
        counter = count_segments_cn if number.startswith("+86") else count_segments
        count = counter(message.text, self.signature)
        record: dict[str, Any] = {
            "message_id": message.message_id,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "to": mask_phone(number),
            "language": message.language,
            "template": message.template_code,
            "text": count.text,
            "encoding": count.encoding,
            "units": count.units,
            "segments": count.segments,
        }
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        path = _file(self.directory)
        path.parent.mkdir(parents=True, exist_ok=True)
        with _lock:
            if path.exists() and path.stat().st_size + len(line) > self.max_bytes:
                path.replace(path.with_name(path.name + ".1"))
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
            try:
                os.write(fd, line)  # one write per line: lines from several workers don't mix
            finally:
                os.close(fd)
        return SendResult(
            provider_message_id=f"local-{message.message_id}",
            detail=f"{count.segments} segment(s), {count.encoding}",
        )


def recent(path: str | os.PathLike[str], limit: int = 50) -> list[dict[str, Any]]:
    """The newest ``limit`` messages, newest first. A missing file is an empty list."""
    current = _file(path)
    lines: deque[str] = deque(maxlen=max(limit, 0))
    for candidate in (current.with_name(current.name + ".1"), current):
        if candidate.exists():
            with candidate.open(encoding="utf-8") as fh:
                lines.extend(line for line in fh if line.strip())
    out: list[dict[str, Any]] = []
    for line in reversed(lines):
        try:
            out.append(json.loads(line))
        except ValueError:
            continue  # a line cut short by a crash
    return out
