"""What every command shares: the context, JSON output, progress bars on stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from customhouse.errors import DomainError
from customhouse.services.context import Context
from customhouse.settings import Settings

err_console = Console(stderr=True)


@contextmanager
def context() -> Iterator[Context]:
    """A service context for one command; its connections close when the command ends."""
    # Settings are read afresh, so one process can run commands against several databases.
    ctx = Context.create(Settings())
    try:
        yield ctx
    finally:
        ctx.engine.dispose()


def embeddings_setting(mode: Literal["off", "auto", "on"]) -> bool:
    """Whether suggestions blend in sentence embeddings under ``mode``; a mode that needs the
    missing extra ends the command with exit 2 and the package named."""
    from customhouse.classification.service import use_embeddings

    try:
        return use_embeddings(mode)
    except ModuleNotFoundError as exc:
        err_console.print(f"[red]classification.embeddings_missing[/red]: {exc}")
        raise SystemExit(2) from None


def emit_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, default=str) + "\n")


def progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=False,
    )


def fail(exc: DomainError, code: int = 1) -> None:
    err_console.print(f"[red]{exc.code}[/red]: {exc.message}")
    raise SystemExit(code)
