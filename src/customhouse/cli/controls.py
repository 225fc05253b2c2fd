"""``customhouse controls``: the task queue, the duty roster, release times; ``enforcement``
and ``audit`` sub-apps for seizure export and audit selection."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer

from customhouse.access.models import SYSTEM
from customhouse.cli.common import context, emit_json, fail
from customhouse.errors import DomainError

app = typer.Typer(help="Control tasks, roster and release times.", no_args_is_help=True)
enforcement_app = typer.Typer(help="Seizures and cases.", no_args_is_help=True)
audit_app = typer.Typer(help="Post-clearance audit.", no_args_is_help=True)

Day = Annotated[dt.datetime, typer.Argument(formats=["%Y-%m-%d"], help="YYYY-MM-DD")]


@app.command("tasks")
def tasks(
    office: Annotated[str | None, typer.Option(help="Only this office.")] = None,
    status: Annotated[str | None, typer.Option(help="queued, allocated or closed.")] = None,
) -> None:
    """List control tasks as JSON."""
    from customhouse.services.controls import list_tasks

    with context() as ctx:
        emit_json(list_tasks(ctx, principal=SYSTEM, office=office, status=status))


@app.command("roster")
def roster(
    day: Day,
    office: str,
    entries: Annotated[list[str], typer.Argument(help="username:role ...")],
) -> None:
    """Put officers on duty at an office for a day."""
    from customhouse.services.controls import set_roster

    pairs = [e.split(":", 1) for e in entries]
    if any(len(p) != 2 for p in pairs):
        raise typer.BadParameter("entries are username:role")
    try:
        with context() as ctx:
            n = set_roster(
                ctx,
                principal=SYSTEM,
                day=day.date(),
                office=office,
                entries=[(p[0], p[1]) for p in pairs],
            )
    except DomainError as exc:
        fail(exc)
    emit_json({"day": day.date().isoformat(), "office": office, "on_duty": n})


@app.command("guarantees")
def guarantee_accounts(
    holder: Annotated[str | None, typer.Option(help="Only this holder's EORI.")] = None,
) -> None:
    """Deferment accounts and guarantees with limit, balance and outstanding, as JSON."""
    from customhouse.services.guarantees import list_guarantees

    with context() as ctx:
        emit_json(list_guarantees(ctx, principal=SYSTEM, holder_eori=holder))


@app.command("guarantee-open")
def guarantee_open(holder: str, currency: str, limit: str) -> None:
    """Open HOLDER's deferment account in CURRENCY with reference amount LIMIT."""
    from customhouse.services.guarantees import open_guarantee

    try:
        with context() as ctx:
            account = open_guarantee(
                ctx, principal=SYSTEM, holder_eori=holder, currency=currency, limit=_amount(limit)
            )
    except DomainError as exc:
        fail(exc)
    emit_json({"account": account})


@app.command("guarantee-settle")
def guarantee_settle(
    account: int,
    amount: str,
    reference: Annotated[str, typer.Option(help="The payment's reference.")],
) -> None:
    """Record the holder's payment of AMOUNT into deferment ACCOUNT."""
    from customhouse.services.guarantees import settle_guarantee

    try:
        with context() as ctx:
            balance = settle_guarantee(
                ctx,
                principal=SYSTEM,
                account_id=account,
                amount=_amount(amount),
                reference=reference,
            )
    except DomainError as exc:
        fail(exc)
    emit_json({"account": account, "balance": f"{balance:.2f}"})


@app.command("revenue")
def revenue(
    since: Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"])] = None,
    until: Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"])] = None,
) -> None:
    """Duties and taxes assessed and collected per day and currency, as JSON."""
    from customhouse.services.controls import revenue_report

    with context() as ctx:
        report = revenue_report(
            ctx,
            principal=SYSTEM,
            since=since.date() if since else None,
            until=until.date() if until else None,
        )
    emit_json(report)


def _amount(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise typer.BadParameter(f"not an amount: {text!r}") from None


@app.command("allocate-queued")
def allocate_queued(office: Annotated[str | None, typer.Option()] = None) -> None:
    """Allocate tasks that found no officer on duty when they were made."""
    from customhouse.services.controls import allocate_queued as run

    with context() as ctx:
        emit_json({"allocated": run(ctx, principal=SYSTEM, office=office)})


@app.command("release-times")
def release_times(
    since: Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"])] = None,
    until: Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"])] = None,
) -> None:
    """Lodgement to release: median and 90th percentile per channel and office (WCO TRS)."""
    from customhouse.services.controls import release_time_report

    with context() as ctx:
        emit_json(
            release_time_report(
                ctx,
                principal=SYSTEM,
                since=since.date() if since else None,
                until=until.date() if until else None,
            )
        )


@enforcement_app.command("export-seizures")
def export_seizures(
    since: Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"])] = None,
) -> None:
    """Seizures as nCEN-style records, one JSON list."""
    from customhouse.services.enforcement import export_seizures as run

    with context() as ctx:
        emit_json(run(ctx, principal=SYSTEM, since=since.date() if since else None))


@audit_app.command("select")
def audit_select(since: Day, until: Day, top: int = 10) -> None:
    """Traders ranked for audit by risk and volume, with reasons."""
    from customhouse.access.models import Principal, Role
    from customhouse.services.audit import audit_selection

    # The command runs as an auditor's tool: the system acting in the auditor role.
    auditor = Principal(None, "system", frozenset({Role.AUDITOR}))
    with context() as ctx:
        emit_json(
            audit_selection(ctx, principal=auditor, since=since.date(), until=until.date(), top=top)
        )


if __name__ == "__main__":
    app()
