"""`customhouse classify ...`: suggest codes, search the nomenclature, evaluate, rebuild data."""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from customhouse.cli.common import embeddings_setting

app = typer.Typer(help="Tariff classification: suggestions, nomenclature search, evaluation.")
err = Console(stderr=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="one JSON object on stdout")]
CacheOpt = Annotated[
    Path | None,
    typer.Option("--cache-dir", help="trained model cache (default ~/.cache/customhouse)"),
]


def _emit(payload: dict[str, Any], as_json: bool, text: str) -> None:
    if as_json:
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
    else:
        typer.echo(text)


def _model(cache_dir: Path | None) -> Any:
    from customhouse.classification.service import get_model
    from customhouse.services.classification import default_cache_dir
    from customhouse.settings import get_settings

    embeddings = embeddings_setting(get_settings().classification_embeddings)
    with err.status("loading the classification model (trained once, then cached)..."):
        return get_model(cache_dir=cache_dir or default_cache_dir(), embeddings=embeddings)


@app.command()
def suggest(
    text: str,
    k: Annotated[int, typer.Option(help="how many codes")] = 5,
    as_json: JsonOpt = False,
    cache_dir: CacheOpt = None,
) -> None:
    """Likely HS6 codes for a goods description, or what the description is missing."""
    result = _model(cache_dir).suggest(text, k=k)
    if result.abstained:
        lines = ["too vague to classify: " + "; ".join(result.reasons)]
        lines += [f"  missing: {m}" for m in result.missing]
    else:
        lines = [
            f"{s.code}  {s.confidence:5.1%}  {s.path[-1].description if s.path else ''}"
            for s in result.suggestions
        ]
    _emit(result.as_dict(), as_json, "\n".join(lines))


@app.command()
def search(
    query: str,
    limit: Annotated[int, typer.Option(help="how many nodes")] = 10,
    as_json: JsonOpt = False,
) -> None:
    """Search sections, chapters, headings and subheadings (type-ahead)."""
    from customhouse.classification.service import get_search

    hits = get_search().search(query, limit=limit)
    _emit(
        {"query": query, "hits": [h.as_dict() for h in hits]},
        as_json,
        "\n".join(f"{h.node.code:8} {h.node.level:10} {h.node.description}" for h in hits),
    )


@app.command()
def check(
    description: str,
    code: str,
    as_json: JsonOpt = False,
    cache_dir: CacheOpt = None,
) -> None:
    """How well a description fits a declared code (the consistency check)."""
    from customhouse.classification.consistency import check_consistency

    result = check_consistency(_model(cache_dir), description, code)
    _emit(result.as_dict(), as_json, f"score {result.score}\n" + "\n".join(result.reasons))


@app.command()
def evaluate(
    file: Path,
    text_column: Annotated[str, typer.Option("--text-column")],
    code_column: Annotated[str, typer.Option("--code-column")],
    as_json: JsonOpt = False,
    cache_dir: CacheOpt = None,
) -> None:
    """Top-1/top-5 accuracy at 2/4/6 digits on a labelled CSV (abstentions count as misses)."""
    from customhouse.classification.evaluation import evaluate as run

    with file.open(encoding="utf-8-sig", newline="") as f:
        rows = [
            (r[text_column], r[code_column].strip())
            for r in csv.DictReader(f)
            if r.get(code_column, "").strip()
        ]
    report = run(_model(cache_dir), rows)
    _emit(report.as_dict(), as_json, json.dumps(report.as_dict(), indent=1))


@app.command("cross-validate")
def cross_validate(
    folds: Annotated[int, typer.Option(help="number of grouped folds")] = 5,
    seed: Annotated[int, typer.Option(help="fold assignment seed")] = 0,
    write_calibration: Annotated[
        bool, typer.Option(help="store the fitted calibration in the package data")
    ] = False,
    embeddings: Annotated[
        bool, typer.Option(help="blend in sentence embeddings (needs the embeddings extra)")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Grouped k-fold CV on the shipped parcel texts and HMRC search terms."""
    from customhouse.classification import evaluation, loaders
    from customhouse.classification.engine import Calibration, Embedder
    from customhouse.classification.service import use_embeddings
    from customhouse.services.classification import default_cache_dir

    embedder: Embedder | None = None
    if embeddings and use_embeddings("on"):
        from customhouse.classification.embeddings import Encoder

        embedder = Encoder(default_cache_dir())
    shares, probabilities = loaders.calibration_table(embeddings=embeddings)
    started = time.perf_counter()
    reports, pairs, top = evaluation.cross_validate(
        loaders.labelled_texts(),
        loaders.nomenclature_nodes(),
        loaders.vague_lists(),
        folds=folds,
        seed=seed,
        calibration=Calibration(shares, probabilities),
        progress=lambda f: err.print(f"fold {f + 1}/{folds} done"),
        embedder=embedder,
    )
    payload: dict[str, Any] = {"embeddings": embeddings}
    payload |= {s: r.as_dict() for s, r in reports.items()}
    payload["ece_top1"] = evaluation.expected_calibration_error(top)
    payload["seconds"] = round(time.perf_counter() - started, 1)
    if write_calibration:
        cal = evaluation.fit_calibration(pairs, points=30)
        payload["calibration_written"] = str(
            loaders.write_calibration(cal.shares, cal.probabilities, embeddings=embeddings)
        )
    _emit(payload, as_json, json.dumps(payload, indent=1))


@app.command("build-data")
def build_data(
    shared: Annotated[Path, typer.Argument(help="the ../shared/data folder")],
    as_json: JsonOpt = False,
) -> None:
    """Rebuild src/customhouse/data/classification from ../shared/data (hold-outs excluded)."""
    from customhouse.classification.loaders import build

    counts = build(shared)
    _emit(counts, as_json, json.dumps(counts))


if __name__ == "__main__":
    app()
