"""How every `orderflow …` command reports a refused action: the stable error code, the
reason and each failing field on standard error, then exit status 2."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

from orderflow.errors import OrderFlowError

err = Console(stderr=True)


def fail(exc: OrderFlowError) -> NoReturn:
    err.print(f"[bold red]error[/] ({exc.code}): {exc.detail}")
    for f in exc.fields:
        err.print(f"  - {f.field}: {f.message}")
    raise typer.Exit(2)
