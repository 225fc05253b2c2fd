"""Grouped CV of the experimental re-ranker against the nearest-neighbour vote, per source.

Run: .venv/bin/python bench/classification_rerank.py [--folds 5] [--only 1]
Prints one JSON object: six-digit top-1/top-5 per method and source, and the recall of the
candidate list (the ceiling of any re-ranker). The folds are those of
``customhouse classify cross-validate`` (same seed, grouped by normalised description); the
re-ranker is trained on leave-one-group-out candidates of the training folds only.
About one minute a fold on two idle cores (four when they are shared).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter, defaultdict
from typing import Any

import lightgbm as lgb
import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from sklearn.preprocessing import normalize

from customhouse.classification import loaders
from customhouse.classification.engine import _vectoriser, nomenclature_texts
from customhouse.classification.evaluation import score
from customhouse.classification.rerank import (
    CandidateConfig,
    CandidateFeatures,
    loo_centroid_sims,
)
from customhouse.classification.text import normalise

TEST = (loaders.FPO_PARCEL, loaders.HMRC_SEARCH)
QUERY_SOURCES = {loaders.FPO_PARCEL, loaders.HMRC_SEARCH, loaders.FPO_BRAND, loaders.GB_RULING}


def _words(n: str) -> frozenset[str]:
    return frozenset(w for w in n.split() if len(w) > 2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--only", type=int, default=None, help="run the first N folds only")
    args = parser.parse_args()
    texts = loaders.labelled_texts()
    nodes = loaders.nomenclature_nodes()
    phrases = loaders.vague_lists().phrases_to_remove
    keys = sorted({normalise(t.text) for t in texts if t.source in TEST})
    random.Random(0).shuffle(keys)
    fold_of = {k: i % args.folds for i, k in enumerate(keys)}
    subs = {n.code for n in nodes if n.level == "subheading"}
    by_code = {n.code: n for n in nodes if n.level != "section"}
    path_words = {
        c: _words(
            normalise(" ".join(by_code[x].description for x in (c[:2], c[:4], c) if x in by_code))
        )
        for c in subs
    }
    results: dict[str, dict[str, list[tuple[list[str], str]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for f in range(args.only or args.folds):
        t0 = time.perf_counter()
        train = [t for t in texts if fold_of.get(normalise(t.text), -1) != f]
        test = [t for t in texts if t.source in TEST and fold_of[normalise(t.text)] == f]
        pairs = [
            (t, normalise(t.text, phrases))
            for t in [*train, *nomenclature_texts(nodes)]
            if t.code[:6] in subs
        ]
        pairs = [(t, n) for t, n in pairs if n]
        norms = [n for _, n in pairs]
        codes = [t.code[:6] for t, _ in pairs]
        sources = [t.source for t, _ in pairs]
        vec = _vectoriser()
        x = normalize(vec.fit_transform(norms)).tocsr()
        xt = x.T.tocsr()
        ccodes = sorted(set(codes))
        cidx = {c: i for i, c in enumerate(ccodes)}
        member = sp.csr_matrix(
            (np.ones(len(codes), np.float32), ([cidx[c] for c in codes], np.arange(len(codes)))),
            shape=(len(ccodes), len(codes)),
        )
        sums = (member @ x).tocsr()
        norm2 = np.asarray(sums.multiply(sums).sum(axis=1)).ravel()
        centroids_t = normalize(sums).T.tocsr()
        counted = (loaders.FPO_PARCEL, loaders.HMRC_SEARCH)
        prior = Counter(c for c, s in zip(codes, sources, strict=True) if s in counted)
        cf = CandidateFeatures(
            codes=codes,
            sources=sources,
            centroid_codes=ccodes,
            prior_counts=dict(prior),
            path_words=path_words,
            config=CandidateConfig(),
        )
        groups: dict[str, list[int]] = defaultdict(list)
        for i, n in enumerate(norms):
            groups[n].append(i)
        queries = list(
            dict.fromkeys(
                (norms[i], codes[i], i) for i in range(len(norms)) if sources[i] in QUERY_SOURCES
            )
        )
        seen: set[tuple[str, str]] = set()
        qidx = []
        for n, c, i in queries:
            if (n, c) not in seen:
                seen.add((n, c))
                qidx.append(i)
        feats, labels, sizes = [], [], []
        for s in range(0, len(qidx), 400):
            chunk = qidx[s : s + 400]
            sims = np.asarray((x[chunk] @ xt).todense())
            for r, i in enumerate(chunk):
                own = groups[norms[i]]
                sims[r, own] = 0  # the text's own copies are not its neighbours
                by_centroid: dict[int, list[int]] = defaultdict(list)
                for j in own:
                    by_centroid[cidx[codes[j]]].append(j)
                own_sum = {ci: sp.csr_matrix(x[js].sum(axis=0)) for ci, js in by_centroid.items()}
                cs = loo_centroid_sims(x[i], sums, norm2, own_sum)
                own_prior = Counter(codes[j] for j in own if sources[j] in counted)
                cands, rows = cf.rows(sims[r], cs, _words(norms[i]), dict(own_prior))
                if cands:
                    feats.append(rows)
                    labels.append(np.array([c == codes[i] for c in cands], dtype=np.int8))
                    sizes.append(len(cands))
        clf = lgb.LGBMClassifier(
            n_estimators=300,
            learning_rate=0.05,
            subsample=0.8,
            subsample_freq=1,
            colsample_bytree=0.8,
            verbose=-1,
            random_state=0,
        ).fit(np.vstack(feats), np.concatenate(labels))
        for t in test:
            n = normalise(t.text, phrases)
            cands, rows = [], np.zeros((0, 1))
            if n:
                q = normalize(vec.transform([n]))
                sims1 = np.asarray((q @ xt).todense()).ravel()
                cs1 = np.asarray((q @ centroids_t).todense()).ravel()
                cands, rows = cf.rows(sims1, cs1, _words(n))
            if not cands:
                for k in ("knn", "rerank", "candidates"):
                    results[k][t.source].append(([], t.code))
                continue
            knn = np.argsort(-(rows[:, 0] + rows[:, 9] ** 3), kind="stable")
            results["knn"][t.source].append(([cands[i] for i in knn[:5]], t.code))
            p = clf.predict_proba(rows)[:, 1]
            results["rerank"][t.source].append(([cands[i] for i in np.argsort(-p)[:5]], t.code))
            results["candidates"][t.source].append((cands, t.code))
        print(f"fold {f + 1}: {time.perf_counter() - t0:.0f}s", file=sys.stderr)
    out: dict[str, Any] = {"folds": args.folds, "folds_run": args.only or args.folds}
    for method, per in results.items():
        for source, rows in per.items():
            if method == "candidates":
                hit = sum(any(c == g[:6] for c in cs) for cs, g in rows)
                out[f"candidate_recall/{source}"] = round(hit / len(rows), 4)
            else:
                r = score(rows)
                out[f"{method}/{source}"] = {"n": r.n, "top1_6": r.top1["6"], "top5_6": r.top5["6"]}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
