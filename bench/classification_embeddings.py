"""Do sentence embeddings earn their weight? n-gram engine vs MiniLM kNN vs a blend.

Run: .venv/bin/python bench/classification_embeddings.py [--folds 5] [--cache-dir var/cache]
Needs the ``embeddings`` extra (skips with a message and exit 0 without it). Prints one JSON
object. Folds are cut as ``evaluation.cross_validate`` cuts them (by lower-cased description).
Every training text is embedded once and the matrix cached under ``--cache-dir`` keyed by a
digest of the texts and the model; a fold's n-gram scores come from a model trained without it.
Blend weights are never chosen on the fold they are scored on: each fold's weight is the one
that did best on the other four folds (nested), and a fixed weight chosen on fold 1 is shown too.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from customhouse.classification import embeddings, evaluation, loaders
from customhouse.classification.engine import (
    Calibration,
    SuggestionModel,
    nomenclature_texts,
)
from customhouse.classification.models import EvaluationReport
from customhouse.classification.text import normalise

SOURCES = (loaders.FPO_PARCEL, loaders.HMRC_SEARCH)
WEIGHTS = tuple(round(w * 0.05, 2) for w in range(1, 21))


# (code, similarity, source weight, parcel examples of the code) of an embedding neighbour
Near = list[tuple[str, float, float, int]]
# (source, gold code, abstained, n-gram scores, 100 nearest by embedding)
# and the 30 nearest code centroids (code, similarity, 1.0, parcel examples)
Row = tuple[str, str, bool, dict[str, float], Near, Near]
# (neighbours, power on similarity, times the parcel prior, weight of the centroid term)
Variant = tuple[int, float, bool, float]


def digest(texts: list[str], *more: object) -> str:
    h = hashlib.sha256(f"{embeddings.MODEL_ID}|{embeddings.MAX_TOKENS}|{more!r}".encode())
    for t in texts:
        h.update(t.encode() + b"\x1e")
    return h.hexdigest()[:16]


def embed_all(texts: list[str], cache_dir: Path) -> dict[str, np.ndarray]:
    path = cache_dir / f"embeddings-{digest(texts)}.npy"
    if path.exists():
        matrix = np.load(path)
    else:
        t0 = time.perf_counter()
        matrix = embeddings.load().encode(texts)
        print(f"embedded {len(texts)} texts in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, matrix)
    return {t: matrix[i] for i, t in enumerate(texts)}


def shares(scores: dict[str, float]) -> dict[str, float]:
    total = sum(scores.values())
    return {c: v / total for c, v in scores.items()} if total > 0 else {}


def ranked(d: dict[str, float]) -> list[str]:
    return sorted(d, key=lambda c: -d[c])[:5]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--cache-dir", type=Path, default=Path("var/cache"))
    parser.add_argument("--neighbours", type=int, default=30)
    args = parser.parse_args()
    if not embeddings.available():
        print(json.dumps({"skipped": "the embeddings extra is not installed"}))
        return

    texts = loaders.labelled_texts()
    nodes = loaders.nomenclature_nodes()
    vague = loaders.vague_lists()
    phrases = vague.phrases_to_remove
    all_norms = sorted(
        {normalise(t.text, phrases) for t in [*texts, *nomenclature_texts(nodes)]} - {""}
    )
    t0 = time.perf_counter()
    vec = embed_all(all_norms, args.cache_dir)
    embed_seconds = time.perf_counter() - t0

    calibration = Calibration(*loaders.calibration_table())

    def key(t: loaders.LabelledText) -> str:
        return " ".join(t.text.lower().split())

    keys = sorted({key(t) for t in texts if t.source in SOURCES})
    random.Random(0).shuffle(keys)
    fold_of = {k: i % args.folds for i, k in enumerate(keys)}
    # One pickle of every fold's test rows, so blends are tried without training again.
    rows_path = (
        args.cache_dir / f"embedding-rows-{digest(all_norms, args.folds, 'centroids')}.pickle"
    )
    rows: list[list[Row]] = []
    train_seconds: list[float] = []
    if rows_path.exists():
        rows = pickle.loads(rows_path.read_bytes())
    for f in range(len(rows), args.folds):
        held = [t.source in SOURCES and fold_of[key(t)] == f for t in texts]
        train = [t for t, h in zip(texts, held, strict=True) if not h]
        test = [t for t, h in zip(texts, held, strict=True) if h]
        t1 = time.perf_counter()
        model = SuggestionModel.train(train, nodes, vague, calibration=calibration)
        train_seconds.append(time.perf_counter() - t1)
        ex_norm = [normalise(e.text, phrases) for e in model.examples]
        e_mat = np.stack([vec[n] for n in ex_norm])
        codes = [e.code[:6] for e in model.examples]
        weights = np.array([model.config.source_weights.get(e.source, 1.0) for e in model.examples])
        prior_codes = model._prior
        results = model.suggest_many([t.text for t in test], k=5)
        norms = [normalise(t.text, phrases) for t in test]
        q = np.stack([vec.get(n, np.zeros(embeddings.DIMENSION, np.float32)) for n in norms])
        sims_all = q @ e_mat.T
        centroid_codes = sorted(set(codes))
        at = {c: i for i, c in enumerate(centroid_codes)}
        centroids = np.zeros((len(centroid_codes), embeddings.DIMENSION), dtype=np.float32)
        np.add.at(centroids, [at[c] for c in codes], e_mat)
        centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
        csims = q @ centroids.T
        fold_rows = []
        for i, (t, r) in enumerate(zip(test, results, strict=True)):
            ngram = model._scores(norms[i])[0] if r.codes else {}
            top = np.argpartition(-sims_all[i], 99)[:100]
            near = [
                (codes[j], float(sims_all[i][j]), float(weights[j]), prior_codes.get(codes[j], 0))
                for j in top
            ]
            ctop = np.argpartition(-csims[i], 29)[:30]
            cnear = [
                (centroid_codes[j], float(csims[i][j]), 1.0, prior_codes.get(centroid_codes[j], 0))
                for j in ctop
            ]
            fold_rows.append((t.source, t.code, not r.codes, ngram, near, cnear))
        rows.append(fold_rows)
        print(f"fold {f + 1}/{args.folds}", file=sys.stderr)
    if not rows_path.exists():
        rows_path.write_bytes(pickle.dumps(rows))

    memo: dict[tuple[int, Variant], dict[str, float]] = {}

    def variant_scores(row: Row, variant: Variant) -> dict[str, float]:
        if (id(row), variant) not in memo:
            memo[id(row), variant] = shares(_variant_scores(row, variant))
        return memo[id(row), variant]

    def _variant_scores(row: Row, variant: Variant) -> dict[str, float]:
        k, power, prior, centroid = variant
        out: dict[str, float] = defaultdict(float)
        for code, sim, weight, _ in sorted(row[4], key=lambda n: -n[1])[:k]:
            if sim > 0:
                out[code] += sim**power * weight
        for code, sim, _, _ in row[5] if centroid else ():
            if sim > 0:
                out[code] += centroid * sim**power
        if prior:
            counts = {n[0]: n[3] for n in [*row[4], *row[5]]}
            return {c: v * (counts[c] + 1) ** 0.4 for c, v in out.items()}
        return dict(out)

    def predict(row: Row, variant: Variant | None, w: float, how: str) -> list[str]:
        abstained, ngram = row[2], row[3]
        if abstained:
            return []
        if variant is None or w == 0:
            return ranked(ngram)
        a, b = shares(ngram), variant_scores(row, variant)
        if how == "geometric":
            # Candidates of the n-gram engine only, re-weighted by the embedding share.
            blend = {c: a[c] ** (1 - w) * (b.get(c, 0) + 1e-3) ** w for c in a}
        else:
            blend = {c: (1 - w) * a.get(c, 0) + w * b.get(c, 0) for c in {*a, *b}}
        return ranked(blend)

    def report(
        fold_ids: list[int],
        variant: Variant | None,
        w: float | dict[int, float],
        source: str,
        how: str = "linear",
    ) -> EvaluationReport:
        preds = []
        for f in fold_ids:
            wf = w[f] if isinstance(w, dict) else w
            preds.extend(
                (predict(row, variant, wf, how), row[1]) for row in rows[f] if row[0] == source
            )
        return evaluation.score(preds)

    def objective(r: EvaluationReport) -> float:
        return r.top1["6"] + r.top5["6"]

    folds = list(range(args.folds))
    parcel = loaders.FPO_PARCEL
    variants: list[Variant] = [
        (k, p, prior, c)
        for k in (30, 60, 100)
        for p in (6.0, 10.0, 15.0)
        for prior in (False, True)
        for c in (0.0, 0.5, 2.0)
    ]
    out: dict[str, object] = {
        "folds": args.folds,
        "embedded_texts": len(all_norms),
        "embed_seconds_or_cache": round(embed_seconds, 1),
        "train_seconds_per_fold": round(statistics.mean(train_seconds), 1)
        if train_seconds
        else None,
    }
    # Everything below is chosen without the fold it is scored on: for each fold, the embedding
    # variant and weight (and blend kind) that did best on the other folds.
    alone_choice = {
        f: max(
            variants, key=lambda v: objective(report([g for g in folds if g != f], v, 1.0, parcel))
        )
        for f in folds
    }
    choice: dict[int, tuple[Variant, float, str]] = {}
    for f in folds:
        others = [g for g in folds if g != f]
        v = alone_choice[f]
        choice[f] = max(
            ((v, w, how) for w in WEIGHTS for how in ("linear", "geometric")),
            key=lambda c: objective(report(others, c[0], c[1], parcel, c[2])),
        )
    out["nested_choices"] = {f: list(c) for f, c in choice.items()}

    def nested(source: str, alone: bool) -> EvaluationReport:
        preds = []
        for f in folds:
            v, w, how = (alone_choice[f], 1.0, "linear") if alone else choice[f]
            preds.extend((predict(row, v, w, how), row[1]) for row in rows[f] if row[0] == source)
        return evaluation.score(preds)

    for source in SOURCES:
        out[source] = {
            "current": report(folds, None, 0.0, source).as_dict(),
            "embeddings_alone": nested(source, True).as_dict(),
            "blend": nested(source, False).as_dict(),
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
