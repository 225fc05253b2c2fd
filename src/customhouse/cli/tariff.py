"""`customhouse tariff ...`: check the duty vectors, load a profile, report on rate strings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from customhouse.tariff.loaders import RateStrings, load_profile
from customhouse.tariff.vectors import check_vectors

app = typer.Typer(help="Tariff measures, duty expressions and assessment.", no_args_is_help=True)

_BUNDLED_US = Path(__file__).resolve().parents[1] / "data" / "tariff" / "us_hts8_rates.csv.gz"


def _default_path(profile: str, path: Path | None) -> Path:
    if path is not None:
        return path
    if profile == "us" and _BUNDLED_US.exists():
        return _BUNDLED_US
    raise typer.BadParameter("give the PATH of the tariff data for this profile")


def _emit(data: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, default=str))
    else:
        for key, value in data.items():
            typer.echo(f"{key}: {value}")


@app.command("check-vectors")
def check_vectors_cmd(
    directory: Annotated[
        Path, typer.Argument(help="folder with expressions*.jsonl / calculations*.jsonl")
    ],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Parse every expression vector and compute every calculation vector."""
    report = check_vectors(directory)
    _emit(report, as_json)
    if report["failed"]:
        raise typer.Exit(1)


@app.command("load")
def load_cmd(
    path: Annotated[
        Path | None, typer.Argument(help="tariff data (US CSV, UK commodity JSON or folder)")
    ] = None,
    profile: Annotated[str, typer.Option("--profile", help="us or uk")] = "us",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Read and summarise; store nothing.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Load a profile's tariff into the database (one transaction, on the ledger)."""
    report = RateStrings()
    source = _default_path(profile, path)
    tariff = load_profile(profile, source, report)
    counts: dict[str, int] = {}
    for m in tariff.measures:
        counts[str(m.type)] = counts.get(str(m.type), 0) + 1
    summary: dict[str, Any] = {
        "profile": profile,
        "commodity_lines": len(tariff.lines),
        "measures": len(tariff.measures),
        "by_type": counts,
        "rate_strings": len(report.texts),
        "unparsed": len(report.failures),
        "stored": False,
    }
    if not dry_run:
        from customhouse.access.models import SYSTEM
        from customhouse.cli.common import context
        from customhouse.services.assessment import load_tariff_into_db

        with context() as ctx:
            load_tariff_into_db(ctx, principal=SYSTEM, tariff=tariff, source=source.name)
        summary["stored"] = True
    _emit(summary, as_json)


def assess_cmd(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    at: Annotated[
        str | None, typer.Option("--at", help="Assess under the law of this date (ISO).")
    ] = None,
) -> None:
    """Assess a declaration file without lodging it: every line with its measure and reason."""
    import datetime as dt

    from customhouse.cli.common import context
    from customhouse.declarations.rules import parse
    from customhouse.errors import DomainError

    try:
        raw = json.loads(file.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        _emit({"error": "schema.json_invalid", "message": str(exc)}, True)
        raise typer.Exit(1) from exc
    doc, problems = parse(raw) if isinstance(raw, dict) else (None, [])
    if doc is None:
        _emit(
            {"error": "declaration.unreadable", "problems": [p.as_dict() for p in problems]}, True
        )
        raise typer.Exit(1)
    from customhouse.services.assessment import assess_document

    with context() as ctx:
        try:
            when = dt.date.fromisoformat(at) if at else None
            result = assess_document(ctx, doc, at=when)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--at") from exc
        except DomainError as exc:
            _emit({"error": exc.code, "message": exc.message, "details": exc.details}, True)
            raise typer.Exit(1) from exc
    _emit(result, as_json)
    if result["problems"]:
        raise typer.Exit(1)


@app.command("parse-report")
def parse_report_cmd(
    path: Annotated[
        Path | None, typer.Argument(help="tariff data; the bundled US copy by default")
    ] = None,
    profile: Annotated[str, typer.Option("--profile", help="us or uk")] = "us",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Parse every rate string of a profile: {"total", "parsed", "unparsed": [texts]}."""
    report = RateStrings()
    tariff = load_profile(profile, _default_path(profile, path), report)
    exprs = [m.expression for m in tariff.measures if m.expression is not None]
    text_only = sum(1 for e in exprs if not e.computable)
    unparsed = sorted({t for t, _ in report.failures})
    _emit(
        {
            "total": len(report.texts),
            "parsed": len(report.texts) - len(report.failures),
            "unparsed": unparsed,
            "distinct": len(set(report.texts)),
            "textual_not_computable": text_only,
        },
        as_json,
    )


if __name__ == "__main__":
    app()
