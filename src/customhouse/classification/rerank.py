"""A learned re-ranker over candidate HS6 codes.

The nearest-neighbour model proposes candidates (codes of the closest known descriptions and
the closest subheading centroids); each candidate gets a row of features (neighbour votes by
source, best similarity and rank, centroid similarity, heading and chapter vote shares, how
often the code is declared, how many query words its nomenclature path names) and a gradient
boosted model scores it. The model is trained on *leave-one-group-out* candidates of the
training texts themselves: a text's own copies are hidden from its neighbours and from its
code's centroid, so its features look like those of an unseen description.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

FEATURES = (
    "vote",
    "vote_share",
    "best_sim",
    "best_rank",
    "count",
    "vote_parcel",
    "vote_search",
    "vote_tariff",
    "vote_other",
    "centroid_sim",
    "centroid_rank",
    "heading_share",
    "chapter_share",
    "prior",
    "top_sim",
    "path_overlap",
    "centroid_gap",
)
# Which group of sources a neighbour's vote is counted under.
SOURCE_GROUP = {
    "fpo-parcel": 0,
    "hmrc-search-term": 1,
    "us-hts": 2,
    "nomenclature": 2,
}


@dataclass(frozen=True, slots=True)
class CandidateConfig:
    neighbours: int = 30
    centroids: int = 20
    power: float = 3.0
    max_candidates: int = 40


def _path_words(text: str) -> frozenset[str]:
    return frozenset(w for w in text.split() if len(w) > 2)


class CandidateFeatures:
    """Builds candidate rows for a query from its similarities to the examples and centroids."""

    def __init__(
        self,
        *,
        codes: Sequence[str],
        sources: Sequence[str],
        centroid_codes: Sequence[str],
        prior_counts: dict[str, int],
        path_words: dict[str, frozenset[str]],
        config: CandidateConfig,
    ) -> None:
        self.codes = np.asarray(codes)
        self.groups = np.array([SOURCE_GROUP.get(s, 3) for s in sources], dtype=np.int8)
        self.centroid_codes = list(centroid_codes)
        self.prior_counts = prior_counts
        self.path_words = path_words
        self.config = config

    def rows(
        self,
        sims: np.ndarray,
        centroid_sims: np.ndarray,
        query_words: frozenset[str],
        own_prior: dict[str, int] | None = None,
    ) -> tuple[list[str], np.ndarray]:
        """Candidate codes and their feature matrix (one row per candidate)."""
        cfg = self.config
        k = min(cfg.neighbours, sims.size)
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.argsort(-sims[top])]
        top = top[sims[top] > 0]
        vote: dict[str, float] = defaultdict(float)
        by_group: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
        best: dict[str, tuple[float, int]] = {}
        count: dict[str, int] = defaultdict(int)
        for rank, j in enumerate(top):
            c = str(self.codes[j])
            v = float(sims[j]) ** cfg.power
            vote[c] += v
            by_group[c][int(self.groups[j])] += v
            count[c] += 1
            if c not in best:
                best[c] = (float(sims[j]), rank)
        m = min(cfg.centroids, centroid_sims.size)
        ctop = np.argpartition(-centroid_sims, m - 1)[:m]
        ctop = ctop[np.argsort(-centroid_sims[ctop])]
        crank = {self.centroid_codes[j]: r for r, j in enumerate(ctop) if centroid_sims[j] > 0}
        cands = list(dict.fromkeys([*sorted(vote, key=lambda c: -vote[c]), *crank]))
        cands = cands[: cfg.max_candidates]
        if not cands:
            return [], np.zeros((0, len(FEATURES)), dtype=np.float32)
        total = sum(vote.values()) or 1.0
        heading: dict[str, float] = defaultdict(float)
        chapter: dict[str, float] = defaultdict(float)
        for c, v in vote.items():
            heading[c[:4]] += v
            chapter[c[:2]] += v
        top_sim = float(sims[top[0]]) if len(top) else 0.0
        cindex = {c: i for i, c in enumerate(self.centroid_codes)}
        best_centroid = float(centroid_sims[ctop[0]]) if len(ctop) else 0.0
        out = np.zeros((len(cands), len(FEATURES)), dtype=np.float32)
        nq = len(query_words) or 1
        for i, c in enumerate(cands):
            g = by_group.get(c, [0.0, 0.0, 0.0, 0.0])
            bs, br = best.get(c, (0.0, cfg.neighbours))
            ci = cindex.get(c)
            cs = float(centroid_sims[ci]) if ci is not None else 0.0
            prior = self.prior_counts.get(c, 0) - (own_prior or {}).get(c, 0)
            out[i] = (
                vote.get(c, 0.0),
                vote.get(c, 0.0) / total,
                bs,
                br,
                count.get(c, 0),
                g[0],
                g[1],
                g[2],
                g[3],
                cs,
                crank.get(c, cfg.centroids),
                heading[c[:4]] / total,
                chapter[c[:2]] / total,
                math.log1p(max(prior, 0)),
                top_sim,
                len(query_words & self.path_words.get(c, frozenset())) / nq,
                best_centroid - cs,
            )
        return cands, out


def loo_centroid_sims(
    q: sp.csr_matrix,
    centroid_sums: sp.csr_matrix,
    centroid_norm2: np.ndarray,
    own: dict[int, sp.csr_matrix],
) -> np.ndarray:
    """Cosine similarity of ``q`` to every centroid, with the query's own rows taken out.

    ``centroid_sums`` are the unnormalised sums of member rows; ``own`` maps a centroid index to
    the sum of the query's own copies under it.
    """
    dots = np.asarray((centroid_sums @ q.T).todense()).ravel()
    norms = centroid_norm2.copy()
    for ci, x in own.items():
        xq = float((x @ q.T).todense()[0, 0])
        xs = float((centroid_sums[ci] @ x.T).todense()[0, 0])
        xx = float((x @ x.T).todense()[0, 0])
        dots[ci] -= xq
        norms[ci] = norms[ci] - 2 * xs + xx
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(norms > 1e-9, dots / np.sqrt(np.maximum(norms, 1e-12)), 0.0)
    return np.asarray(out, dtype=np.float64)
