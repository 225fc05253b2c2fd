"""Suggesting HS6 codes (and national lines) for a goods description.

Character, word and vowel-skeleton n-gram TF-IDF over every labelled description and the
nomenclature text, scored three ways and combined: the nearest labelled neighbours vote for
their codes (weighted by source: parcel texts read like the queries), each subheading's
centroid adds its similarity, and a linear model over chapters acts as a hierarchical prior;
how often parcels carry a code is a last prior. A low-rank softmax over codes, trained on the
same features (``softmax.py``), learns which n-grams tell codes apart; its probabilities are
blended with those score shares. Score shares are mapped to calibrated
probabilities by an isotonic table fitted on cross-validated predictions (``calibration.json``).
Trained with an embedder (the optional extra, ``embeddings.py``), sentence-embedding votes are
blended in and the model uses its own table (``calibration-embeddings.json``).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from customhouse.classification.loaders import (
    FPO_BRAND,
    FPO_PARCEL,
    GB_RULING,
    HMRC_SEARCH,
    NOMENCLATURE,
    US_HTS,
    VagueLists,
)
from customhouse.classification.models import (
    Example,
    LabelledText,
    NationalLine,
    NomenclatureNode,
    Suggestion,
    SuggestionResult,
)
from customhouse.classification.softmax import LowRankSoftmax
from customhouse.classification.text import normalise, skeleton
from customhouse.classification.vague import VagueAssessment, VagueDetector

SOURCE_WEIGHTS = {
    FPO_PARCEL: 1.0,
    FPO_BRAND: 1.0,
    HMRC_SEARCH: 0.5,
    GB_RULING: 0.5,
    NOMENCLATURE: 0.5,
    US_HTS: 0.1,
}


@dataclass(frozen=True, slots=True)
class ModelConfig:
    """Knobs of the suggestion model; defaults chosen by 5-fold cross-validation."""

    neighbours: int = 30
    power: float = 3.0  # sharpens similarities before voting
    centroid_weight: float = 1.0
    centroid_candidates: int = 30
    chapter_prior: float = 1.0  # exponent on the chapter model's probability
    chapter_epochs: int = 8
    # A neighbour's vote by where its text comes from: parcel texts read like the queries.
    source_weights: dict[str, float] = field(default_factory=lambda: dict(SOURCE_WEIGHTS))
    # Scores are multiplied by (examples of the code among prior_sources + 1) ** prior_power:
    # parcels carry cosmetics far more often than, say, locomotives.
    prior_power: float = 0.4
    prior_sources: tuple[str, ...] = (FPO_PARCEL, FPO_BRAND)
    # Abstain on a listed-vague description unless the best code is at least this likely; in
    # grouped CV the listed-vague parcel texts under 0.15 were right one time in ten.
    vague_override: float = 0.15
    seed: int = 0
    # The low-rank softmax over codes (softmax.py): the n-gram score shares are blended with
    # its probabilities of its ``softmax_candidates`` likeliest codes, ``softmax_weight`` to
    # the softmax (0 trains none). Chosen in grouped 5-fold CV: parcel top-1/top-5 at six
    # digits 0.356/0.536 without it, 0.377/0.552 blended (README, Classification).
    softmax_weight: float = 0.4
    softmax_dim: int = 64
    softmax_epochs: int = 5
    softmax_candidates: int = 50
    # Sentence embeddings (optional, see embeddings.py), used only when the model is trained
    # with an embedder. Their votes (nearest examples, then code centroids, times the parcel
    # prior) are blended with the n-gram scores as shares: chosen in nested 5-fold CV
    # (bench/classification_embeddings.py).
    embedding_weight: float = 0.6
    embedding_neighbours: int = 100
    embedding_power: float = 10.0
    embedding_centroid_weight: float = 2.0
    embedding_centroid_candidates: int = 30


@dataclass(frozen=True, slots=True)
class Calibration:
    """Isotonic map from a candidate's score share to the probability it is right (6 digits).

    >>> Calibration((0.0, 0.5, 1.0), (0.1, 0.4, 0.9)).probability(0.75)
    0.65
    """

    shares: tuple[float, ...] = (0.0, 1.0)
    probabilities: tuple[float, ...] = (0.0, 1.0)

    def probability(self, share: float) -> float:
        xs, ys = self.shares, self.probabilities
        i = bisect.bisect_left(xs, share)
        if i <= 0:
            return ys[0]
        if i >= len(xs):
            return ys[-1]
        x0, x1, y0, y1 = xs[i - 1], xs[i], ys[i - 1], ys[i]
        return round(y0 + (y1 - y0) * (share - x0) / (x1 - x0) if x1 > x0 else y1, 6)


def _vectoriser() -> FeatureUnion:
    return FeatureUnion(
        [
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    sublinear_tf=True,
                    # A brand seen once is still worth matching: keep every n-gram.
                    dtype=np.float32,
                ),
            ),
            (
                "words",
                TfidfVectorizer(
                    analyzer="word",
                    ngram_range=(1, 2),
                    sublinear_tf=True,
                    token_pattern=r"[a-z0-9]{2,}",
                    dtype=np.float32,
                ),
            ),
            (
                # Vowel-less words meet parcel abbreviations ("sntry twls") half-way.
                "skeleton",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 4),
                    sublinear_tf=True,
                    min_df=2,
                    preprocessor=skeleton,
                    dtype=np.float32,
                ),
            ),
        ]
    )


def nomenclature_texts(nodes: Sequence[NomenclatureNode]) -> list[LabelledText]:
    """One training text per subheading: chapter; heading; subheading descriptions."""
    by_code = {n.code: n for n in nodes if n.level != "section"}
    out = []
    for n in nodes:
        if n.level == "subheading":
            parts = [by_code[c].description for c in (n.code[:2], n.code[:4]) if c in by_code]
            out.append(LabelledText(" ; ".join([*parts, n.description]), n.code, NOMENCLATURE))
    return out


class Embedder(Protocol):
    """Texts to unit-length float32 rows (``embeddings.Encoder``)."""

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


_SCORE_CACHE_SIZE = 50_000
# Code scores of a text, and its nearest examples (indices, similarities).
_Found = tuple[dict[str, float], np.ndarray, np.ndarray]


def _chapter_weights(
    model: SGDClassifier | None,
) -> tuple[np.ndarray | None, np.ndarray | None, dict[str, int]]:
    """The chapter model's weights as (features x chapters), its intercepts and column index.

    With two chapters sklearn keeps one column, the second chapter's decision; the first
    chapter's is its negation, so every chapter gets its column.
    """
    if model is None:
        return None, None, {}
    w = np.asarray(model.coef_, dtype=np.float32).T
    b = np.asarray(model.intercept_, dtype=np.float32)
    if w.shape[1] == 1:
        w, b = np.hstack([-w, w]), np.concatenate([-b, b])
    return np.ascontiguousarray(w), b, {str(c): i for i, c in enumerate(model.classes_)}


class SuggestionModel:
    """A trained suggestion model. Build it with :meth:`train`; it is immutable afterwards."""

    def __init__(
        self,
        *,
        nodes: Sequence[NomenclatureNode],
        examples: Sequence[LabelledText],
        vectoriser: FeatureUnion,
        matrix_t: sp.csr_matrix,
        centroid_codes: Sequence[str],
        centroids_t: sp.csr_matrix,
        chapter_model: SGDClassifier | None,
        detector: VagueDetector,
        phrases: tuple[str, ...],
        config: ModelConfig,
        calibration: Calibration,
        embedded: np.ndarray | None = None,
        softmax: LowRankSoftmax | None = None,
    ) -> None:
        self.nodes = {n.code: n for n in nodes}
        self.examples = list(examples)
        self._codes = [e.code[:6] for e in examples]
        self._weights = np.array(
            [config.source_weights.get(e.source, 1.0) for e in examples], dtype=np.float64
        )
        self._vectoriser = vectoriser
        self._xt = matrix_t
        self._centroid_codes = list(centroid_codes)
        self._ct = centroids_t
        # Rows of the chapter model's weights by feature: a query touches only its own rows.
        self._chapter_w, self._chapter_b, self._chapter_index = _chapter_weights(chapter_model)
        counts: dict[str, int] = defaultdict(int)
        for e in examples:
            if e.source in config.prior_sources:
                counts[e.code[:6]] += 1
        self._prior = dict(counts)
        self.detector = detector
        self.phrases = phrases
        self.config = config
        self.calibration = calibration
        self._softmax = softmax
        # Embeddings of the examples and of each code's examples (centroids), when trained so.
        self._emb: np.ndarray | None = None
        self._emb_centroids: np.ndarray | None = None
        if embedded is not None:
            self._emb = np.ascontiguousarray(embedded, dtype=np.float32)
            at = {c: i for i, c in enumerate(self._centroid_codes)}
            centroids = np.zeros((len(at), embedded.shape[1]), dtype=np.float32)
            np.add.at(centroids, [at[c] for c in self._codes], self._emb)
            norms = np.linalg.norm(centroids, axis=1, keepdims=True)
            self._emb_centroids = centroids / np.maximum(norms, 1e-12)

    @property
    def uses_softmax(self) -> bool:
        """Whether the low-rank softmax's probabilities take part in the scores."""
        return self._softmax is not None

    @property
    def uses_embeddings(self) -> bool:
        """Whether sentence embeddings take part in the scores (trained with an embedder)."""
        return self._emb is not None

    @classmethod
    def train(
        cls,
        texts: Iterable[LabelledText],
        nodes: Sequence[NomenclatureNode],
        vague: VagueLists,
        *,
        config: ModelConfig | None = None,
        calibration: Calibration | None = None,
        embedder: Embedder | None = None,
    ) -> SuggestionModel:
        """Train on labelled ``texts`` (codes of 6 to 10 digits) plus the nomenclature text.

        Texts whose first six digits are not an HS 2022 subheading are left out. With an
        ``embedder`` the examples are embedded too and their votes blended in.
        """
        config = config or ModelConfig()
        subheadings = {n.code for n in nodes if n.level == "subheading"}
        # The original text is kept for the reasons shown; the normalised one feeds the features.
        pairs = [
            (t, normalise(t.text, vague.phrases_to_remove))
            for t in [*texts, *nomenclature_texts(nodes)]
            if t.code[:6] in subheadings
        ]
        pairs = [(t, n) for t, n in pairs if n]
        examples = [t for t, _ in pairs]
        vectoriser = _vectoriser()
        x = normalize(vectoriser.fit_transform([n for _, n in pairs])).tocsr()
        codes = [e.code[:6] for e in examples]
        centroid_codes = sorted(set(codes))
        index = {c: i for i, c in enumerate(centroid_codes)}
        member = sp.csr_matrix(
            (
                np.ones(len(codes), dtype=np.float32),
                ([index[c] for c in codes], np.arange(len(codes))),
            ),
            shape=(len(centroid_codes), len(codes)),
        )
        centroids = normalize(member @ x)
        chapters = [c[:2] for c in codes]
        # Texts of one chapter only (a small local training set) leave nothing to tell apart.
        chapter_model = (
            SGDClassifier(
                loss="modified_huber",
                alpha=2e-5,
                max_iter=config.chapter_epochs,
                tol=None,
                random_state=config.seed,
            ).fit(x, chapters)
            if len(set(chapters)) > 1
            else None
        )
        softmax = None
        if config.softmax_weight:
            softmax = LowRankSoftmax.fit(
                x,
                codes,
                [config.source_weights.get(e.source, 1.0) for e in examples],
                dim=config.softmax_dim,
                epochs=config.softmax_epochs,
                seed=config.seed,
            )
        return cls(
            nodes=nodes,
            examples=examples,
            vectoriser=vectoriser,
            matrix_t=x.T.tocsr(),
            centroid_codes=centroid_codes,
            centroids_t=centroids.T.tocsr(),
            chapter_model=chapter_model,
            detector=VagueDetector.from_lists(vague),
            phrases=vague.phrases_to_remove,
            config=config,
            calibration=calibration or Calibration(),
            embedded=embedder.encode([n for _, n in pairs]) if embedder else None,
            softmax=softmax,
        )

    # --- scoring ---

    def _scores(self, normalised: str) -> _Found:
        """Unnormalised code scores, and the nearest examples (indices, similarities).

        Remembered per text (bounded): a suggestion and a consistency check of the same item
        score it once, and the same goods recur across declarations.
        """
        found = self._scores_many([normalised])[0]
        return dict(found[0]), found[1], found[2]

    def _scores_many(self, normalised: Sequence[str]) -> list[_Found]:
        cache: dict[str, _Found]
        cache = self.__dict__.setdefault("_score_cache", {})
        todo = list(dict.fromkeys(n for n in normalised if n not in cache))
        # One sparse product per chunk instead of one per text; chunks bound the dense rows.
        for start in range(0, len(todo), 256):
            chunk = todo[start : start + 256]
            if len(cache) + len(chunk) > _SCORE_CACHE_SIZE:
                cache.clear()
            q = normalize(self._vectoriser.transform(chunk)).tocsr()
            sims = (q @ self._xt).toarray()
            cs = (q @ self._ct).toarray() if self.config.centroid_weight else None
            likely = (
                self._softmax.top(q, self.config.softmax_candidates)
                if self._softmax is not None
                else None
            )
            esims = ecs = None
            if self._emb is not None and self._emb_centroids is not None:
                # One BLAS thread: on two busy cores a second thread made the 95th percentile
                # of a suggestion 300 ms instead of 15 ms.
                with threadpool_limits(limits=1, user_api="blas"):
                    qe = _query_embedder().encode(chunk)
                    esims, ecs = qe @ self._emb.T, qe @ self._emb_centroids.T
            for i, n in enumerate(chunk):
                found = self._score_row(q[i], sims[i], None if cs is None else cs[i])
                if likely is not None:
                    found = (self._with_softmax(found[0], likely[i]), found[1], found[2])
                if esims is not None and ecs is not None and found[0]:
                    found = (self._blend(found[0], esims[i], ecs[i]), found[1], found[2])
                cache[n] = found
        return [cache[n] for n in normalised]

    def _with_softmax(self, scores: dict[str, float], likely: dict[str, float]) -> dict[str, float]:
        """N-gram score shares blended with the softmax's probabilities of its likeliest codes.

        A text no known description resembles keeps its empty scores: the softmax alone would
        answer from its bias, not from the text.
        """
        total = sum(scores.values())
        if total <= 0:
            return scores
        w = self.config.softmax_weight
        return {
            c: (1 - w) * scores.get(c, 0.0) / total + w * likely.get(c, 0.0)
            for c in {*scores, *likely}
        }

    def _blend(
        self, scores: dict[str, float], esims: np.ndarray, ecs: np.ndarray
    ) -> dict[str, float]:
        """N-gram score shares blended with embedding vote shares (both sum to one)."""
        cfg = self.config
        votes: dict[str, float] = defaultdict(float)
        k = min(cfg.embedding_neighbours, esims.size)
        for j in np.argpartition(-esims, k - 1)[:k]:
            if esims[j] > 0:
                votes[self._codes[j]] += float(esims[j] ** cfg.embedding_power * self._weights[j])
        m = min(cfg.embedding_centroid_candidates, ecs.size)
        for j in np.argpartition(-ecs, m - 1)[:m]:
            if ecs[j] > 0:
                votes[self._centroid_codes[j]] += cfg.embedding_centroid_weight * float(
                    ecs[j] ** cfg.embedding_power
                )
        for c in votes:
            votes[c] *= (self._prior.get(c, 0) + 1) ** cfg.prior_power
        total, etotal = sum(scores.values()), sum(votes.values())
        if total <= 0 or etotal <= 0:
            return scores
        w = cfg.embedding_weight
        return {
            c: (1 - w) * scores.get(c, 0.0) / total + w * votes.get(c, 0.0) / etotal
            for c in {*scores, *votes}
        }

    def __getstate__(self) -> dict[str, Any]:
        # The score and path caches are per process; they are not part of the trained model.
        state = dict(self.__dict__)
        state.pop("_score_cache", None)
        state.pop("_paths", None)
        return state

    def _score_row(self, q: sp.csr_matrix, sims: np.ndarray, cs: np.ndarray | None) -> _Found:
        cfg = self.config
        k = min(cfg.neighbours, sims.size)
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.argsort(-sims[top])]
        top = top[sims[top] > 0]
        scores: dict[str, float] = defaultdict(float)
        for j in top:
            scores[self._codes[j]] += float(sims[j] ** cfg.power * self._weights[j])
        if cs is not None:
            m = min(cfg.centroid_candidates, cs.size)
            for j in np.argpartition(-cs, m - 1)[:m]:
                if cs[j] > 0:
                    scores[self._centroid_codes[j]] += cfg.centroid_weight * float(
                        cs[j] ** cfg.power
                    )
        if cfg.chapter_prior and scores and self._chapter_w is not None:
            p = self._chapter_probabilities(q)
            for c in scores:
                i = self._chapter_index.get(c[:2])
                prior = float(p[i]) if i is not None else 0.0
                scores[c] *= (prior + 1e-3) ** cfg.chapter_prior
        if cfg.prior_power:
            for c in scores:
                scores[c] *= (self._prior.get(c, 0) + 1) ** cfg.prior_power
        return dict(scores), top, sims[top]

    def _chapter_probabilities(self, q: sp.csr_matrix) -> np.ndarray:
        # sklearn's modified-Huber probabilities, computed on the query's features only.
        assert self._chapter_w is not None and self._chapter_b is not None
        d = q.data.astype(np.float32) @ self._chapter_w[q.indices] + self._chapter_b
        p = (np.clip(d, -1, 1) + 1) / 2
        total = p.sum()
        return p / total if total > 0 else np.full_like(p, 1 / p.size)

    def distribution(self, description: str, *, normalised: str | None = None) -> dict[str, float]:
        """Score shares over candidate HS6 codes (they sum to 1; empty when nothing matched).

        ``normalised`` is the description's normalised text where the caller has it already.
        """
        scores = self.code_scores(description, normalised=normalised)
        total = sum(scores.values())
        return {c: v / total for c, v in scores.items()} if total > 0 else {}

    def code_scores(self, description: str, *, normalised: str | None = None) -> dict[str, float]:
        """Unnormalised scores over candidate HS6 codes (remembered per text: do not change
        the dict); :meth:`distribution` is their shares."""
        norm = normalise(description, self.phrases) if normalised is None else normalised
        return self._scores_many([norm])[0][0]

    def suggest(self, description: str, k: int = 5) -> SuggestionResult:
        """Top-``k`` HS6 codes with calibrated confidence, or an abstention with what is missing."""
        return self.suggest_many([description], k)[0]

    def suggest_many(
        self, descriptions: Sequence[str], k: int = 5, *, brief: bool = False
    ) -> list[SuggestionResult]:
        """:meth:`suggest` for many descriptions, scored together (faster than one by one).

        ``brief`` suggestions carry their own nomenclature node only, no examples or national
        lines (the pipeline's item checks keep no more).
        """
        norms = [normalise(d, self.phrases) for d in descriptions]
        verdicts = [self.detector.assess(d, n) for d, n in zip(descriptions, norms, strict=True)]
        found = iter(
            self._scores_many([n for n, v in zip(norms, verdicts, strict=True) if not v.strong])
        )
        out = []
        for d, n, v in zip(descriptions, norms, verdicts, strict=True):
            if v.strong:
                out.append(SuggestionResult(d, n, (), True, v.reasons, v.missing))
            else:
                out.append(self._result(d, n, v, next(found), k, brief))
        return out

    def _result(
        self,
        description: str,
        norm: str,
        verdict: VagueAssessment,
        found: _Found,
        k: int,
        brief: bool = False,
    ) -> SuggestionResult:
        scores, top, top_sims = found
        total = sum(scores.values())
        if total <= 0:
            return SuggestionResult(
                description,
                norm,
                (),
                True,
                ("no known description or nomenclature text resembles this one",),
                ("what the goods are, what they are made of and what they are for",),
            )
        # Highest first, ties in their order (a reversed sort is stable); the C key is about
        # twice as fast as a lambda, and heapq.nlargest slower than both on ~80 codes.
        ranked = sorted(scores, key=scores.__getitem__, reverse=True)[:k]
        confidence = {c: self.calibration.probability(scores[c] / total) for c in ranked}
        if brief:
            suggestions = tuple(
                Suggestion(c, confidence[c], self.path(c)[-1:], (), ()) for c in ranked
            )
        else:
            # The neighbours of each ranked code, in similarity order, found in one pass.
            neighbours: dict[str, list[tuple[int, float]]] = {c: [] for c in ranked}
            for j, sim in zip(top.tolist(), top_sims.tolist(), strict=True):
                own = neighbours.get(self.examples[j].code[:6])
                if own is not None:
                    own.append((j, sim))
            suggestions = tuple(self._suggestion(c, confidence[c], neighbours[c]) for c in ranked)
        if verdict.vague and suggestions[0].confidence < self.config.vague_override:
            return SuggestionResult(description, norm, (), True, verdict.reasons, verdict.missing)
        reasons = (
            f"{len(top)} similar known descriptions; best match {top_sims[0]:.2f}",
            *verdict.reasons,
        )
        return SuggestionResult(description, norm, suggestions, False, reasons, ())

    def path(self, code: str) -> tuple[NomenclatureNode, ...]:
        """Section, chapter, heading and subheading of ``code`` (those that exist)."""
        paths: dict[str, tuple[NomenclatureNode, ...]] = self.__dict__.setdefault("_paths", {})
        found = paths.get(code)
        if found is None:
            found = paths[code] = self._path(code)
        return found

    def _path(self, code: str) -> tuple[NomenclatureNode, ...]:
        nodes = [self.nodes[c] for c in (code[:2], code[:4], code[:6]) if c in self.nodes]
        if nodes and nodes[0].section in self.nodes:
            nodes.insert(0, self.nodes[nodes[0].section])
        return tuple(dict.fromkeys(nodes))

    def _suggestion(
        self, code: str, confidence: float, neighbours: list[tuple[int, float]]
    ) -> Suggestion:
        examples: list[Example] = []
        lines: dict[tuple[str, str], float] = defaultdict(float)
        for j, s in neighbours:
            e = self.examples[j]
            if len(examples) < 3:
                examples.append(Example(e.text, e.code, e.source, s))
            if e.tariff != "HS" and len(e.code) > 6:
                lines[(e.tariff, e.code)] += s**self.config.power
        total = sum(lines.values()) or 1.0
        national = sorted(
            (NationalLine(t, c, w / total) for (t, c), w in lines.items()), key=lambda n: -n.weight
        )[:3]
        return Suggestion(code, confidence, self.path(code), tuple(examples), tuple(national))


def _query_embedder() -> Embedder:
    # Imported only for a model trained with embeddings: the extra stays optional.
    from customhouse.classification import embeddings

    return embeddings.load()
