"""`customhouse risk ...`: train, evaluate and apply the risk model and profiles on files.

Evaluate the way the model is judged on the Korea Customs data (train on the train and valid
rows, test on the test rows), from one file::

    customhouse risk evaluate --data declarations.csv --split-column source_split --json

or from two files (``--train A.csv --test B.csv``).
"""

from __future__ import annotations

import json
import random
import sys
import time
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console

from customhouse.errors import DomainError
from customhouse.risk.engine import select_channels
from customhouse.risk.evaluation import metrics, plot
from customhouse.risk.loaders import read_kcs_csv, split_examples
from customhouse.risk.model import RiskModel, train_model
from customhouse.risk.models import TrainingExample
from customhouse.risk.policy import OfficePolicy
from customhouse.risk.profiles import profile_from_dict

app = typer.Typer(
    help="Risk: selectivity profiles, the risk model, channels.", no_args_is_help=True
)
err = Console(stderr=True)


def _emit(data: dict[str, Any], as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
    else:
        Console().print_json(json.dumps(data, default=str))


def _fail(exc: DomainError) -> typer.Exit:
    err.print(f"[red]{exc.code}[/red]: {exc.message}")
    return typer.Exit(code=1)


def _load(
    data: Path | None,
    train: Path | None,
    test: Path | None,
    split_column: str,
    test_values: str,
) -> tuple[list[TrainingExample], list[TrainingExample]]:
    if data is not None:
        return split_examples(read_kcs_csv(data, split_column=split_column), test_values.split(","))
    if train is None or test is None:
        raise typer.BadParameter("give --train and --test, or --data with --split-column")
    return read_kcs_csv(train, split_column=split_column), read_kcs_csv(
        test, split_column=split_column
    )


@app.command()
def evaluate(
    train: Annotated[Path | None, typer.Option(help="CSV to train on (KCS format).")] = None,
    test: Annotated[Path | None, typer.Option(help="CSV to score and measure.")] = None,
    data: Annotated[Path | None, typer.Option(help="One CSV split by --split-column.")] = None,
    split_column: Annotated[str, typer.Option(help="Column tagging each row's split.")] = (
        "source_split"
    ),
    test_values: Annotated[str, typer.Option(help="Split tags that are test rows.")] = "test",
    plot_file: Annotated[Path | None, typer.Option("--plot", help="Write a PNG here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """Train on one set, then precision, recall, AUC and duty recovered on the other."""
    try:
        train_rows, test_rows = _load(data, train, test, split_column, test_values)
        started = time.perf_counter()
        model = train_model(train_rows)
        trained_in = time.perf_counter() - started
    except DomainError as exc:
        raise _fail(exc) from exc
    subjects = [e.subject for e in test_rows]
    probability = model.predict(subjects)
    y = np.array([1 if e.finding else 0 for e in test_rows], dtype=np.int64)
    revenue = None
    if all(e.revenue_at_stake is not None for e in test_rows):
        revenue = np.array([float(e.revenue_at_stake or 0) for e in test_rows])
    result = metrics(y, probability, revenue=revenue, curve_points=200 if plot_file else 0)
    out = result.as_dict()
    if revenue is not None:
        expected = revenue * probability  # ranking by expected duty at stake instead
        by_revenue = metrics(y, expected, revenue=revenue)
        out["ranked_by_expected_revenue"] = {
            "precision_at": by_revenue.as_dict()["precision_at"],
            "revenue_recovered_at": by_revenue.as_dict().get("revenue_recovered_at", {}),
        }
    out["train_rows"] = len(train_rows)
    out["train_seconds"] = round(trained_in, 2)
    out["model"] = model.card.as_dict()
    if plot_file is not None:
        plot(result, plot_file)
        out["plot"] = str(plot_file)
    _emit(out, as_json)


@app.command("train")
def train_cmd(
    data: Annotated[
        Path | None, typer.Option(help="CSV of labelled declarations (KCS format).")
    ] = (None),
    out: Annotated[Path | None, typer.Option(help="Write the model to a file instead.")] = None,
    office: Annotated[str, typer.Option(help="Office the model is for (with --activate).")] = "",
    activate: Annotated[bool, typer.Option("--activate", help="Use it at --office now.")] = False,
    from_controls: Annotated[
        bool, typer.Option("--from-controls", help="Learn from stored control results.")
    ] = False,
    demo: Annotated[
        bool, typer.Option("--demo", help="Train on the 3,000-row KCS sample shipped (MIT).")
    ] = False,
    version: Annotated[str, typer.Option(help="Version name stored with the model.")] = "",
    split_column: Annotated[str, typer.Option()] = "source_split",
    exclude: Annotated[str, typer.Option(help="Split tags to leave out, e.g. test.")] = "",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Train a model and store it in the database with its metrics (or write it to --out)."""
    from customhouse.access.models import SYSTEM
    from customhouse.cli.common import context
    from customhouse.risk.loaders import demo_examples
    from customhouse.services import risk as svc

    if sum((data is not None, from_controls, demo)) != 1:
        raise typer.BadParameter("give exactly one of --data, --from-controls, --demo")
    try:
        with context() as ctx:
            if data is not None:
                skip = {t for t in exclude.split(",") if t}
                rows = [
                    e for e in read_kcs_csv(data, split_column=split_column) if e.split not in skip
                ]
                source = str(data)
            elif demo:
                rows, source = demo_examples(), "demo:kcs_sample.csv.gz"
            else:
                rows, source = svc.examples_from_controls(ctx), "controls"
            name = (
                version or f"{'demo' if demo else Path(source).stem}-{ctx.clock.now():%Y%m%d%H%M%S}"
            )
            if out is not None:
                model = train_model(rows, version=name)
                out.write_bytes(model.to_bytes())
                _emit({"model": model.card.as_dict(), "file": str(out)}, as_json)
                return
            result = svc.store_model(
                ctx,
                principal=SYSTEM,
                examples=rows,
                version=name,
                source=source,
                office=office or None,
                activate_now=activate,
            )
    except DomainError as exc:
        raise _fail(exc) from exc
    _emit(result, as_json)


@app.command("activate")
def activate_cmd(
    version: Annotated[str, typer.Argument(help="A stored model's version.")],
    office: Annotated[str, typer.Option(help="The office that will use it.")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Make a stored model the one in use at an office (on the ledger)."""
    from customhouse.access.models import SYSTEM
    from customhouse.cli.common import context
    from customhouse.services import risk as svc

    try:
        with context() as ctx:
            result = svc.activate_model(ctx, principal=SYSTEM, version=version, office=office)
    except DomainError as exc:
        raise _fail(exc) from exc
    _emit(result, as_json)


@app.command("models")
def models_cmd(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Stored models with their metrics and the offices using them."""
    from customhouse.access.models import SYSTEM
    from customhouse.cli.common import context
    from customhouse.services import risk as svc

    with context() as ctx:
        _emit({"items": svc.list_models(ctx, principal=SYSTEM)}, as_json)


@app.command("policy")
def policy_cmd(
    office: Annotated[str, typer.Option()],
    inspection_rate: Annotated[float, typer.Option()] = 0.05,
    daily_capacity: Annotated[int | None, typer.Option(help="Red+yellow a day.")] = None,
    random_rate: Annotated[float, typer.Option()] = 0.01,
    exploration_rate: Annotated[float, typer.Option()] = 0.002,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Set an office's inspection rate, daily capacity and sampling rates."""
    from customhouse.access.models import SYSTEM
    from customhouse.cli.common import context
    from customhouse.services import risk as svc

    try:
        with context() as ctx:
            result = svc.set_office_policy(
                ctx,
                principal=SYSTEM,
                office=office,
                inspection_rate=inspection_rate,
                daily_capacity=daily_capacity,
                random_rate=random_rate,
                exploration_rate=exploration_rate,
            )
    except (DomainError, ValueError) as exc:
        if isinstance(exc, DomainError):
            raise _fail(exc) from exc
        raise typer.BadParameter(str(exc)) from exc
    _emit(result, as_json)


@app.command("demo")
def demo_cmd(
    office: Annotated[list[str], typer.Option(help="Offices to give the demo model.")] = [],  # noqa: B006
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Seed a working demo: two approved profiles (analyst1 drafts, analyst2 approves) and a
    model trained on the shipped KCS sample, active at the given offices (or every office)."""
    from customhouse.cli.common import context
    from customhouse.services import risk as svc

    try:
        with context() as ctx:
            result = svc.seed_demo(ctx, offices=office or None)
    except DomainError as exc:
        raise _fail(exc) from exc
    _emit(result, as_json)


@app.command()
def score(
    model_file: Annotated[Path, typer.Option("--model", help="A model written by train.")],
    data: Annotated[Path, typer.Option(help="CSV of declarations (KCS format).")],
    top: Annotated[int, typer.Option(help="Show the N riskiest, with reasons.")] = 20,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Score declarations; the riskiest come with the model's reasons."""
    try:
        model = RiskModel.from_bytes(model_file.read_bytes())
        rows = read_kcs_csv(data)
    except DomainError as exc:
        raise _fail(exc) from exc
    subjects = [e.subject for e in rows]
    probability = model.predict(subjects)
    order = np.argsort(-probability)[:top]
    explained = model.score([subjects[i] for i in order])
    _emit(
        {
            "model": model.version,
            "rows": len(rows),
            "top": [
                {
                    "declaration_id": s.declaration_id,
                    "probability": round(s.probability, 6),
                    "expected_revenue": s.expected_revenue,
                    "reasons": [r.as_dict() for r in s.reasons],
                }
                for s in explained
            ],
        },
        as_json,
    )


@app.command()
def select(
    data: Annotated[Path, typer.Option(help="CSV of declarations (KCS format).")],
    model_file: Annotated[Path | None, typer.Option("--model")] = None,
    profiles: Annotated[Path | None, typer.Option(help="JSON list of profiles.")] = None,
    at: Annotated[str, typer.Option(help="Decision date (YYYY-MM-DD).")] = "",
    inspection_rate: Annotated[float, typer.Option()] = 0.05,
    random_rate: Annotated[float, typer.Option()] = 0.01,
    exploration_rate: Annotated[float, typer.Option()] = 0.002,
    seed: Annotated[int, typer.Option(help="Seed of the selection RNG (reproducible).")] = 0,
    out: Annotated[Path | None, typer.Option(help="Write every decision here (JSON lines).")] = (
        None
    ),
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Route a batch of declarations to channels: profiles, then model, random, exploration."""
    try:
        rows = read_kcs_csv(data)
        model = RiskModel.from_bytes(model_file.read_bytes()) if model_file else None
        found = [profile_from_dict(p) for p in json.loads(profiles.read_text())] if profiles else []
    except DomainError as exc:
        raise _fail(exc) from exc
    when = date.fromisoformat(at) if at else max(e.subject.lodged_on for e in rows)
    policy = OfficePolicy(
        inspection_rate=inspection_rate, random_rate=random_rate, exploration_rate=exploration_rate
    )
    decisions = select_channels(
        [e.subject for e in rows],
        profiles=found,
        model=model,
        policy=policy,
        rng=random.Random(seed),
        at=when,
    )
    if out is not None:
        with out.open("w", encoding="utf-8") as handle:
            for d in decisions:
                handle.write(json.dumps(d.as_dict(), default=str) + "\n")
    counts: dict[str, int] = {}
    for d in decisions:
        counts[d.channel.value] = counts.get(d.channel.value, 0) + 1
    findings = {d.declaration_id for d, e in zip(decisions, rows, strict=True) if e.finding}
    inspected = [d for d in decisions if d.channel.is_inspection]
    _emit(
        {
            "rows": len(decisions),
            "channels": counts,
            "mandatory": sum(d.mandatory for d in decisions),
            "random_sample": sum(d.random_sample for d in decisions),
            "exploration": sum(d.exploration for d in decisions),
            "model_selected": sum(d.model_selected for d in decisions),
            "inspected_with_finding": sum(d.declaration_id in findings for d in inspected),
            "out": str(out) if out else None,
        },
        as_json,
    )


if __name__ == "__main__":
    app()
