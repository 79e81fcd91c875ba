"""The app's route table, flattened (this FastAPI nests included routers)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from fastapi import FastAPI


def route_table(app: FastAPI) -> Iterator[tuple[str, str]]:
    """(method, path with each {param} replaced by X) for every HTTP route."""
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        items = contexts() if callable(contexts) else [route]
        for item in items:
            path, methods = getattr(item, "path", None), getattr(item, "methods", None)
            if not path or not methods:
                continue
            for method in sorted(methods):
                if method != "HEAD":
                    yield method, re.sub(r"\{[^}]+\}", "X", path)
