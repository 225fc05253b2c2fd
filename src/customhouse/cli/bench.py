"""``customhouse bench pipeline``: N synthetic declarations through the whole pipeline, with
simulated officers closing the control tasks, on a fresh database.

The automated part (validate, value, assess, screen, classify, risk, controls and release of
green and blue) is timed on its own: ``per_second``. The officers then work through the tasks
in simulated time (documentary checks 10-60 minutes, scanner images 10-30, physical
examinations 1-4 hours after the task was made; one in ten records a discrepancy), and the
release times are the simulated lodgement-to-release minutes.

``per_second`` depends on the host as much as on the code (the same commit has measured 2.4
times slower on one machine than on another), so the run also reports the CPU it took per
declaration in the writer (this process, inside the pipeline) and in the preparing workers:
figures that compare across runs when the host is busy with something else.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import resource
import tempfile
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from customhouse.cli.common import emit_json, err_console
from customhouse.services.intake import BATCH_SIZE

app = typer.Typer(help="Benchmarks that print one JSON object.", no_args_is_help=True)

TARIFF = Path(__file__).resolve().parents[1] / "data/tariff/us_hts8_rates.csv.gz"
START = dt.datetime(2025, 6, 2, 8, 0, tzinfo=dt.UTC)
# Minutes an officer takes after a task is made (uniform between the bounds).
WORK_MINUTES = {
    "documentary_check": (10, 60),
    "scanner_review": (10, 30),
    "physical_examination": (60, 240),
}


def _timed(step: Any, seconds: dict[str, float], cpu: dict[str, float]) -> Any:
    """The step, with the wall time and this thread's CPU time of its runs added up under its
    name. On a shared host the wall time swings with the neighbours; the CPU time much less,
    so it is the figure to compare one change of a step against another."""
    from customhouse.services.pipeline import Step

    def run(ctx: Any, ids: list[int]) -> None:
        t0, c0 = time.perf_counter(), time.thread_time()
        try:
            step.run(ctx, ids)
        finally:
            seconds[step.name] = seconds.get(step.name, 0.0) + time.perf_counter() - t0
            cpu[step.name] = cpu.get(step.name, 0.0) + time.thread_time() - c0

    return Step(step.name, run)


def run_pipeline_bench(
    count: int,
    *,
    seed: int = 1,
    batch_size: int = BATCH_SIZE,
    database_url: str | None = None,
    lists: bool = True,
) -> dict[str, Any]:
    from sqlalchemy import func, select

    from customhouse.access.models import SYSTEM
    from customhouse.controls.models import Finding, FindingCode
    from customhouse.controls.tables import ControlTaskRow, GuaranteeAccountRow
    from customhouse.declarations.tables import DeclarationRow
    from customhouse.demo.generator import BUNDLED_US_TARIFF, generate, national_lines
    from customhouse.demo.operators import demo_operators
    from customhouse.demo.users import load_demo
    from customhouse.reference.snapshot import shipped_snapshot
    from customhouse.services import controls as ctl
    from customhouse.services import pipeline
    from customhouse.services import risk as risk_svc
    from customhouse.services.access import user_by_name
    from customhouse.services.assessment import active_tariff, load_tariff_into_db
    from customhouse.services.context import Context, FixedClock
    from customhouse.services.intake import prepare_in_parallel, ramped
    from customhouse.services.ledger import verify_ledger
    from customhouse.services.pipeline import process_prepared
    from customhouse.services.screening import list_versions, load_shipped_lists
    from customhouse.settings import Settings
    from customhouse.storage.migrate import upgrade
    from customhouse.tariff.loaders import load_us

    scratch = None
    if database_url is None:  # a fresh SQLite file, removed after the run (over 100 MB)
        scratch = tempfile.TemporaryDirectory(prefix="ch-bench-")
        database_url = f"sqlite:///{Path(scratch.name) / 'bench.db'}"
    url = database_url
    upgrade(url)
    clock = FixedClock(START)
    ctx = Context.create(Settings(database_url=url), clock=clock)
    try:
        # Start-up, as for a server: reference data, tariff, users, risk profiles and model.
        t0 = time.perf_counter()
        snapshot = ctx.cached("reference.snapshot", shipped_snapshot)
        load_demo(ctx)
        load_tariff_into_db(ctx, principal=SYSTEM, tariff=load_us(TARIFF), source=TARIFF.name)
        active_tariff(ctx)
        risk_svc.seed_demo(ctx)
        if lists:  # as ``make run``: parties are screened against the shipped lists
            load_shipped_lists(ctx, principal=SYSTEM)
        with ctx.uow() as uow:
            uow.lock()
            for op in demo_operators():
                for ccy in ("USD", "GBP", "EUR"):
                    uow.session.add(
                        GuaranteeAccountRow(
                            holder_eori=op.eori,
                            currency=ccy,
                            limit_amount=Decimal("1e12"),
                            balance=Decimal("1e12"),
                            opened_at=START.isoformat(),
                        )
                    )
            uow.commit()
        hs6 = sorted(snapshot.hs6_codes(dt.date(2025, 1, 6)))
        # The declarations as the JSON-lines file ``customhouse process`` would read.
        lines = [
            (n, json.dumps(g.document, separators=(",", ":")).encode())
            for n, g in enumerate(
                generate(
                    count, seed, hs6, error_rate=0.0, national=national_lines(BUNDLED_US_TARIFF)
                ),
                start=1,
            )
        ]
        chunks = list(ramped(lines, batch_size))
        # As ``customhouse process`` starts: every step's tariff, models and lists loaded.
        pipeline.warm_for_batches(ctx)
        ahead = pipeline.analysers(ctx)
        startup = time.perf_counter() - t0

        # The automated part: lodge and every pipeline step, in batches arriving over the day.
        import customhouse.services.steps  # noqa: F401  (registers every step)

        step_seconds: dict[str, float] = {}
        step_cpu: dict[str, float] = {}
        original = list(pipeline.STEPS)
        pipeline.STEPS[:] = [_timed(s, step_seconds, step_cpu) for s in original]
        t0 = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        writer_cpu = 0.0
        ids: list[int] = []
        try:
            # As ``customhouse process`` runs: a worker prepares the next batch (read, parse,
            # document rules) while this process stores one and runs every step over it.
            # The worker also makes the steps' pure analyses (item fits, party screening).
            for n, prepared in enumerate(prepare_in_parallel(ctx, chunks, analysers=ahead)):
                clock.at = START + dt.timedelta(minutes=15 * n)
                cpu = time.thread_time()
                outcomes = process_prepared(
                    ctx, principal=SYSTEM, prepared=prepared, source="bench"
                )
                writer_cpu += time.thread_time() - cpu
                ids.extend(o.id for o in outcomes)
        finally:
            pipeline.STEPS[:] = original
        automated = time.perf_counter() - t0
        # The pool's workers have ended: their CPU is counted among this process's children.
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        workers_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)

        # Simulated officers close the tasks in the order they would finish them.
        t0 = time.perf_counter()
        rng = random.Random(seed)
        with ctx.sessions() as session:
            tasks = list(
                session.execute(
                    select(
                        ControlTaskRow.id,
                        ControlTaskRow.kind,
                        ControlTaskRow.created_at,
                        ControlTaskRow.assigned_to,
                    )
                    .where(ControlTaskRow.status == "allocated")
                    .order_by(ControlTaskRow.id)
                )
            )
        plan = []
        for task_id, kind, created, officer in tasks:
            lo, hi = WORK_MINUTES.get(kind, (10, 60))
            done = dt.datetime.fromisoformat(created) + dt.timedelta(minutes=rng.uniform(lo, hi))
            plan.append((done, task_id, officer, rng.random() < 0.1))
        plan.sort()
        principals: dict[str, Any] = {}
        findings = 0
        for done, task_id, officer, found in plan:
            clock.at = done
            name = str(officer)
            p = principals.get(name) or user_by_name(ctx, name)
            assert p is not None
            principals[name] = p
            finding = [Finding(FindingCode.UNDERVALUATION, {}, "price list found")] if found else []
            ctl.close_task(ctx, principal=p, task_id=task_id, findings=finding)
            findings += found
        officers = time.perf_counter() - t0

        with ctx.sessions() as session:
            channels = dict(
                session.execute(
                    select(DeclarationRow.channel, func.count())
                    .where(DeclarationRow.channel.is_not(None))
                    .group_by(DeclarationRow.channel)
                ).all()
            )
            states = Counter(
                dict(
                    session.execute(
                        select(DeclarationRow.state, func.count()).group_by(DeclarationRow.state)
                    ).all()
                )
            )
        with ctx.sessions() as session:
            _, screened_against = list_versions(session)
        report = ctl.release_time_report(ctx, principal=SYSTEM)
        ledger = verify_ledger(ctx)
        return {
            "declarations": len(ids),
            "per_second": round(len(ids) / automated, 1) if automated else None,
            "channels": {c: int(channels.get(c, 0)) for c in ("green", "yellow", "red", "blue")},
            "release_time": {
                "median_minutes": report["overall"]["median_minutes"],
                "p90_minutes": report["overall"]["p90_minutes"],
            },
            "release_time_by_channel": report["by_channel"],
            "states": dict(sorted(states.items())),
            "tasks_closed": len(plan),
            "tasks_with_findings": findings,
            "ledger_ok": ledger.ok,
            "screening_lists": screened_against,
            "step_seconds": {k: round(v, 2) for k, v in step_seconds.items()},
            "cpu_ms_per_declaration": {
                "writer": round(writer_cpu * 1000 / max(1, len(ids)), 3),
                "workers": round(workers_cpu * 1000 / max(1, len(ids)), 3),
                # The writer's share by step; "intake" is storing the prepared batch (and
                # whatever else the writer did outside the steps).
                "writer_by_step": {
                    "intake": round(
                        (writer_cpu - sum(step_cpu.values())) * 1000 / max(1, len(ids)), 3
                    ),
                    **{k: round(v * 1000 / max(1, len(ids)), 3) for k, v in step_cpu.items()},
                },
            },
            "seconds": {
                "startup": round(startup, 2),
                "automated": round(automated, 2),
                "officers": round(officers, 2),
            },
            "database": url.split(":", 1)[0],
        }
    finally:
        ctx.engine.dispose()
        if scratch is not None:
            scratch.cleanup()


@app.callback()
def main() -> None:
    """Benchmarks that print one JSON object."""


@app.command("pipeline")
def pipeline(
    count: Annotated[
        int,
        typer.Option(
            min=1,
            help="How many declarations. A run of 1,000 spends about a quarter of its time"
            " starting (the worker's fork, the first batches on cold caches).",
        ),
    ] = 5000,
    seed: Annotated[int, typer.Option(help="Generator and officers' random seed.")] = 1,
    batch_size: Annotated[int, typer.Option(min=1, max=10000)] = BATCH_SIZE,
    database_url: Annotated[
        str | None, typer.Option(help="Database to fill (default: a fresh SQLite file).")
    ] = None,
    lists: Annotated[
        bool, typer.Option(help="Screen parties against the shipped sanctions lists.")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """N declarations through the full pipeline with simulated officers; figures as JSON."""
    result = run_pipeline_bench(
        count, seed=seed, batch_size=batch_size, database_url=database_url, lists=lists
    )
    if as_json:
        emit_json(result)
    else:
        err_console.print(result)


if __name__ == "__main__":
    app()
