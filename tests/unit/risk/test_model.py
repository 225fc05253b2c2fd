"""The learned model: it learns the signal, and no label leaks into its own features."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pytest

from customhouse.risk.errors import IncompatibleModel, NotEnoughTrainingData
from customhouse.risk.evaluation import metrics
from customhouse.risk.features import FeatureEncoder
from customhouse.risk.model import RiskModel, TrainingParameters, train_model
from customhouse.risk.models import ChannelDecision, ModelScore, TrainingExample

FAST = TrainingParameters(max_rounds=150, early_stopping_rounds=20, num_leaves=15)


def _split(examples: list[TrainingExample]) -> tuple[list[TrainingExample], list[TrainingExample]]:
    cut = int(len(examples) * 0.75)
    return examples[:cut], examples[cut:]


def _auc(model: RiskModel, test: list[TrainingExample]) -> float:
    y = np.array([int(e.finding) for e in test])
    return metrics(y, model.predict([e.subject for e in test])).auc


@pytest.fixture(scope="module")
def trained(synthetic: list[TrainingExample]) -> RiskModel:
    return train_model(_split(synthetic)[0], params=FAST, version="t1")


def test_learns_the_signal(trained: RiskModel, synthetic: list[TrainingExample]) -> None:
    assert _auc(trained, _split(synthetic)[1]) > 0.75


def test_shuffled_labels_score_like_chance(synthetic: list[TrainingExample]) -> None:
    train, test = _split(synthetic)
    labels = [e.finding for e in train]
    random.Random(3).shuffle(labels)
    shuffled = [replace(e, finding=y) for e, y in zip(train, labels, strict=True)]
    model = train_model(shuffled, params=FAST)
    assert 0.42 < _auc(model, test) < 0.58


def test_out_of_fold_encodings_differ_from_in_fold(synthetic: list[TrainingExample]) -> None:
    subjects = [e.subject for e in synthetic]
    y = [int(e.finding) for e in synthetic]
    oof, encoder = FeatureEncoder.fit(subjects, y, folds=5, seed=1)
    in_fold = encoder.transform(subjects)
    col = encoder.feature_names.index("te:importer")
    assert not np.allclose(oof[:, col], in_fold[:, col])
    # In fold, the row's own label pulls its encoding towards it; out of fold it cannot.
    y_arr = np.array(y)
    own_pull_in = np.corrcoef(in_fold[:, col] - oof[:, col], y_arr)[0, 1]
    assert own_pull_in > 0.05


def test_a_singleton_key_gets_the_prior_not_its_own_label(
    synthetic: list[TrainingExample],
) -> None:
    subjects = [e.subject for e in synthetic[:500]]
    lone = replace(subjects[0], importer_id="NEVER-SEEN-ELSEWHERE")
    subjects[0] = lone
    y = [1] + [0] * 499
    oof, encoder = FeatureEncoder.fit(subjects, y, folds=5, seed=2)
    col = encoder.feature_names.index("te:importer")
    assert oof[0, col] == pytest.approx(encoder.prior)
    assert encoder.transform([lone])[0, col] > encoder.prior  # full history does know it


def test_scores_carry_reasons_and_duty_at_stake(
    trained: RiskModel, synthetic: list[TrainingExample]
) -> None:
    [score] = trained.score([synthetic[-1].subject])
    assert 0.0 <= score.probability <= 1.0
    assert score.expected_revenue is not None
    assert score.reasons and all(r.source == "model" and (r.weight or 0) > 0 for r in score.reasons)
    assert score.model_version == "t1"


def test_round_trip_through_bytes(trained: RiskModel, synthetic: list[TrainingExample]) -> None:
    again = RiskModel.from_bytes(trained.to_bytes())
    subjects = [e.subject for e in synthetic[-50:]]
    assert np.allclose(again.predict(subjects), trained.predict(subjects))
    assert again.card == trained.card


def test_garbage_is_not_a_model() -> None:
    with pytest.raises(IncompatibleModel):
        RiskModel.from_bytes(b"not gzip")


def test_one_class_cannot_train(synthetic: list[TrainingExample]) -> None:
    with pytest.raises(NotEnoughTrainingData):
        train_model([replace(e, finding=False) for e in synthetic[:100]], params=FAST)


def test_deterministic(make: Callable[[int], list[TrainingExample]]) -> None:
    rows = make(800)
    a = train_model(rows, params=FAST).predict([e.subject for e in rows[:20]])
    b = train_model(rows, params=FAST).predict([e.subject for e in rows[:20]])
    assert np.array_equal(a, b)


def test_scores_made_for_a_whole_batch_give_the_same_channels(
    trained: RiskModel, synthetic: list[TrainingExample]
) -> None:
    """The risk step scores every office's declarations in one call and hands the scores to
    each office's selection: the same decisions, reasons included, as scoring per office."""
    from datetime import date

    from customhouse.risk.engine import select_channels
    from customhouse.risk.policy import OfficePolicy

    subjects = [e.subject for e in _split(synthetic)[1]][:300]
    ahead = {s.declaration_id: s for s in trained.score(subjects, explain=False)}
    policy = OfficePolicy(inspection_rate=0.1)

    def decide(scores: dict[str, ModelScore] | None) -> list[ChannelDecision]:
        return select_channels(
            subjects[:150],  # one office's share of the batch
            profiles=[],
            model=trained,
            policy=policy,
            rng=random.Random(5),
            at=date(2024, 12, 1),
            explain_blue=True,
            scores=scores,
        )

    own = decide(None)
    assert decide(ahead) == own
    assert any(d.model_selected for d in own)  # decisions the scores decided, with reasons
