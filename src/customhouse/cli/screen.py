"""``customhouse screen``: load sanctions lists, screen names, evaluate the matcher.

The lists live in the database (``CUSTOMHOUSE_DATABASE_URL``, tables from the migrations:
run ``customhouse db upgrade`` first). ``load-list`` stores a version through the service (a
ledger event, the diff) and re-screens the parties of recent declarations against what changed.
``load-shipped`` does the same for the dated list snapshots in the package, once.

``name`` and ``batch`` must not rebuild the index over every list on each call (seconds): the
built index is pickled in ``CUSTOMHOUSE_SCREENING_CACHE_DIR`` (default
``$XDG_CACHE_HOME/customhouse`` or ``~/.cache/customhouse``), keyed by the database and the list
versions, and loaded from there while the lists are unchanged.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from customhouse.access.models import SYSTEM
from customhouse.cli.common import context
from customhouse.errors import DomainError
from customhouse.screening.engine import ScreeningIndex, screen_party
from customhouse.screening.loaders import country_code, load_list
from customhouse.screening.matching import compare_names
from customhouse.screening.models import ListKind, Party, PartyScreening
from customhouse.services.context import Context
from customhouse.services.screening import (
    load_sanctions_list,
    load_shipped_lists,
    screening_index,
)
from customhouse.settings import Settings

app = typer.Typer(help="Screen parties against sanctions and denied-party lists.")


def cache_dir(settings: Settings) -> Path:
    """Where built indexes are pickled for the next command."""
    if settings.screening_cache_dir is not None:
        return settings.screening_cache_dir
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "customhouse"


def _threshold(value: float | None) -> float:
    return float(Settings().screening_threshold) if value is None else value


def _emit(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")


def _index(ctx: Context) -> ScreeningIndex:
    loaded = screening_index(ctx, cache_dir=cache_dir(ctx.settings))
    if loaded is None:
        typer.echo("no list loaded: run `customhouse screen load-list` first", err=True)
        raise typer.Exit(2)
    return loaded.index


def _hit(result: PartyScreening) -> dict[str, Any] | None:
    best = result.best
    if best is None:
        return None
    return {
        "list": best.list_name,
        "entity": best.entity_id,
        "name": best.matched_name,
        "score": round(best.score, 4),
    }


@app.command("load-list")
def load_list_command(
    path: Path,
    kind: Annotated[ListKind, typer.Option("--kind", help="list format")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Load a list file (for OFAC, the folder with sdn.csv, alt.csv, add.csv) into the store."""
    try:
        sanctions_list = load_list(kind, path)
        with context() as ctx:
            summary = load_sanctions_list(
                ctx, principal=SYSTEM, sanctions_list=sanctions_list, source=str(path)
            )
    except DomainError as exc:
        typer.echo(f"{exc.code}: {exc.message}", err=True)
        raise typer.Exit(1) from exc
    if as_json:
        _emit(summary)
    else:
        rescreen = summary["rescreen"]
        counts = {k: v for k, v in summary.items() if k != "rescreen"}
        typer.echo(", ".join(f"{k}: {v}" for k, v in counts.items()))
        typer.echo(
            f"re-screened {rescreen['declarations']} declarations since {rescreen['since']}:"
            f" {len(rescreen['hits'])} new hit(s)"
        )
        for h in rescreen["hits"]:
            typer.echo(
                f"  {h['mrn']} {h['party_role']} {h['name']!r} -> {h['list']} {h['entity']}"
                f" ({h['score']:.2f}){' held' if h['held'] else ''}"
            )


@app.command("load-shipped")
def load_shipped_command(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Load the lists shipped in the package (UN, OFAC SDN, US CSL) that the store lacks."""
    try:
        with context() as ctx:
            summaries = load_shipped_lists(ctx, principal=SYSTEM)
    except DomainError as exc:
        typer.echo(f"{exc.code}: {exc.message}", err=True)
        raise typer.Exit(1) from exc
    if as_json:
        _emit({"lists": summaries})
        return
    for s in summaries:
        if s["kept"]:
            typer.echo(f"{s['list']}: already loaded (version {s['version']}), kept")
        else:
            typer.echo(
                f"{s['list']}: version {s['version']}, {s['entities']} entities"
                f" ({s['added']} added, {s['changed']} changed, {s['removed']} removed),"
                f" {len(s['rescreen']['hits'])} new hit(s) on recent declarations"
            )


@app.command("name")
def name_command(
    name: str,
    country: Annotated[str, typer.Option("--country")] = "",
    dob: Annotated[str, typer.Option("--dob")] = "",
    threshold: Annotated[float | None, typer.Option("--threshold")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Screen one name against every loaded list; every hit with its explanation."""
    with context() as ctx:
        index = _index(ctx)
    party = Party(name, country=country_code(country) or country.upper(), date_of_birth=dob)
    result = screen_party(index, party, _threshold(threshold))
    payload = {
        "name": name,
        "threshold": result.threshold,
        "hit": _hit(result),
        "hits": [h.as_dict() for h in result.hits],
    }
    if as_json:
        _emit(payload)
    else:
        for h in result.hits:
            typer.echo(f"{h.score:.3f}  {h.list_name}  {h.entity_id}  {h.matched_name}")
        if not result.hits:
            typer.echo("no hit")


@app.command("batch")
def batch_command(
    file: Path,
    threshold: Annotated[float | None, typer.Option("--threshold")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Screen every row of a CSV (full_name; date_of_birth and nationality where present)."""
    with context() as ctx:
        index = _index(ctx)
    cut = _threshold(threshold)
    with file.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    out = []
    started = time.perf_counter()
    for i, row in enumerate(rows):
        nationality = row.get("nationality") or ""
        party = Party(
            row.get("full_name") or "",
            country=country_code(nationality) if nationality else "",
            date_of_birth=row.get("date_of_birth") or "",
        )
        out.append({"row": i, "name": party.name, "hit": _hit(screen_party(index, party, cut))})
    elapsed = max(time.perf_counter() - started, 1e-9)
    hits = sum(1 for r in out if r["hit"] is not None)
    summary = {"names": len(out), "hits": hits, "per_second": round(len(out) / elapsed, 1)}
    if as_json:
        _emit({"rows": out, "summary": summary})
    else:
        typer.echo(", ".join(f"{k}: {v}" for k, v in summary.items()))


def evaluate_pairs(path: Path, threshold: float) -> dict[str, Any]:
    """Precision, recall and F1 of the name matcher on labelled pairs (name1, name2, is_match)."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    tp = fp = fn = tn = 0
    for row in rows:
        predicted = compare_names(row["name1"], row["name2"]).score >= threshold
        actual = row["is_match"].strip().lower() in ("true", "1", "yes")
        tp += predicted and actual
        fp += predicted and not actual
        fn += actual and not predicted
        tn += not predicted and not actual
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "pairs": len(rows),
        "threshold": threshold,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
    }


@app.command("evaluate-pairs")
def evaluate_pairs_command(
    file: Path,
    threshold: Annotated[float | None, typer.Option("--threshold")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Score labelled name pairs at the configured threshold."""
    result = evaluate_pairs(file, _threshold(threshold))
    if as_json:
        _emit(result)
    else:
        typer.echo(", ".join(f"{k}: {v}" for k, v in result.items()))


if __name__ == "__main__":
    app()
