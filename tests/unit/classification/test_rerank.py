"""Candidate features of the (experimental) re-ranker, and the leave-one-out centroid."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from sklearn.preprocessing import normalize

from customhouse.classification.rerank import (
    FEATURES,
    CandidateConfig,
    CandidateFeatures,
    loo_centroid_sims,
)


def _features() -> CandidateFeatures:
    return CandidateFeatures(
        codes=["610910", "610910", "420221"],
        sources=["fpo-parcel", "hmrc-search-term", "us-hts"],
        centroid_codes=["420221", "610910"],
        prior_counts={"610910": 2},
        path_words={"610910": frozenset({"shirt", "cotton"})},
        config=CandidateConfig(neighbours=3, centroids=2),
    )


def test_candidates_are_ranked_by_votes_and_carry_every_feature() -> None:
    cands, rows = _features().rows(
        np.array([0.9, 0.5, 0.2]), np.array([0.1, 0.8]), frozenset({"cotton", "shirt", "mens"})
    )
    assert cands == ["610910", "420221"]
    assert rows.shape == (2, len(FEATURES))
    f = dict(zip(FEATURES, rows[0], strict=True))
    assert f["count"] == 2 and f["best_rank"] == 0
    assert abs(f["vote_parcel"] - 0.9**3) < 1e-6 and abs(f["vote_search"] - 0.5**3) < 1e-6
    assert abs(f["path_overlap"] - 2 / 3) < 1e-6
    assert f["prior"] > 0 and f["centroid_gap"] == 0


def test_no_similar_text_gives_no_candidate() -> None:
    cands, rows = _features().rows(np.zeros(3), np.zeros(2), frozenset())
    assert cands == [] and rows.shape == (0, len(FEATURES))


def test_loo_centroid_hides_the_query_itself() -> None:
    x = normalize(sp.csr_matrix(np.array([[1.0, 0.0], [0.0, 1.0]])))
    sums = sp.csr_matrix(x.sum(axis=0))  # one centroid holding both rows
    norm2 = np.asarray(sums.multiply(sums).sum(axis=1)).ravel()
    full = loo_centroid_sims(x[0], sums, norm2, {})
    loo = loo_centroid_sims(x[0], sums, norm2, {0: x[0]})
    assert full[0] > 0.7 and abs(loo[0]) < 1e-9  # only the other row is left: orthogonal
