"""The learned risk model: LightGBM over the analyst's features, explained by its own contributions.

Training tunes the number of boosting rounds on a validation part of the TRAINING data only (the
rows tagged ``valid`` when the source has such a split, otherwise the latest fifth by date), then
refits on all training rows. Scores are the probability of a finding and the duty at stake
(probability × duty amount). Reasons are the largest positive feature contributions
(LightGBM ``pred_contrib``, in log-odds), worded for an officer.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import lightgbm as lgb
import numpy as np
import numpy.typing as npt

from customhouse.risk.errors import IncompatibleModel, NotEnoughTrainingData
from customhouse.risk.features import FeatureEncoder, FloatMatrix
from customhouse.risk.models import ModelScore, Reason, RiskSubject, TrainingExample, round_money

MODEL_FORMAT = 1


@dataclass(frozen=True, slots=True)
class TrainingParameters:
    """Knobs of training; the defaults were chosen on validation rows of the training data."""

    learning_rate: float = 0.05
    num_leaves: int = 63
    min_child_samples: int = 20
    feature_fraction: float = 0.8
    bagging_fraction: float = 0.8
    max_rounds: int = 1500
    early_stopping_rounds: int = 100
    folds: int = 5
    smoothing: float = 10.0
    validation_fraction: float = 0.2
    seed: int = 20240601
    # One thread: on a shared machine two OpenMP threads spin against each other and train
    # ten times slower; one is nearly as fast when the machine is idle.
    threads: int = 1

    def lightgbm(self) -> dict[str, Any]:
        return {
            "objective": "binary",
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_child_samples": self.min_child_samples,
            "feature_fraction": self.feature_fraction,
            "bagging_fraction": self.bagging_fraction,
            "bagging_freq": 1,
            "seed": self.seed,
            "deterministic": True,
            "num_threads": self.threads,
            "verbose": -1,
            "metric": "auc",
        }


@dataclass(frozen=True, slots=True)
class ModelCard:
    """What a stored model was trained on and how it did on validation rows of its training data."""

    version: str
    trained_rows: int
    window_from: date | None
    window_to: date | None
    rounds: int
    validation: dict[str, float] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    # [inspection rate %, precision, recall] on the validation rows, as the rate grows: the
    # precision/recall curve of the probe model that chose the number of rounds.
    validation_curve: list[list[float]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["window_from"] = self.window_from.isoformat() if self.window_from else None
        d["window_to"] = self.window_to.isoformat() if self.window_to else None
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ModelCard:
        return cls(
            version=d["version"],
            trained_rows=int(d["trained_rows"]),
            window_from=date.fromisoformat(d["window_from"]) if d["window_from"] else None,
            window_to=date.fromisoformat(d["window_to"]) if d["window_to"] else None,
            rounds=int(d["rounds"]),
            validation=dict(d.get("validation", {})),
            parameters=dict(d.get("parameters", {})),
            validation_curve=[list(map(float, p)) for p in d.get("validation_curve", [])],
        )


class RiskModel:
    """A trained booster with its fitted feature histories."""

    def __init__(self, booster: lgb.Booster, encoder: FeatureEncoder, card: ModelCard) -> None:
        self.booster = booster
        self.encoder = encoder
        self.card = card

    @property
    def version(self) -> str:
        return self.card.version

    def predict(self, subjects: Sequence[RiskSubject]) -> npt.NDArray[np.float64]:
        """Probability of a finding for each subject (fast path, no reasons)."""
        if not subjects:
            return np.zeros(0)
        return np.asarray(
            self.booster.predict(self.encoder.transform(subjects), num_threads=1), dtype=np.float64
        )

    def score(
        self, subjects: Sequence[RiskSubject], *, explain: bool = True, top: int = 3
    ) -> list[ModelScore]:
        """Scores with the duty at stake and, when ``explain``, the ``top`` reasons each."""
        if not subjects:
            return []
        matrix = self.encoder.transform(subjects)
        probability = np.asarray(self.booster.predict(matrix, num_threads=1), dtype=np.float64)
        contrib: FloatMatrix | None = None
        if explain:
            contrib = np.asarray(
                self.booster.predict(matrix, pred_contrib=True, num_threads=1), dtype=np.float64
            )
        out = []
        for i, subject in enumerate(subjects):
            reasons: tuple[Reason, ...] = ()
            if contrib is not None:
                reasons = self._reasons(subject, matrix[i], contrib[i, :-1], top)
            out.append(
                ModelScore(
                    declaration_id=subject.declaration_id,
                    probability=float(probability[i]),
                    expected_revenue=_expected_revenue(subject, float(probability[i])),
                    reasons=reasons,
                    model_version=self.version,
                )
            )
        return out

    def _reasons(
        self, subject: RiskSubject, row: FloatMatrix, contrib: FloatMatrix, top: int
    ) -> tuple[Reason, ...]:
        order = np.argsort(-contrib)[:top]
        return tuple(
            Reason(
                source="model",
                code=self.encoder.feature_names[j],
                message=self.encoder.describe(int(j), float(row[j]), subject),
                weight=round(float(contrib[j]), 4),
            )
            for j in order
            if contrib[j] > 0
        )

    # -- serialization ----------------------------------------------------------------------

    @property
    def booster_text(self) -> str:
        return str(self.booster.model_to_string())

    def to_bytes(self) -> bytes:
        """The whole model (booster text, histories, card) as gzipped JSON."""
        doc = {
            "format": MODEL_FORMAT,
            "card": self.card.as_dict(),
            "encoder": self.encoder.to_dict(),
            "booster": self.booster_text,
        }
        return gzip.compress(json.dumps(doc, separators=(",", ":")).encode(), mtime=0)

    @classmethod
    def from_bytes(cls, blob: bytes) -> RiskModel:
        try:
            doc = json.loads(gzip.decompress(blob))
        except (OSError, ValueError) as exc:
            raise IncompatibleModel("not a serialized risk model") from exc
        if doc.get("format") != MODEL_FORMAT:
            raise IncompatibleModel(f"model format {doc.get('format')!r} is not {MODEL_FORMAT}")
        try:
            encoder = FeatureEncoder.from_dict(doc["encoder"])
        except ValueError as exc:
            raise IncompatibleModel(str(exc)) from exc
        booster = lgb.Booster(model_str=doc["booster"])
        return cls(booster, encoder, ModelCard.from_dict(doc["card"]))


CURVE_POINTS = 25  # points of the validation precision/recall curve kept with a model


def _expected_revenue(subject: RiskSubject, probability: float) -> Decimal | None:
    if subject.duty_amount is None:
        return None
    return round_money(subject.duty_amount * Decimal(repr(round(probability, 6))))


def _split_for_validation(
    examples: Sequence[TrainingExample], fraction: float
) -> tuple[list[int], list[int]]:
    """Rows to fit on and rows to stop early on, both from the training data."""
    tags = {e.split for e in examples}
    if "valid" in tags and len(tags - {"valid"}) > 0:
        fit = [i for i, e in enumerate(examples) if e.split != "valid"]
        val = [i for i, e in enumerate(examples) if e.split == "valid"]
        return fit, val
    order = sorted(range(len(examples)), key=lambda i: examples[i].subject.lodged_on)
    cut = int(len(order) * (1 - fraction))
    return order[:cut], order[cut:]


def _labels(examples: Sequence[TrainingExample]) -> npt.NDArray[np.int64]:
    return np.array([1 if e.finding else 0 for e in examples], dtype=np.int64)


def _booster(
    matrix: FloatMatrix,
    y: npt.NDArray[np.int64],
    encoder: FeatureEncoder,
    params: TrainingParameters,
    rounds: int,
    valid: tuple[FloatMatrix, npt.NDArray[np.int64]] | None = None,
) -> lgb.Booster:
    train_set = lgb.Dataset(
        matrix,
        label=y,
        feature_name=[_safe(n) for n in encoder.feature_names],
        categorical_feature=[_safe(n) for n in encoder.categorical_features],
        free_raw_data=True,
    )
    callbacks: list[Any] = []
    valid_sets = []
    if valid is not None:
        valid_sets = [lgb.Dataset(valid[0], label=valid[1], reference=train_set)]
        callbacks = [lgb.early_stopping(params.early_stopping_rounds, verbose=False)]
    return lgb.train(
        params.lightgbm(),
        train_set,
        num_boost_round=rounds,
        valid_sets=valid_sets,
        callbacks=callbacks,
    )


def _safe(name: str) -> str:
    # LightGBM refuses some JSON special characters in feature names.
    return name.replace(":", "__").replace("*", "_x_")


def train_model(
    examples: Sequence[TrainingExample],
    *,
    params: TrainingParameters | None = None,
    version: str = "",
) -> RiskModel:
    """Train on labelled examples; tune rounds on their validation part, then refit on all."""
    params = params or TrainingParameters()
    y = _labels(examples)
    if len(examples) < 50 or y.min(initial=1) == y.max(initial=0):
        raise NotEnoughTrainingData(
            "need at least 50 examples with both findings and clean controls",
            {"examples": len(examples), "findings": int(y.sum())},
        )
    fit_idx, val_idx = _split_for_validation(examples, params.validation_fraction)
    fit_ex = [examples[i] for i in fit_idx]
    val_ex = [examples[i] for i in val_idx]
    validation: dict[str, float] = {}
    curve: list[list[float]] = []
    rounds = params.max_rounds
    y_fit, y_val = y[fit_idx], y[val_idx]
    if len(val_ex) >= 20 and 0 < y_val.sum() < len(y_val) and 0 < y_fit.sum() < len(y_fit):
        m_fit, enc_fit = FeatureEncoder.fit(
            [e.subject for e in fit_ex],
            y_fit,
            folds=params.folds,
            seed=params.seed,
            smoothing=params.smoothing,
        )
        m_val = enc_fit.transform([e.subject for e in val_ex])
        probe = _booster(m_fit, y_fit, enc_fit, params, params.max_rounds, (m_val, y_val))
        best = probe.best_iteration or params.max_rounds
        p_val = np.asarray(probe.predict(m_val, num_iteration=best), dtype=np.float64)
        from customhouse.risk.evaluation import metrics

        found = metrics(y_val, p_val, rates=(5,), curve_points=CURVE_POINTS)
        curve = [[round(r, 2), round(p, 4), round(c, 4)] for r, p, c in found.curve]
        validation = {
            "auc": found.auc,
            "precision_at_5": found.precision_at[5],
            "rows": float(len(val_ex)),
            "rounds": float(best),
        }
        # Refit on more rows: a few more rounds than the probe needed.
        rounds = max(10, math.ceil(best * len(examples) / max(1, len(fit_ex))))
    matrix, encoder = FeatureEncoder.fit(
        [e.subject for e in examples],
        y,
        folds=params.folds,
        seed=params.seed,
        smoothing=params.smoothing,
    )
    booster = _booster(matrix, y, encoder, params, rounds)
    dates = [e.subject.lodged_on for e in examples]
    card = ModelCard(
        version=version,
        trained_rows=len(examples),
        window_from=min(dates),
        window_to=max(dates),
        rounds=rounds,
        validation=validation,
        parameters=asdict(params),
        validation_curve=curve,
    )
    return RiskModel(booster, encoder, card)
