"""``customhouse``: serve, migrate, load reference data, lodge and process declarations."""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import func, select

from customhouse.access.models import SYSTEM, Role
from customhouse.cli.allocation import app as allocation_app  # issue 6
from customhouse.cli.bench import app as bench_app  # issue 6
from customhouse.cli.classify import app as classify_app  # issue 7
from customhouse.cli.common import (
    context,
    embeddings_setting,
    emit_json,
    err_console,
    fail,
    progress,
)
from customhouse.cli.controls import app as controls_app  # issue 6
from customhouse.cli.controls import audit_app, enforcement_app  # issue 6
from customhouse.cli.risk import app as risk_app  # issue 4
from customhouse.cli.screen import app as screen_app  # issue 5
from customhouse.cli.tariff import app as tariff_app  # issue 3
from customhouse.cli.tariff import assess_cmd  # issue 3
from customhouse.declarations.errors import DeclarationRejected
from customhouse.declarations.tables import DeclarationRow
from customhouse.errors import DomainError
from customhouse.services.intake import BATCH_SIZE
from customhouse.services.pipeline import process_prepared

app = typer.Typer(
    help="customhouse: an open customs administration system.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
reference_app = typer.Typer(help="Reference data shipped with the package.", no_args_is_help=True)
demo_app = typer.Typer(
    help="Demo data: operators, users, synthetic declarations.", no_args_is_help=True
)
ledger_app = typer.Typer(help="The hash-chained ledger.", no_args_is_help=True)
users_app = typer.Typer(help="Users and API tokens.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(reference_app, name="reference")
app.add_typer(demo_app, name="demo")
app.add_typer(ledger_app, name="ledger")
app.add_typer(users_app, name="users")
app.add_typer(tariff_app, name="tariff")  # issue 3: tariff load, parse-report, vectors
app.add_typer(screen_app, name="screen")  # issue 5: lists, names, batch, evaluate-pairs
app.add_typer(risk_app, name="risk")  # issue 4: evaluate, train, score, select
app.add_typer(classify_app, name="classify")  # issue 7: suggest, search, evaluate
app.add_typer(allocation_app, name="allocation")  # issue 6: commit, reveal, verify
app.add_typer(bench_app, name="bench")  # issue 6: pipeline (full, with simulated officers)
app.add_typer(controls_app, name="controls")  # issue 6: tasks, roster, release times
app.add_typer(enforcement_app, name="enforcement")  # issue 6: nCEN seizure export
app.add_typer(audit_app, name="audit")  # issue 6: post-clearance audit selection
app.command("assess")(assess_cmd)  # issue 3: assess a declaration file without lodging


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the API (OpenAPI at /docs) and the pages."""
    import uvicorn

    from customhouse.api.app import create_app

    with context() as ctx:
        embeddings_setting(ctx.settings.classification_embeddings)  # exit 2, not a traceback
        uvicorn.run(create_app(ctx), host=host, port=port, log_level="info")


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply the Alembic migrations (SQLite or PostgreSQL, from CUSTOMHOUSE_DATABASE_URL)."""
    from customhouse.settings import get_settings
    from customhouse.storage.migrate import upgrade

    upgrade(get_settings().database_url, revision)
    err_console.print(f"database at {revision}")


@reference_app.command("load")
def reference_load(
    sets: Annotated[list[str] | None, typer.Option("--set", help="Only these sets.")] = None,
) -> None:
    """Load the shipped reference data (HS, countries, currencies, rates, UN/LOCODE)."""
    with context() as ctx:
        with progress() as bar:
            task = bar.add_task("reference data", total=len(sets) if sets else 8)

            def step(name: str, rows: int) -> None:
                bar.update(task, advance=1, description=f"{name}: {rows} rows")

            from customhouse.services.reference import load_reference_data

            counts = load_reference_data(ctx, principal=SYSTEM, sets=sets, progress=step)
        emit_json(counts)


@demo_app.command("generate")
def demo_generate(
    count: Annotated[int, typer.Option(min=1, help="How many declarations.")] = 100,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same file).")] = 1,
    error_rate: Annotated[float, typer.Option(min=0.0, max=1.0)] = 0.03,
    expect: Annotated[Path | None, typer.Option(help="Write the expected rejections here.")] = None,
    hs6_only: Annotated[
        bool, typer.Option(help="Declare HS6 codes, not the bundled US tariff's national lines.")
    ] = False,
) -> None:
    """Write synthetic declarations as JSON lines to stdout."""
    from datetime import date

    from customhouse.demo.generator import BUNDLED_US_TARIFF, generate, national_lines
    from customhouse.reference.snapshot import shipped_snapshot

    snapshot = shipped_snapshot()
    hs6 = sorted(snapshot.hs6_codes(date(2025, 1, 6)))
    descriptions = {c: snapshot.hs_description(c) or "" for c in hs6}
    national = None if hs6_only else national_lines(BUNDLED_US_TARIFF)
    out = sys.stdout
    answers = expect.open("w") if expect else None
    try:
        for g in generate(count, seed, hs6, descriptions, error_rate=error_rate, national=national):
            out.write(json.dumps(g.document, ensure_ascii=False) + "\n")
            if answers is not None:
                answers.write(
                    json.dumps({"lrn": g.document["lrn"], "expected": list(g.expected_errors)})
                    + "\n"
                )
    finally:
        if answers is not None:
            answers.close()


@demo_app.command("load")
def demo_load(
    declarations: Annotated[
        int, typer.Option(min=0, help="Also run this many demo declarations through the pipeline.")
    ] = 0,
) -> None:
    """Register the demo operators and users; optionally run demo declarations (idempotent)."""
    from datetime import date

    from customhouse.declarations.intake import prepare_document
    from customhouse.demo.generator import (
        BUNDLED_US_TARIFF,
        generate,
        national_lines,
        with_listed_sellers,
    )
    from customhouse.demo.users import load_demo
    from customhouse.services.reference import reference_snapshot
    from customhouse.services.screening import listed_organisations

    with context() as ctx:
        summary: dict[str, Any] = dict(load_demo(ctx, guarantees=True))
        if declarations:
            reference = reference_snapshot(ctx)
            hs6 = sorted(reference.hs6_codes(date(2025, 1, 6)))
            docs = [
                g.document
                for g in generate(
                    declarations,
                    2026,
                    hs6,
                    error_rate=0.02,
                    national=national_lines(BUNDLED_US_TARIFF),
                )
            ]
            # A few sold by organisations on the stored UN list: true hits for the officers.
            docs = with_listed_sellers(docs, listed_organisations(ctx))
            prepared = [prepare_document(d, reference) for d in docs]
            for p in prepared:
                p.key = f"demo:{p.digest}"  # the same demo set is loaded once, however often run
            outcomes = process_prepared(ctx, principal=SYSTEM, prepared=prepared, source="demo")
            summary["declarations"] = _states(ctx, [o.id for o in outcomes])
        emit_json(summary)


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    with path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            if line.strip():
                yield number, line


@app.command()
def process(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON summary.")] = False,
    batch_size: Annotated[int, typer.Option(min=1, max=10000)] = BATCH_SIZE,
    workers: Annotated[int | None, typer.Option(min=0, help="Preparing processes.")] = None,
    intake_only: Annotated[
        bool, typer.Option(help="Validate and store only; skip assessment, screening, risk.")
    ] = False,
) -> None:
    """Run a JSON-lines file through the pipeline; a run started again skips what is stored."""
    from customhouse.services.intake import prepare_in_parallel, ramped
    from customhouse.services.pipeline import analysers, warm_for_batches
    from customhouse.services.reference import reference_snapshot

    with context() as ctx:
        with file.open("rb") as fh:
            total_lines = sum(1 for line in fh if line.strip())
        # Reading the reference data is start-up, like a server's; it is reported on its own.
        warm_start = time.perf_counter()
        reference_snapshot(ctx)
        ahead = []
        if not intake_only:
            warm_for_batches(ctx)
            ahead = analysers(ctx)
        startup = time.perf_counter() - warm_start
        started = time.perf_counter()
        ids: list[int] = []
        rejections: Counter[str] = Counter()
        replayed = 0
        with progress() as bar:
            task = bar.add_task("declarations", total=total_lines)
            batches = prepare_in_parallel(ctx, ramped(_lines(file), batch_size), workers, ahead)
            for prepared in batches:
                outcomes = process_prepared(
                    ctx,
                    principal=SYSTEM,
                    prepared=prepared,
                    source="file",
                    later_steps=not intake_only,
                )
                for o in outcomes:
                    ids.append(o.id)
                    replayed += o.replayed
                    if not o.accepted:
                        rejections.update({p.code for p in o.problems if p.severity == "error"})
                bar.update(task, advance=len(prepared))
        seconds = time.perf_counter() - started
        states = _states(ctx, ids)
        summary = {
            "declarations": len(ids),
            "states": states,
            "rejections": dict(rejections),
            "replayed": replayed,
            "startup_seconds": round(startup, 3),
            "seconds": round(seconds, 3),
            "per_second": round(len(ids) / seconds, 1) if seconds else None,
        }
        if as_json:
            emit_json(summary)
        else:
            err_console.print(summary)


def _states(ctx: Any, ids: list[int]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    with ctx.sessions() as session:
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            for state, n in session.execute(
                select(DeclarationRow.state, func.count())
                .where(DeclarationRow.id.in_(chunk))
                .group_by(DeclarationRow.state)
            ):
                counts[state] += n
    return dict(sorted(counts.items()))


@app.command()
def lodge(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    as_user: Annotated[str | None, typer.Option("--as", help="Lodge as this user.")] = None,
) -> None:
    """Lodge one declaration from a JSON file; prints the MRN or every problem."""
    from customhouse.services.access import user_by_name
    from customhouse.services.declarations import lodge as lodge_one
    from customhouse.services.pipeline import run_after_acceptance

    with context() as ctx:
        principal = SYSTEM
        if as_user:
            found = user_by_name(ctx, as_user)
            if found is None:
                err_console.print(f"[red]no user {as_user}[/red]")
                raise SystemExit(2)
            principal = found
        try:
            raw = json.loads(file.read_bytes())
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            err_console.print(f"[red]schema.json_invalid[/red]: {exc}")
            raise SystemExit(1) from exc
        try:
            outcome = lodge_one(ctx, principal=principal, raw=raw, source="cli")
        except DeclarationRejected as exc:
            emit_json({"state": "rejected", "problems": [p.as_dict() for p in exc.problems]})
            raise SystemExit(1) from exc
        except DomainError as exc:
            fail(exc)
        run_after_acceptance(ctx, [outcome.id])
        emit_json(
            {
                "mrn": outcome.mrn,
                "state": outcome.state,
                "warnings": [p.as_dict() for p in outcome.problems],
            }
        )


@app.command()
def schema() -> None:
    """Print the JSON Schema of the declaration input format (published in docs/)."""
    from customhouse.declarations.models import DeclarationDocument

    sys.stdout.write(json.dumps(DeclarationDocument.model_json_schema(), indent=2) + "\n")


@ledger_app.command("verify")
def ledger_verify() -> None:
    """Re-compute the hash chain; exit 1 and name the first broken event if it does not hold."""
    from customhouse.services.ledger import verify_ledger

    with context() as ctx:
        result = verify_ledger(ctx)
    emit_json(
        {
            "ok": result.ok,
            "events": result.events,
            "first_broken": result.first_broken,
            "reason": result.reason,
        }
    )
    if not result.ok:
        raise SystemExit(1)


@users_app.command("create")
def users_create(
    username: str,
    roles: Annotated[list[Role], typer.Option("--role", help="Repeat for several roles.")],
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    eori: Annotated[str | None, typer.Option(help="EORI of a declarant.")] = None,
    office: Annotated[str | None, typer.Option(help="Office of an officer.")] = None,
    password: Annotated[str | None, typer.Option(help="For signing in to the pages.")] = None,
) -> None:
    """Create a user."""
    from customhouse.services.access import NewUser, create_user

    try:
        with context() as ctx:
            user = create_user(
                ctx,
                principal=SYSTEM,
                user=NewUser(
                    username=username,
                    display_name=name or username,
                    roles=frozenset(roles),
                    eori=eori,
                    office=office,
                    password=password,
                ),
            )
    except DomainError as exc:
        fail(exc)
    emit_json({"username": user.username, "roles": sorted(r.value for r in user.roles)})


@users_app.command("token")
def users_token(username: str, label: str = "cli") -> None:
    """Issue an API token for a user (shown once)."""
    from customhouse.services.access import issue_token

    try:
        with context() as ctx:
            token = issue_token(ctx, principal=SYSTEM, username=username, label=label)
        emit_json({"username": username, "token": token})
    except DomainError as exc:
        fail(exc)


if __name__ == "__main__":
    app()
