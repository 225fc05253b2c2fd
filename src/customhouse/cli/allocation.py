"""``customhouse allocation``: commit, reveal and verify the daily allocation seed."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from customhouse.access.models import SYSTEM
from customhouse.cli.common import context, emit_json, fail
from customhouse.errors import DomainError

app = typer.Typer(
    help="Verifiable allocation of control tasks (commit-reveal of each day's seed).",
    no_args_is_help=True,
)

Day = Annotated[dt.datetime, typer.Argument(formats=["%Y-%m-%d"], help="The day (YYYY-MM-DD).")]


@app.command("commit")
def commit(day: Day) -> None:
    """Draw a coming day's seed and publish its SHA-256 commitment."""
    from customhouse.services.controls import commit_seed

    try:
        with context() as ctx:
            emit_json(commit_seed(ctx, principal=SYSTEM, day=day.date()))
    except DomainError as exc:
        fail(exc)


@app.command("reveal")
def reveal(day: Day) -> None:
    """Publish a past day's seed."""
    from customhouse.services.controls import reveal_seed

    try:
        with context() as ctx:
            emit_json(reveal_seed(ctx, principal=SYSTEM, day=day.date()))
    except DomainError as exc:
        fail(exc)


@app.command("verify")
def verify(day: Day) -> None:
    """Re-derive every allocation of a revealed day; exit 1 if any differs."""
    from customhouse.services.controls import verify_allocations

    try:
        with context() as ctx:
            report = verify_allocations(ctx, principal=SYSTEM, day=day.date())
    except DomainError as exc:
        fail(exc)
    emit_json(report)
    if not report["ok"]:
        raise SystemExit(1)


if __name__ == "__main__":
    app()
