"""Suggestion latency (p50/p95 per suggestion) and grouped 5-fold cross-validated accuracy.

Run: .venv/bin/python bench/classification_suggest.py [--folds 5] [--no-cv] [--embeddings MODE]
Prints one JSON object, with "embeddings": whether sentence embeddings were blended in (MODE
off, auto or on; default CUSTOMHOUSE_CLASSIFICATION_EMBEDDINGS, itself off by default).
CV trains one model per fold (about 25 s each on two cores) and tests on parcel texts and
HMRC search terms; "fpo-parcel" is the figure the hold-out measures.
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import statistics
import sys
import time

from customhouse.classification import evaluation, loaders
from customhouse.classification.engine import Calibration, Embedder
from customhouse.classification.service import train_default, use_embeddings
from customhouse.services.classification import default_cache_dir
from customhouse.settings import get_settings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-cv", action="store_true")
    parser.add_argument(
        "--embeddings",
        choices=("off", "auto", "on"),
        default=get_settings().classification_embeddings,
    )
    args = parser.parse_args()
    embedder: Embedder | None = None
    if use_embeddings(args.embeddings):
        from customhouse.classification.embeddings import Encoder

        # Vectors of the training texts are kept per text in the user's cache (minutes to make).
        embedder = Encoder(default_cache_dir())

    started = time.perf_counter()
    model = train_default(embedder=embedder)
    train_seconds = time.perf_counter() - started

    texts = loaders.labelled_texts()
    queries = [t.text for t in texts if t.source in {loaders.FPO_PARCEL, loaders.HMRC_SEARCH}]
    random.Random(1).shuffle(queries)
    queries = queries[:500]
    for q in queries[:20]:  # warm-up
        model.suggest(q)
    latencies = []
    for q in queries:
        t0 = time.perf_counter()
        model.suggest(q)
        latencies.append((time.perf_counter() - t0) * 1000)
    latencies.sort()
    out: dict[str, object] = {
        "embeddings": model.uses_embeddings,
        "train_seconds": round(train_seconds, 1),
        "examples": len(model.examples),
        "model_pickle_mb": round(len(pickle.dumps(model, pickle.HIGHEST_PROTOCOL)) / 1e6, 1),
        "latency_ms": {
            "n": len(latencies),
            "p50": round(statistics.median(latencies), 2),
            "p95": round(latencies[int(0.95 * (len(latencies) - 1))], 2),
            "max": round(latencies[-1], 2),
        },
    }
    if not args.no_cv:
        shares, probabilities = loaders.calibration_table(embeddings=embedder is not None)
        t0 = time.perf_counter()
        reports, _, top = evaluation.cross_validate(
            texts,
            loaders.nomenclature_nodes(),
            loaders.vague_lists(),
            folds=args.folds,
            calibration=Calibration(shares, probabilities),
            progress=lambda f: print(f"fold {f + 1}/{args.folds}", file=sys.stderr),
            embedder=embedder,
        )
        out["cross_validation"] = {
            "folds": args.folds,
            "grouped_by": "lower-cased description, as the hold-out was cut",
            "calibrated_on": "fpo-parcel",
            "seconds": round(time.perf_counter() - t0, 1),
            **{s: r.as_dict() for s, r in reports.items()},
            "ece_top1": evaluation.expected_calibration_error(top),
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
